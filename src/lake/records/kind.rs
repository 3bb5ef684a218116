//! The record kinds and their flat shapes.

use crate::lake::schema::{ColumnType, Schema};

/// What a record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Flows,
    Dns,
    Http,
    Findings,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Flows,
        RecordKind::Dns,
        RecordKind::Http,
        RecordKind::Findings,
    ];

    /// The Security Lake source that holds this kind.
    pub fn of_source(source: &str) -> Option<RecordKind> {
        match source {
            "VPC_FLOW" => Some(RecordKind::Flows),
            "ROUTE53" => Some(RecordKind::Dns),
            "WAF" => Some(RecordKind::Http),
            "SH_FINDINGS" => Some(RecordKind::Findings),
            _ => None,
        }
    }

    /// From the columns, for OCSF parquet outside the Security Lake layout
    /// (a copied sample, an export).
    pub fn detect(schema: &Schema) -> Option<RecordKind> {
        if schema.has("traffic") && schema.has("connection_info") {
            Some(RecordKind::Flows)
        } else if schema.has("query.hostname") {
            Some(RecordKind::Dns)
        } else if schema.has("finding") || schema.has("finding_info") {
            Some(RecordKind::Findings)
        } else if schema.has("http_request") && !schema.has("api") {
            Some(RecordKind::Http)
        } else {
            None
        }
    }

    /// The columns of the flat shape, with DuckDB types.
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            RecordKind::Flows => FLOW_COLUMNS,
            RecordKind::Dns => DNS_COLUMNS,
            RecordKind::Http => HTTP_COLUMNS,
            RecordKind::Findings => FINDING_COLUMNS,
        }
    }

    /// Fields whose type a query relies on, with the types AWS writes.
    fn typed_fields(self) -> &'static [&'static str] {
        match self {
            RecordKind::Flows => &[
                "time",
                "traffic.bytes",
                "traffic.packets",
                "src_endpoint.port",
                "dst_endpoint.port",
                "connection_info.protocol_num",
            ],
            RecordKind::Dns | RecordKind::Http => &["time"],
            RecordKind::Findings => &["time", "severity_id"],
        }
    }

    /// Typed fields whose type drifted in `schema` (`traffic.bytes is
    /// VARCHAR`): they are read with a cast, and a value that does not
    /// convert reads as empty.
    pub fn drift(self, schema: &Schema) -> Vec<String> {
        const NUMBERS: &[&str] = &[
            "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
        ];
        self.typed_fields()
            .iter()
            .filter_map(|field| match schema.get(field) {
                Some(ColumnType::Scalar(ty)) if !NUMBERS.contains(&ty.to_ascii_uppercase().as_str()) => {
                    Some(format!("{field} is {ty}"))
                }
                Some(ColumnType::Scalar(_)) | None => None,
                Some(_) => Some(format!("{field} is not a number")),
            })
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Flows => "flows",
            RecordKind::Dns => "dns",
            RecordKind::Http => "http",
            RecordKind::Findings => "findings",
        }
    }
}

const FLOW_COLUMNS: &[(&str, &str)] = &[
    ("time_ms", "BIGINT"),
    ("end_ms", "BIGINT"),
    ("account", "VARCHAR"),
    ("region", "VARCHAR"),
    ("src_ip", "VARCHAR"),
    ("src_port", "INTEGER"),
    ("dst_ip", "VARCHAR"),
    ("dst_port", "INTEGER"),
    ("protocol", "INTEGER"),
    ("direction", "VARCHAR"),
    ("bytes", "BIGINT"),
    ("packets", "BIGINT"),
    ("action", "VARCHAR"),
    // The flow's own side (the interface's address), when it can be told.
    ("local_ip", "VARCHAR"),
    ("eni", "VARCHAR"),
    ("instance", "VARCHAR"),
    ("vpc", "VARCHAR"),
    ("subnet", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("source_file", "VARCHAR"),
];

const DNS_COLUMNS: &[(&str, &str)] = &[
    ("time_ms", "BIGINT"),
    ("account", "VARCHAR"),
    ("region", "VARCHAR"),
    ("src_ip", "VARCHAR"),
    ("vpc", "VARCHAR"),
    ("instance", "VARCHAR"),
    ("hostname", "VARCHAR"),
    ("qtype", "VARCHAR"),
    ("rcode", "VARCHAR"),
    ("answers", "VARCHAR[]"),
    ("source_kind", "VARCHAR"),
    ("source_file", "VARCHAR"),
];

const HTTP_COLUMNS: &[(&str, &str)] = &[
    ("time_ms", "BIGINT"),
    ("account", "VARCHAR"),
    ("region", "VARCHAR"),
    ("client_ip", "VARCHAR"),
    ("method", "VARCHAR"),
    ("host", "VARCHAR"),
    ("path", "VARCHAR"),
    ("query", "VARCHAR"),
    ("user_agent", "VARCHAR"),
    ("action", "VARCHAR"),
    ("rule", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("source_file", "VARCHAR"),
];

const FINDING_COLUMNS: &[(&str, &str)] = &[
    ("finding_uid", "VARCHAR"),
    ("time_ms", "BIGINT"),
    ("account", "VARCHAR"),
    ("region", "VARCHAR"),
    ("product", "VARCHAR"),
    ("class_name", "VARCHAR"),
    ("finding_type", "VARCHAR"),
    ("title", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("severity_id", "INTEGER"),
    ("status", "VARCHAR"),
    ("resource_uids", "VARCHAR[]"),
    ("resource_types", "VARCHAR[]"),
    ("ips", "VARCHAR[]"),
    ("access_keys", "VARCHAR[]"),
    ("actors", "VARCHAR[]"),
    ("source_kind", "VARCHAR"),
    ("source_file", "VARCHAR"),
];
