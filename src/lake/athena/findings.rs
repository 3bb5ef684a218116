//! Findings in Athena's SQL: the Security Lake SH_FINDINGS tables in the
//! flat shape `records/ocsf.rs` reads locally (1.0 says `finding` and
//! `state`, 2.0 `finding_info` and `status`), the IPs, access keys and
//! actor ARNs a finding names found by the same patterns in its fields as
//! JSON text, and the latest record of each finding kept, as locally.

use super::flat::{SlVersion, lit, scope_conditions};
use super::tables::{Tables, security_lake_parts, where_line};
use crate::lake::error::{LakeError, Result};
use crate::lake::findings::{FindingCriteria, severity_id};
use crate::lake::records::{ACTOR_RE, IPV4_RE, KEY_RE};
use crate::lake::scope::Scope;

pub const SOURCE: &str = "SH_FINDINGS";

/// One version's findings in the flat shape, the scope applied.
fn select(version: SlVersion, table: &str, scope: &Scope) -> String {
    let (finding, status, more, prio, label) = match version {
        SlVersion::V1 => ("finding", "state", "", 1, "SH_FINDINGS 1.0"),
        SlVersion::V2 => (
            "finding_info",
            "status",
            ", json_format(CAST(vulnerabilities AS JSON)), json_format(CAST(observables AS JSON))",
            0,
            "SH_FINDINGS 2.0",
        ),
    };
    // What the finding names, wherever its product put it: its fields as text.
    let text = format!(
        "concat_ws(' ', json_format(CAST({finding} AS JSON)), json_format(CAST(resources AS JSON)), \
         json_format(CAST(unmapped AS JSON)), json_format(CAST(metadata AS JSON)), json_format(CAST(cloud AS JSON)){more})"
    );
    let ips = format!(
        "array_distinct(filter(regexp_extract_all(txt, '{IPV4_RE}'), x -> x NOT LIKE '%/%' AND x <> '0.0.0.0' \
         AND cardinality(filter(split(x, '.'), o -> CAST(o AS integer) > 255)) = 0))"
    );
    format!(
        "  SELECT finding_uid, time_ms, account, region, product, class_name, finding_type, title, severity, severity_id, status,\n    \
         resource_uids, resource_types, {ips} AS ips, array_distinct(regexp_extract_all(txt, '{KEY_RE}')) AS access_keys,\n    \
         array_distinct(regexp_extract_all(txt, '{ACTOR_RE}')) AS actors, prio, source_kind, source_path\n  \
         FROM (\n    SELECT {finding}.uid AS finding_uid, \"time\" AS time_ms, accountid AS account, region,\n      \
         coalesce(element_at(unmapped, 'ProductFields.aws/securityhub/ProductName'), metadata.product.feature.name) AS product,\n      \
         class_name, CAST(element_at({finding}.types, 1) AS varchar) AS finding_type, {finding}.title AS title, severity, severity_id,\n      \
         coalesce({status}, element_at(unmapped, 'Workflow.Status'), element_at(unmapped, 'WorkflowState')) AS status,\n      \
         transform(resources, r -> r.uid) AS resource_uids, transform(resources, r -> r.\"type\") AS resource_types,\n      \
         {text} AS txt, {prio} AS prio, '{label}' AS source_kind, \"$path\" AS source_path\n    \
         FROM {table}{}\n  )",
        where_line(&scope_conditions(version, scope), "    ")
    )
}

/// The criteria over the flat shape.
fn conditions(criteria: &FindingCriteria) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(text) = &criteria.severity {
        let id = severity_id(text).ok_or_else(|| LakeError::InvalidInput {
            what: "severity",
            detail: text.clone(),
        })?;
        out.push(format!("severity_id >= {id}"));
    }
    if let Some(product) = &criteria.product {
        out.push(format!(
            "starts_with(lower(product), {})",
            lit(&product.to_ascii_lowercase())
        ));
    }
    if let Some(status) = &criteria.status {
        out.push(format!("lower(status) = lower({})", lit(status)));
    }
    if let Some(subject) = &criteria.names {
        // A resource id also matches at the end of an ARN or ASFF id.
        let tail = |sep: char| lit(&format!("{sep}{subject}").chars().rev().collect::<String>());
        let s = lit(subject);
        out.push(format!(
            "(contains(ips, {s}) OR contains(access_keys, {s}) OR contains(actors, {s}) OR cardinality(filter(resource_uids, \
             u -> u = {s} OR starts_with(reverse(u), {}) OR starts_with(reverse(u), {}))) > 0)",
            tail('/'),
            tail(':')
        ));
    }
    Ok(out)
}

/// `WITH flat AS (…), rec AS (…)`: every record of the scope's findings
/// matching the criteria, with how many each finding has and which is the
/// latest (`copy = 1`; on a tie the newer version's).
pub(super) fn findings_cte(tables: &Tables, scope: &Scope, criteria: &FindingCriteria) -> Result<String> {
    let parts = security_lake_parts(tables, SOURCE, "findings", |v, table| select(v, table, scope))?;
    Ok(format!(
        "WITH flat AS (\n{}\n),\nrec AS (\n  SELECT *, count(*) OVER (PARTITION BY finding_uid) AS records,\n    \
         row_number() OVER (PARTITION BY finding_uid ORDER BY time_ms DESC, prio) AS copy\n  FROM flat{}\n)\n",
        parts.join("\n  UNION ALL\n"),
        where_line(&conditions(criteria)?, "  "),
    ))
}

/// `lakescope findings`: the latest record of each finding of the scope
/// matching the criteria (with how many records it has), most severe then
/// newest first.
pub fn findings(tables: &Tables, scope: &Scope, criteria: &FindingCriteria) -> Result<String> {
    let list = |column: &str| format!("array_join({column}, ',') AS {column}");
    Ok(format!(
        "{}SELECT finding_uid, time_ms, account, region, product, class_name, finding_type, title, severity, severity_id, status,\n  \
         {}, {}, {}, {}, {}, records, source_kind, source_path\n\
         FROM rec\nWHERE finding_uid IS NULL OR copy = 1\nORDER BY severity_id DESC NULLS LAST, time_ms DESC, finding_uid",
        findings_cte(tables, scope, criteria)?,
        list("resource_uids"),
        list("resource_types"),
        list("ips"),
        list("access_keys"),
        list("actors"),
    ))
}
