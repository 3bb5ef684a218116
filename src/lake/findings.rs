//! Findings (Security Hub, and GuardDuty, Inspector… through it): the list,
//! one finding with its original record, and the findings that name an IP,
//! access key, actor or resource.

use duckdb::types::Value;

use super::criteria::EventCriteria;
use super::error::Result;
use super::model::FindingRow;
use super::read::{count, ms, strings};
use super::records::{RecordKind, query};
use super::scope::{Filter, Scope};
use super::session::Session;

/// Which findings to list (none: all of the scope).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FindingCriteria {
    /// At least this severity (`low`, `medium`, `high`, `critical`, or 0–6).
    pub severity: Option<String>,
    /// Product name, any case, by prefix (`guardduty`, `inspector`).
    pub product: Option<String>,
    /// Workflow or compliance status, any case.
    pub status: Option<String>,
    /// An IP, access key, actor ARN or resource id the finding names.
    pub names: Option<String>,
}

/// One finding, with its record as the lake holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: FindingRow,
    pub record: serde_json::Value,
}

/// OCSF severity ids, by name.
pub(crate) fn severity_id(text: &str) -> Option<i32> {
    match text.to_ascii_lowercase().as_str() {
        "informational" | "info" => Some(1),
        "low" => Some(2),
        "medium" => Some(3),
        "high" => Some(4),
        "critical" => Some(5),
        "fatal" => Some(6),
        other => other.parse().ok(),
    }
}

/// Rejects a severity lakescope does not know, so that a typo lists
/// nothing by mistake.
pub fn parse_severity(text: &str) -> std::result::Result<i32, String> {
    severity_id(text).ok_or_else(|| format!("unknown severity {text:?} (informational, low, medium, high, critical)"))
}

/// The filter naming `subject` in any of a finding's lists. A resource id
/// also matches inside an ARN or ASFF id (`…:instance/i-0abc`, `AWS::IAM::AccessKey:AKIA…`).
fn names_clause(f: &mut Filter, subject: &str) -> String {
    let p = f.bind_text(subject);
    format!(
        "(list_contains(ips, {p}) OR list_contains(access_keys, {p}) OR list_contains(actors, {p}) \
         OR len(list_filter(resource_uids, lambda u: u = {p} OR suffix(u, '/' || {p}) OR suffix(u, ':' || {p}))) > 0)"
    )
}

pub(crate) fn filter(scope: &Scope, c: &FindingCriteria) -> Filter {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    if let Some(id) = c.severity.as_deref().and_then(severity_id) {
        let p = f.bind(Value::Int(id));
        f.push(format!("severity_id >= {p}"));
    }
    if let Some(product) = &c.product {
        let p = f.bind_text(&product.to_ascii_lowercase());
        f.push(format!("starts_with(lower(product), {p})"));
    }
    if let Some(status) = &c.status {
        let p = f.bind_text(status);
        f.push(format!("lower(status) = lower({p})"));
    }
    if let Some(subject) = &c.names {
        let clause = names_clause(&mut f, subject);
        f.push(clause);
    }
    f
}

const ROW_COLUMNS: &str = "finding_uid, time_ms, account, region, product, class_name, finding_type, title, \
     severity, severity_id, status, to_json(resource_uids)::VARCHAR, to_json(resource_types)::VARCHAR, \
     to_json(ips)::VARCHAR, to_json(access_keys)::VARCHAR, to_json(actors)::VARCHAR, records, source_kind, source_file";

fn row(r: &duckdb::Row<'_>) -> duckdb::Result<FindingRow> {
    Ok(FindingRow {
        id: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
        time: ms(r, 1)?,
        account: r.get(2)?,
        region: r.get(3)?,
        product: r.get(4)?,
        class: r.get(5)?,
        finding_type: r.get(6)?,
        title: r.get(7)?,
        severity: r.get(8)?,
        severity_id: r.get(9)?,
        status: r.get(10)?,
        resources: strings(r, 11)?,
        resource_types: strings(r, 12)?,
        ips: strings(r, 13)?,
        access_keys: strings(r, 14)?,
        actors: strings(r, 15)?,
        records: count(r, 16)?,
        source: r.get(17)?,
        file: r.get(18)?,
    })
}

