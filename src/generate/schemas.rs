//! Column types of the Parquet files, as `read_json(columns = {...})`
//! arguments. The CloudTrail, EKS and VPC flow shapes model the published
//! Security Lake tables (CloudTrail 1.0 in OCSF 1.0.0-rc.2, the Athena
//! `DESCRIBE` of a 2.0 CloudTrail table, the Iceberg schema of EKS_AUDIT 2.0;
//! mappings in `docs/formats.md`); the Security Hub shapes are a small
//! plausible subset of OCSF 2001 / 2002 / 2004 chosen for lakescope fixtures
//! (one 2.0 table holds all three classes, so its columns are their union).

pub const CLOUDTRAIL_V1: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, vendor_name VARCHAR, feature STRUCT(name VARCHAR)), uid VARCHAR, profiles VARCHAR[], version VARCHAR)",
    ),
    ("time", "BIGINT"),
    ("cloud", "STRUCT(region VARCHAR, provider VARCHAR)"),
    (
        "api",
        "STRUCT(response STRUCT(error VARCHAR, message VARCHAR), operation VARCHAR, version VARCHAR, service STRUCT(name VARCHAR), request STRUCT(uid VARCHAR))",
    ),
    ("dst_endpoint", "STRUCT(svc_name VARCHAR)"),
    (
        "actor",
        "STRUCT(\"user\" STRUCT(type VARCHAR, name VARCHAR, uid VARCHAR, uuid VARCHAR, account_uid VARCHAR, credential_uid VARCHAR), session STRUCT(created_time BIGINT, mfa BOOLEAN, issuer VARCHAR), invoked_by VARCHAR, idp STRUCT(name VARCHAR))",
    ),
    ("http_request", "STRUCT(user_agent VARCHAR)"),
    ("src_endpoint", "STRUCT(uid VARCHAR, ip VARCHAR, domain VARCHAR)"),
    ("resources", "STRUCT(uid VARCHAR, account_uid VARCHAR, type VARCHAR)[]"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("user", "STRUCT(uid VARCHAR, uuid VARCHAR, name VARCHAR)"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("status", "VARCHAR"),
    ("status_id", "INTEGER"),
    ("mfa", "BOOLEAN"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
];

pub const CLOUDTRAIL_V2: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, vendor_name VARCHAR, feature STRUCT(name VARCHAR)), event_code VARCHAR, uid VARCHAR, profiles VARCHAR[], version VARCHAR)",
    ),
    ("time", "BIGINT"),
    ("time_dt", "TIMESTAMP"),
    ("cloud", "STRUCT(region VARCHAR, provider VARCHAR)"),
    (
        "api",
        "STRUCT(response STRUCT(error VARCHAR, message VARCHAR, data VARCHAR), operation VARCHAR, version VARCHAR, service STRUCT(name VARCHAR), request STRUCT(data VARCHAR, uid VARCHAR))",
    ),
    ("dst_endpoint", "STRUCT(svc_name VARCHAR)"),
    (
        "actor",
        "STRUCT(\"user\" STRUCT(type VARCHAR, name VARCHAR, uid_alt VARCHAR, uid VARCHAR, account STRUCT(uid VARCHAR), credential_uid VARCHAR), session STRUCT(created_time_dt TIMESTAMP, is_mfa BOOLEAN, issuer VARCHAR), invoked_by VARCHAR, idp STRUCT(name VARCHAR))",
    ),
    ("http_request", "STRUCT(user_agent VARCHAR)"),
    ("src_endpoint", "STRUCT(uid VARCHAR, ip VARCHAR, domain VARCHAR)"),
    (
        "session",
        "STRUCT(uid VARCHAR, uid_alt VARCHAR, credential_uid VARCHAR, issuer VARCHAR)",
    ),
    ("policy", "STRUCT(uid VARCHAR)"),
    (
        "resources",
        "STRUCT(uid VARCHAR, owner STRUCT(account STRUCT(uid VARCHAR)), type VARCHAR)[]",
    ),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("user", "STRUCT(uid_alt VARCHAR, uid VARCHAR, name VARCHAR)"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("status", "VARCHAR"),
    ("is_mfa", "BOOLEAN"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
];

pub const EKS_AUDIT_V2: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(log_level VARCHAR, product STRUCT(version VARCHAR, vendor_name VARCHAR, name VARCHAR, feature STRUCT(name VARCHAR)), profiles VARCHAR[], version VARCHAR)",
    ),
    (
        "api",
        "STRUCT(request STRUCT(uid VARCHAR, containers STRUCT(name VARCHAR, image STRUCT(name VARCHAR, path VARCHAR, uid VARCHAR))[]), operation VARCHAR, version VARCHAR, response STRUCT(code INTEGER, message VARCHAR, error VARCHAR, error_message VARCHAR, containers STRUCT(name VARCHAR, image STRUCT(name VARCHAR, path VARCHAR, uid VARCHAR))[]), \"group\" STRUCT(name VARCHAR))",
    ),
    ("message", "VARCHAR"),
    ("http_request", "STRUCT(url STRUCT(path VARCHAR), user_agent VARCHAR)"),
    (
        "actor",
        "STRUCT(\"user\" STRUCT(name VARCHAR, uid VARCHAR, groups STRUCT(name VARCHAR)[], type_id INTEGER), session STRUCT(credential_uid VARCHAR, issuer VARCHAR, uid VARCHAR))",
    ),
    ("cloud", "STRUCT(account STRUCT(uid VARCHAR), provider VARCHAR)"),
    ("src_endpoint", "STRUCT(ip VARCHAR, intermediate_ips VARCHAR[])"),
    (
        "resources",
        "STRUCT(namespace VARCHAR, name VARCHAR, uid VARCHAR, version VARCHAR, type VARCHAR)[]",
    ),
    ("start_time_dt", "TIMESTAMP"),
    ("time_dt", "TIMESTAMP"),
    ("time", "BIGINT"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_name", "VARCHAR"),
    ("type_uid", "BIGINT"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
];

pub const VPC_FLOW_V2: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, feature STRUCT(name VARCHAR), vendor_name VARCHAR), profiles VARCHAR[], version VARCHAR)",
    ),
    (
        "cloud",
        "STRUCT(account STRUCT(uid VARCHAR), region VARCHAR, zone VARCHAR, provider VARCHAR)",
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
    ("time_dt", "TIMESTAMP"),
    ("start_time_dt", "TIMESTAMP"),
    ("end_time_dt", "TIMESTAMP"),
    ("status_code", "VARCHAR"),
    ("severity_id", "INTEGER"),
    ("severity", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("action", "VARCHAR"),
    ("action_id", "INTEGER"),
    ("disposition", "VARCHAR"),
    ("disposition_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
];

// aws/SH_FINDINGS/1.0/... (Security Finding 2001, OCSF 1.0.0-rc.2 subset)
pub const SH_FINDINGS_V1: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, vendor_name VARCHAR, feature STRUCT(name VARCHAR)), uid VARCHAR, profiles VARCHAR[], version VARCHAR)",
    ),
    ("time", "BIGINT"),
    (
        "finding",
        "STRUCT(uid VARCHAR, title VARCHAR, \"desc\" VARCHAR, types VARCHAR[], created_time BIGINT)",
    ),
    ("cloud", "STRUCT(account_uid VARCHAR, region VARCHAR, provider VARCHAR)"),
    (
        "resources",
        "STRUCT(uid VARCHAR, type VARCHAR, region VARCHAR, account_uid VARCHAR, details VARCHAR)[]",
    ),
    ("severity", "VARCHAR"),
    ("severity_id", "INTEGER"),
    ("state", "VARCHAR"),
    ("state_id", "INTEGER"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
];

