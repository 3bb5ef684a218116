//! The flat event columns as arrow builders, in [`FLAT_COLUMNS`] order.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use crate::lake::projection::FLAT_COLUMNS;

/// The arrow schema of a flat entry, from [`FLAT_COLUMNS`] (the DuckDB
/// types the DuckDB conversion writes).
pub fn flat_schema() -> SchemaRef {
    let fields: Vec<Field> = FLAT_COLUMNS
        .iter()
        .map(|(name, ty)| {
            let ty = match *ty {
                "BIGINT" => DataType::Int64,
                "BOOLEAN" => DataType::Boolean,
                "VARCHAR[]" => DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
                _ => DataType::Utf8,
            };
            Field::new(*name, ty, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Rows being collected; one builder per column.
pub struct FlatBatch {
    pub event_uid: StringBuilder,
    pub time_ms: Int64Builder,
    pub account: StringBuilder,
    pub recipient_account: StringBuilder,
    pub region: StringBuilder,
    pub actor_type: StringBuilder,
    pub actor_arn: StringBuilder,
    pub actor_name: StringBuilder,
    pub actor_principal_id: StringBuilder,
    pub actor_account: StringBuilder,
    pub on_behalf_of: StringBuilder,
    pub access_key_id: StringBuilder,
    pub session_issuer: StringBuilder,
    pub session_mfa: BooleanBuilder,
    pub session_created_ms: Int64Builder,
    pub invoked_by: StringBuilder,
    pub src_ip: StringBuilder,
    pub src_domain: StringBuilder,
    pub user_agent: StringBuilder,
    pub service: StringBuilder,
    pub operation: StringBuilder,
    pub error_code: StringBuilder,
    pub error_message: StringBuilder,
    pub resource_uids: ListBuilder<StringBuilder>,
    pub resource_types: ListBuilder<StringBuilder>,
    pub request_json: StringBuilder,
    pub response_json: StringBuilder,
    pub event_type: StringBuilder,
    pub source_kind: StringBuilder,
    pub source_file: StringBuilder,
    /// Reused for printing JSON values before they are appended.
    pub scratch: String,
    schema: SchemaRef,
}

impl FlatBatch {
    pub fn new(schema: SchemaRef) -> FlatBatch {
        let s = StringBuilder::new;
        FlatBatch {
            event_uid: s(),
            time_ms: Int64Builder::new(),
            account: s(),
            recipient_account: s(),
            region: s(),
            actor_type: s(),
            actor_arn: s(),
            actor_name: s(),
            actor_principal_id: s(),
            actor_account: s(),
            on_behalf_of: s(),
            access_key_id: s(),
            session_issuer: s(),
            session_mfa: BooleanBuilder::new(),
            session_created_ms: Int64Builder::new(),
            invoked_by: s(),
            src_ip: s(),
            src_domain: s(),
            user_agent: s(),
            service: s(),
            operation: s(),
            error_code: s(),
            error_message: s(),
            resource_uids: ListBuilder::new(s()),
            resource_types: ListBuilder::new(s()),
            request_json: s(),
            response_json: s(),
            event_type: s(),
            source_kind: s(),
            source_file: s(),
            scratch: String::new(),
            schema,
        }
    }

    /// The rows so far as one batch; the builders start empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_uid.finish()),
            Arc::new(self.time_ms.finish()),
            Arc::new(self.account.finish()),
            Arc::new(self.recipient_account.finish()),
            Arc::new(self.region.finish()),
            Arc::new(self.actor_type.finish()),
            Arc::new(self.actor_arn.finish()),
            Arc::new(self.actor_name.finish()),
            Arc::new(self.actor_principal_id.finish()),
            Arc::new(self.actor_account.finish()),
            Arc::new(self.on_behalf_of.finish()),
            Arc::new(self.access_key_id.finish()),
            Arc::new(self.session_issuer.finish()),
            Arc::new(self.session_mfa.finish()),
            Arc::new(self.session_created_ms.finish()),
            Arc::new(self.invoked_by.finish()),
            Arc::new(self.src_ip.finish()),
            Arc::new(self.src_domain.finish()),
            Arc::new(self.user_agent.finish()),
            Arc::new(self.service.finish()),
            Arc::new(self.operation.finish()),
            Arc::new(self.error_code.finish()),
            Arc::new(self.error_message.finish()),
            Arc::new(self.resource_uids.finish()),
            Arc::new(self.resource_types.finish()),
            Arc::new(self.request_json.finish()),
            Arc::new(self.response_json.finish()),
            Arc::new(self.event_type.finish()),
            Arc::new(self.source_kind.finish()),
            Arc::new(self.source_file.finish()),
        ];
        RecordBatch::try_new(self.schema.clone(), columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_batch_has_the_flat_columns_in_order() {
        let schema = flat_schema();
        let batch = FlatBatch::new(schema.clone())
            .finish()
            .expect("columns match the schema");
        let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
        let expected: Vec<&str> = FLAT_COLUMNS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, expected);
    }
}