/// Findings of the scope, most severe first, then newest first.
pub fn findings(session: &Session, scope: &Scope, criteria: &FindingCriteria) -> Result<Vec<FindingRow>> {
    let f = filter(scope, criteria);
    let tail = format!("SELECT {ROW_COLUMNS} FROM rec ORDER BY severity_id DESC NULLS LAST, time_ms DESC, finding_uid");
    query(session, RecordKind::Findings, scope, &f, &tail, row)
}

/// Findings that name `subject` (an IP, key, actor ARN or resource id).
pub fn naming(session: &Session, scope: &Scope, subject: &str) -> Result<Vec<FindingRow>> {
    let criteria = FindingCriteria {
        names: Some(subject.to_string()),
        ..FindingCriteria::default()
    };
    findings(session, scope, &criteria)
}

/// One finding by id (its latest record), with that record in full.
pub fn finding(session: &Session, id: &str) -> Result<Option<FindingDetail>> {
    let mut f = Filter::default();
    let p = f.bind_text(id);
    f.push(format!("finding_uid = {p}"));
    let tail = format!("SELECT {ROW_COLUMNS} FROM rec");
    let Some(found) = query(session, RecordKind::Findings, &Scope::default(), &f, &tail, row)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let record = match &found.file {
        Some(file) => original(session, file, id)?,
        None => serde_json::Value::Null,
    };
    Ok(Some(FindingDetail { finding: found, record }))
}

/// The finding's row as the file holds it (every column, as JSON).
fn original(session: &Session, file: &str, id: &str) -> Result<serde_json::Value> {
    let mut f = Filter::default();
    let p = f.bind_text(id);
    let sql = format!(
        "SELECT to_json(t)::VARCHAR FROM read_parquet({}, hive_partitioning = false) AS t \
         WHERE coalesce(TRY_CAST(json_extract_string(to_json(t), '$.finding_info.uid') AS VARCHAR), \
         json_extract_string(to_json(t), '$.finding.uid'), json_extract_string(to_json(t), '$.metadata.uid')) = {p} \
         LIMIT 1",
        super::projection::file_list([std::path::Path::new(file)])
    );
    let rows = session.rows(&sql, &f, |r| r.get::<_, String>(0))?;
    Ok(rows
        .first()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(serde_json::Value::Null))
}

/// The events around a finding: its actors', keys', IPs' and resources'
/// activity from `before_ms` before to `after_ms` after it. One criteria
/// per subject (the event list takes one of each at a time).
pub fn around(finding: &FindingRow, before_ms: i64, after_ms: i64) -> (Scope, Vec<EventCriteria>) {
    let at = finding.time.map(|t| t.0).unwrap_or_default();
    let scope = Scope {
        from_ms: Some(at - before_ms),
        to_ms: Some(at + after_ms),
        ..Scope::default()
    };
    let mut out = Vec::new();
    out.extend(finding.actors.iter().map(|a| EventCriteria {
        actor: Some(a.clone()),
        ..EventCriteria::default()
    }));
    out.extend(finding.access_keys.iter().map(|k| EventCriteria {
        key: Some(k.clone()),
        ..EventCriteria::default()
    }));
    out.extend(finding.ips.iter().map(|ip| EventCriteria {
        ip: Some(ip.clone()),
        ..EventCriteria::default()
    }));
    out.extend(
        finding
            .resources
            .iter()
            .filter(|r| r.starts_with("arn:"))
            .map(|r| EventCriteria {
                resource: Some(r.clone()),
                ..EventCriteria::default()
            }),
    );
    (scope, out)
}