// aws/SH_FINDINGS/2.0/... (Detection Finding 2004, OCSF 1.1.0 subset)
pub const SH_FINDINGS_V2: &[(&str, &str)] = &[
    (
        "metadata",
        "STRUCT(product STRUCT(version VARCHAR, name VARCHAR, vendor_name VARCHAR, feature STRUCT(name VARCHAR)), uid VARCHAR, profiles VARCHAR[], version VARCHAR)",
    ),
    ("time", "BIGINT"),
    ("time_dt", "TIMESTAMP"),
    (
        "finding_info",
        "STRUCT(uid VARCHAR, title VARCHAR, \"desc\" VARCHAR, types VARCHAR[], created_time_dt TIMESTAMP)",
    ),
    (
        "cloud",
        "STRUCT(account STRUCT(uid VARCHAR), region VARCHAR, provider VARCHAR)",
    ),
    (
        "resources",
        "STRUCT(uid VARCHAR, type VARCHAR, region VARCHAR, owner STRUCT(account STRUCT(uid VARCHAR)), data VARCHAR)[]",
    ),
    (
        "vulnerabilities",
        "STRUCT(cve STRUCT(uid VARCHAR, cvss STRUCT(base_score DOUBLE, version VARCHAR, vector_string VARCHAR)[]), title VARCHAR, severity VARCHAR, vendor_name VARCHAR, affected_packages STRUCT(name VARCHAR, version VARCHAR, architecture VARCHAR)[], \"references\" VARCHAR[])[]",
    ),
    ("severity", "VARCHAR"),
    ("severity_id", "INTEGER"),
    ("status", "VARCHAR"),
    ("status_id", "INTEGER"),
    ("class_name", "VARCHAR"),
    ("class_uid", "INTEGER"),
    ("category_name", "VARCHAR"),
    ("category_uid", "INTEGER"),
    ("activity_name", "VARCHAR"),
    ("activity_id", "INTEGER"),
    ("type_uid", "BIGINT"),
    ("type_name", "VARCHAR"),
    ("unmapped", "MAP(VARCHAR, VARCHAR)"),
    ("accountid", "VARCHAR"),
    ("region", "VARCHAR"),
    ("asl_version", "VARCHAR"),
    (
        "observables",
        "STRUCT(name VARCHAR, value VARCHAR, type VARCHAR, type_id INTEGER)[]",
    ),
];

/// `{'name': 'TYPE', ...}` for `read_json(columns = ...)`.
pub fn columns_arg(cols: &[(&str, &str)]) -> String {
    let inner: Vec<String> = cols
        .iter()
        .map(|(n, t)| format!("'{}': '{}'", n.replace('\'', "''"), t.replace('\'', "''")))
        .collect();
    format!("{{{}}}", inner.join(", "))
}
