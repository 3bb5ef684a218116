//! The lake's records that are not API calls: network flows, DNS queries,
//! HTTP requests (WAF) and findings. Each kind has one flat shape; every
//! group of files (one Security Lake schema, or one raw delivery format) is
//! projected to it, like activity is projected to the event shape.
//!
//! Flows are usually the largest source of a lake: they are never copied
//! into a store, every question aggregates them where they lie.

mod ocsf;
mod query;
mod raw;

use std::path::Path;

use super::discovery::{LakeFile, SourceKind};
use super::projection::file_list;
use super::schema::Schema;

pub use query::present;
pub(crate) use query::query;
pub(crate) use raw::flow_log_fields;

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
    pub const ALL: [RecordKind; 4] = [RecordKind::Flows, RecordKind::Dns, RecordKind::Http, RecordKind::Findings];

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

/// How a group's files are read.
#[derive(Debug, Clone)]
pub enum RecordReader {
    /// OCSF parquet of one schema; `hive` when in the Security Lake layout.
    Ocsf { schema: Schema, hive: bool },
    /// VPC flow log text files sharing one header line (the field names).
    FlowText { fields: Vec<String> },
    /// Route 53 Resolver query logs (JSON lines).
    ResolverJson,
}

/// Files of one kind that one reader reads.
#[derive(Debug, Clone)]
pub struct RecordGroup {
    pub kind: RecordKind,
    pub reader: RecordReader,
    pub label: String,
    pub files: Vec<LakeFile>,
}

impl RecordGroup {
    /// The group's rows in the flat shape, restricted to `files`.
    pub fn sql(&self, files: &[&Path]) -> String {
        let list = file_list(files.iter().copied());
        match &self.reader {
            RecordReader::Ocsf { schema, hive } => ocsf::select(self.kind, schema, *hive, &self.label, &list),
            RecordReader::FlowText { fields } => raw::flow_text_select(fields, &self.label, &list),
            RecordReader::ResolverJson => raw::resolver_select(&self.label, &list),
        }
    }
}

/// A relation of `kind`'s flat shape with no rows.
pub fn empty(kind: RecordKind) -> String {
    let cols: Vec<String> = kind
        .columns()
        .iter()
        .map(|(name, ty)| format!("NULL::{ty} AS {name}"))
        .collect();
    format!("SELECT {} WHERE false", cols.join(", "))
}

/// The record kind a raw (non-parquet) file holds, if any.
pub fn raw_kind(kind: &SourceKind) -> Option<RecordKind> {
    match kind {
        SourceKind::VpcFlowLog => Some(RecordKind::Flows),
        SourceKind::ResolverLog => Some(RecordKind::Dns),
        _ => None,
    }
}
