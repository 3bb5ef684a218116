//! Security Lake (OCSF) projections of flows, DNS, HTTP and findings.
//! Fields are picked from the group's real schema: a field the files lack
//! becomes NULL, and a field whose type drifted is cast (`TRY_CAST`).

use super::kind::RecordKind;
use crate::lake::plan::HIVE_TYPES;
use crate::lake::projection::{account_of, col, first_of, lit, pick, resource_list, unmapped};
use crate::lake::schema::{ColumnType, Schema};

/// IPv4 addresses, with an optional prefix length so that CIDR blocks
/// (`0.0.0.0/0` in a security-group finding) can be told apart and dropped.
pub(crate) const IPV4_RE: &str = r"\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?\b";
pub(crate) const KEY_RE: &str = r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b";
pub(crate) const ACTOR_RE: &str =
    r"arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(?:user|assumed-role|role|root)[A-Za-z0-9+=,.@_/-]*";

/// `SELECT … FROM read_parquet(list)` in `kind`'s flat shape.
pub fn select(kind: RecordKind, s: &Schema, hive: bool, label: &str, list: &str) -> String {
    let common = Common::new(s, hive, label);
    let columns = match kind {
        RecordKind::Flows => flows(s, &common),
        RecordKind::Dns => dns(s, &common),
        RecordKind::Http => http(s, &common),
        RecordKind::Findings => findings(s, &common),
    };
    let hive_opts = if hive {
        format!("hive_partitioning = true, hive_types = {HIVE_TYPES}")
    } else {
        "hive_partitioning = false".into()
    };
    format!("SELECT {columns}\nFROM read_parquet({list}, {hive_opts}, filename = true) AS t")
}

struct Common {
    time_ms: String,
    account: String,
    region: String,
    label: String,
}

impl Common {
    fn new(s: &Schema, hive: bool, label: &str) -> Common {
        let time_ms = if s.has_scalar("time") {
            pick(s, &["time"], "BIGINT")
        } else if s.has_scalar("time_dt") {
            format!("epoch_ms({})", col("time_dt"))
        } else {
            "NULL::BIGINT".into()
        };
        let account = if hive {
            "t.accountId".to_string()
        } else {
            account_of(&pick(
                s,
                &["cloud.account.uid", "cloud.account_uid", "accountid"],
                "VARCHAR",
            ))
        };
        let region = if hive {
            "t.region".to_string()
        } else {
            pick(s, &["cloud.region", "region"], "VARCHAR")
        };
        Common {
            time_ms,
            account,
            region,
            label: lit(label),
        }
    }

    fn head(&self) -> Vec<String> {
        vec![
            format!("{} AS time_ms", self.time_ms),
            format!("{} AS account", self.account),
            format!("{} AS region", self.region),
        ]
    }

    fn tail(&self) -> [String; 2] {
        [
            format!("{} AS source_kind", self.label),
            "t.filename AS source_file".to_string(),
        ]
    }
}

/// A text field where AWS writes `-` for "no value".
fn text(s: &Schema, paths: &[&str]) -> String {
    format!("nullif({}, '-')", pick(s, paths, "VARCHAR"))
}

/// The endpoint field on whichever side has it (the flow's own interface).
fn local(s: &Schema, field: &str) -> String {
    format!(
        "coalesce({}, {})",
        text(s, &[&format!("src_endpoint.{field}")]),
        text(s, &[&format!("dst_endpoint.{field}")])
    )
}

