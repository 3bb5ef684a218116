//! Column types of the network sources: VPC flow 1.0 and Route 53 1.0 as
//! the real OCSF 1.0.0-rc.2 samples have them, Route 53 2.0 and WAF 2.0 as
//! OCSF 1.1.0 subsets with the partition columns every 2.0 source carries.

// aws/VPC_FLOW/1.0/... (Network Activity 4001, OCSF 1.0.0-rc.2): no `*_dt`,
// `cloud.account_uid`, a verdict in `disposition` only.
pub const VPC_FLOW_V1: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, feature STRUCT(name VARCHAR), vendor_name VARCHAR), profiles VARCHAR[], version VARCHAR)",
    ),
    (
        "cloud",
        "STRUCT(account_uid VARCHAR, region VARCHAR, zone VARCHAR, provider VARCHAR)",
    ),
    (
        "src_endpoint",
        "STRUCT(port INTEGER, svc_name VARCHAR, ip VARCHAR, intermediate_ips VARCHAR[], interface_uid VARCHAR, vpc_uid VARCHAR, instance_uid VARCHAR, subnet_uid VARCHAR)",
    ),
    (
        "dst_endpoint",
        "STRUCT(port INTEGER, svc_name VARCHAR, ip VARCHAR, intermediate_ips VARCHAR[], interface_uid VARCHAR, vpc_uid VARCHAR, instance_uid VARCHAR, subnet_uid VARCHAR)",
    ),
    (
        "connection_info",
        "STRUCT(protocol_num INTEGER, tcp_flags INTEGER, protocol_ver VARCHAR, boundary_id INTEGER, boundary VARCHAR, direction_id INTEGER, direction VARCHAR)",
    ),
    ("traffic", "STRUCT(packets BIGINT, bytes BIGINT)"),
    ("time", "BIGINT"),
    ("start_time", "BIGINT"),
    ("end_time", "BIGINT"),
    ("status_code", "VARCHAR"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("disposition", "VARCHAR"),
    ("disposition_id", "INTEGER"),
    ("type_uid", "INTEGER"),
    ("type_name", "VARCHAR"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
];

const DNS_COMMON: &[(&str, &str)] = &[
    (
        "src_endpoint",
        "STRUCT(vpc_uid VARCHAR, ip VARCHAR, port INTEGER, instance_uid VARCHAR)",
    ),
    ("time", "BIGINT"),
    ("query", "STRUCT(hostname VARCHAR, type VARCHAR, class VARCHAR)"),
    ("answers", "STRUCT(type VARCHAR, rdata VARCHAR, class VARCHAR)[]"),
    (
        "connection_info",
        "STRUCT(protocol_name VARCHAR, direction VARCHAR, direction_id INTEGER)",
    ),
    ("dst_endpoint", "STRUCT(instance_uid VARCHAR, interface_uid VARCHAR)"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("rcode_id", "INTEGER"),
    ("rcode", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("type_name", "VARCHAR"),
    ("type_uid", "INTEGER"),
    ("disposition", "VARCHAR"),
    ("disposition_id", "INTEGER"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
];

const DNS_META: (&str, &str) = (
    "metadata",
    "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, feature STRUCT(name VARCHAR), vendor_name VARCHAR), profiles VARCHAR[], version VARCHAR)",
);

/// aws/ROUTE53/1.0/... (DNS Activity 4003, OCSF 1.0.0-rc.2).
pub fn route53_v1() -> Vec<(&'static str, &'static str)> {
    let mut cols = vec![
        DNS_META,
        ("cloud", "STRUCT(account_uid VARCHAR, region VARCHAR, provider VARCHAR)"),
    ];
    cols.extend_from_slice(DNS_COMMON);
    cols
}

/// aws/ROUTE53/2.0/... (DNS Activity 4003, OCSF 1.1.0).
pub fn route53_v2() -> Vec<(&'static str, &'static str)> {
    let mut cols = vec![
        DNS_META,
        (
            "cloud",
            "STRUCT(account STRUCT(uid VARCHAR), region VARCHAR, provider VARCHAR)",
        ),
    ];
    cols.extend_from_slice(DNS_COMMON);
    cols.insert(4, ("time_dt", "TIMESTAMP"));
    cols.extend_from_slice(V2_TAIL);
    cols
}

const V2_TAIL: &[(&str, &str)] = &[
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
];

// aws/WAF/2.0/... (HTTP Activity 4002, OCSF 1.1.0).
pub const WAF_V2: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, feature STRUCT(name VARCHAR), vendor_name VARCHAR), uid VARCHAR, profiles VARCHAR[], version VARCHAR)",
    ),
    (
        "cloud",
        "STRUCT(account STRUCT(uid VARCHAR), region VARCHAR, provider VARCHAR)",
    ),
    ("src_endpoint", "STRUCT(ip VARCHAR, location STRUCT(country VARCHAR))"),
    ("dst_endpoint", "STRUCT(svc_name VARCHAR)"),
    (
        "http_request",
        "STRUCT(http_method VARCHAR, url STRUCT(hostname VARCHAR, path VARCHAR, query_string VARCHAR, url_string VARCHAR), user_agent VARCHAR, version VARCHAR, uid VARCHAR, http_headers STRUCT(name VARCHAR, value VARCHAR)[])",
    ),
    ("http_response", "STRUCT(code INTEGER)"),
    ("firewall_rule", "STRUCT(uid VARCHAR, type VARCHAR)"),
    ("time", "BIGINT"),
    ("time_dt", "TIMESTAMP"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("action", "VARCHAR"),
    ("action_id", "INTEGER"),
    ("disposition", "VARCHAR"),
    ("disposition_id", "INTEGER"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
];
