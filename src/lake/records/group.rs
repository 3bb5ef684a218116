//! A group of record files read by one reader, and its SQL.

use std::path::Path;

use super::kind::RecordKind;
use super::{ocsf, raw};
use crate::lake::discovery::{LakeFile, SourceKind};
use crate::lake::projection::file_list;
use crate::lake::schema::Schema;

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