fn flows(s: &Schema, c: &Common) -> String {
    let end_ms = first_of(
        vec![
            Some(pick(s, &["end_time"], "BIGINT")),
            s.has_scalar("end_time_dt")
                .then(|| format!("epoch_ms({})", col("end_time_dt"))),
        ],
        "BIGINT",
    );
    let verdict = pick(s, &["action", "disposition"], "VARCHAR");
    let action = format!(
        "CASE WHEN lower({verdict}) IN ('allowed', 'accept', 'accepted') THEN 'ACCEPT' \
         WHEN lower({verdict}) IN ('denied', 'blocked', 'reject', 'rejected', 'dropped') THEN 'REJECT' \
         ELSE upper({verdict}) END"
    );
    let mut cols = vec![c.head()[0].clone(), format!("{end_ms} AS end_ms")];
    cols.extend(c.head().into_iter().skip(1));
    cols.extend([
        format!("{} AS src_ip", text(s, &["src_endpoint.ip"])),
        format!("{} AS src_port", pick(s, &["src_endpoint.port"], "INTEGER")),
        format!("{} AS dst_ip", text(s, &["dst_endpoint.ip"])),
        format!("{} AS dst_port", pick(s, &["dst_endpoint.port"], "INTEGER")),
        format!("{} AS protocol", pick(s, &["connection_info.protocol_num"], "INTEGER")),
        format!("{} AS direction", text(s, &["connection_info.direction"])),
        format!("{} AS bytes", pick(s, &["traffic.bytes"], "BIGINT")),
        format!("{} AS packets", pick(s, &["traffic.packets"], "BIGINT")),
        format!("{action} AS action"),
        format!(
            "CASE WHEN {} IS NOT NULL THEN {src} WHEN {} IS NOT NULL THEN {dst} END AS local_ip",
            text(s, &["src_endpoint.interface_uid"]),
            text(s, &["dst_endpoint.interface_uid"]),
            src = text(s, &["src_endpoint.ip"]),
            dst = text(s, &["dst_endpoint.ip"]),
        ),
        format!("{} AS eni", local(s, "interface_uid")),
        format!("{} AS instance", local(s, "instance_uid")),
        format!("{} AS vpc", local(s, "vpc_uid")),
        format!("{} AS subnet", local(s, "subnet_uid")),
    ]);
    cols.extend(c.tail());
    cols.join(",\n  ")
}

/// `[x.<field> for x in <list>]` when the list's elements have that field.
fn list_of(s: &Schema, list: &str, field: &str) -> String {
    if let Some(ColumnType::List(inner)) = s.get(list)
        && let ColumnType::Struct(members) = inner.as_ref()
        && members
            .iter()
            .any(|(n, t)| n.eq_ignore_ascii_case(field) && t.is_scalar())
    {
        return format!("[CAST(x.\"{field}\" AS VARCHAR) for x in coalesce({}, [])]", col(list));
    }
    "[]::VARCHAR[]".into()
}

fn dns(s: &Schema, c: &Common) -> String {
    let mut cols = c.head();
    cols.extend([
        format!("{} AS src_ip", text(s, &["src_endpoint.ip"])),
        format!("{} AS vpc", text(s, &["src_endpoint.vpc_uid"])),
        format!("{} AS instance", text(s, &["src_endpoint.instance_uid"])),
        // Names are compared without case and without the root's dot.
        format!(
            "lower(rtrim({}, '.')) AS hostname",
            pick(s, &["query.hostname"], "VARCHAR")
        ),
        format!("{} AS qtype", pick(s, &["query.type"], "VARCHAR")),
        format!("{} AS rcode", pick(s, &["rcode"], "VARCHAR")),
        format!("{} AS answers", list_of(s, "answers", "rdata")),
    ]);
    cols.extend(c.tail());
    cols.join(",\n  ")
}

fn http(s: &Schema, c: &Common) -> String {
    let mut cols = c.head();
    let rule = if let Some(ColumnType::List(_)) = s.get("firewall_rules") {
        format!("{}[1]", list_of(s, "firewall_rules", "uid"))
    } else {
        pick(s, &["firewall_rule.uid", "firewall_rule.name"], "VARCHAR")
    };
    cols.extend([
        format!("{} AS client_ip", text(s, &["src_endpoint.ip"])),
        format!("{} AS method", pick(s, &["http_request.http_method"], "VARCHAR")),
        format!("{} AS host", pick(s, &["http_request.url.hostname"], "VARCHAR")),
        format!("{} AS path", pick(s, &["http_request.url.path"], "VARCHAR")),
        format!("{} AS query", pick(s, &["http_request.url.query_string"], "VARCHAR")),
        format!("{} AS user_agent", pick(s, &["http_request.user_agent"], "VARCHAR")),
        format!(
            "{} AS action",
            waf_action(&pick(s, &["action", "disposition"], "VARCHAR"))
        ),
        format!("{rule} AS rule"),
    ]);
    cols.extend(c.tail());
    cols.join(",\n  ")
}

/// WAF's own words (ALLOW, BLOCK, COUNT…) whether the row says them or
/// OCSF's (Allowed, Denied, Blocked).
fn waf_action(verdict: &str) -> String {
    format!(
        "CASE WHEN lower({verdict}) IN ('allowed', 'allow') THEN 'ALLOW' \
         WHEN lower({verdict}) IN ('denied', 'blocked', 'block', 'deny') THEN 'BLOCK' ELSE upper({verdict}) END"
    )
}

fn findings(s: &Schema, c: &Common) -> String {
    // Everything the finding names, wherever its product put it (resources,
    // details JSON, observables, unmapped ASFF fields): the row as text.
    let text_of_row = "CAST(to_json(t) AS VARCHAR)";
    let ips = format!(
        "list_distinct(list_filter(regexp_extract_all({text_of_row}, '{IPV4_RE}'), \
         lambda x: x NOT LIKE '%/%' AND x <> '0.0.0.0' \
         AND list_bool_and([TRY_CAST(o AS INTEGER) <= 255 for o in string_split(x, '.')])))"
    );
    let keys = format!("list_distinct(regexp_extract_all({text_of_row}, '{KEY_RE}'))");
    let actors = format!("list_distinct(regexp_extract_all({text_of_row}, '{ACTOR_RE}'))");
    let types = if s.has("finding_info.types") {
        format!("{}[1]", col("finding_info.types"))
    } else if s.has("finding.types") {
        format!("{}[1]", col("finding.types"))
    } else {
        "NULL::VARCHAR".into()
    };
    let product = first_of(
        vec![
            unmapped(s, "ProductFields.aws/securityhub/ProductName"),
            Some(pick(
                s,
                &["metadata.product.feature.name", "metadata.product.name"],
                "VARCHAR",
            )),
        ],
        "VARCHAR",
    );
    let status = first_of(
        vec![
            Some(pick(s, &["status", "state"], "VARCHAR")),
            unmapped(s, "Workflow.Status"),
            unmapped(s, "WorkflowState"),
        ],
        "VARCHAR",
    );
    let mut cols = vec![format!(
        "{} AS finding_uid",
        pick(s, &["finding_info.uid", "finding.uid", "metadata.uid"], "VARCHAR")
    )];
    cols.extend(c.head());
    cols.extend([
        format!("{product} AS product"),
        format!("{} AS class_name", pick(s, &["class_name"], "VARCHAR")),
        format!("CAST({types} AS VARCHAR) AS finding_type"),
        format!(
            "{} AS title",
            pick(s, &["finding_info.title", "finding.title"], "VARCHAR")
        ),
        format!("{} AS severity", pick(s, &["severity"], "VARCHAR")),
        format!("{} AS severity_id", pick(s, &["severity_id"], "INTEGER")),
        format!("{status} AS status"),
        format!("{} AS resource_uids", resource_list(s, &["uid"])),
        format!("{} AS resource_types", resource_list(s, &["type"])),
        format!("{ips} AS ips"),
        format!("{keys} AS access_keys"),
        format!("{actors} AS actors"),
    ]);
    cols.extend(c.tail());
    cols.join(",\n  ")
}
