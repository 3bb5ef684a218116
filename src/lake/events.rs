//! Single events: a page of the events matching some criteria, one event's
//! original record, and ad-hoc SQL over the scope's events.

use std::path::Path;

use super::criteria::{EventCriteria, Page};
use super::error::{LakeError, Result};
use super::model::{EventRow, Millis};
use super::plan::Reader;
use super::projection::{MAX_JSON_OBJECT, file_list, ocsf_event_uid};
use super::scope::{Filter, Scope};
use super::session::Session;

fn ms(row: &duckdb::Row<'_>, i: usize) -> duckdb::Result<Option<Millis>> {
    Ok(row.get::<_, Option<i64>>(i)?.map(Millis))
}

/// Events matching all given criteria, oldest first.
pub fn events(session: &Session, scope: &Scope, criteria: &EventCriteria, page: Page) -> Result<Vec<EventRow>> {
    let mut f = criteria.filter(scope, &session.source_kinds()?);
    let limit = f.bind(duckdb::types::Value::BigInt(page.limit.min(i64::MAX as u64) as i64));
    let offset = f.bind(duckdb::types::Value::BigInt(page.offset.min(i64::MAX as u64) as i64));
    let tail = format!("SELECT {EVENT_COLUMNS} FROM ev ORDER BY time_ms, event_uid LIMIT {limit} OFFSET {offset}");
    session.query(scope, &f, &tail, event_row)
}

/// The columns [`event_row`] reads, in order.
const EVENT_COLUMNS: &str = "time_ms, account, region, actor_key, actor_type, access_key_id, \
     coalesce(src_ip, src_domain), service, operation, error_code, event_uid, source_kind, source_file";

fn event_row(r: &duckdb::Row<'_>) -> duckdb::Result<EventRow> {
    Ok(EventRow {
        time: ms(r, 0)?,
        account: r.get(1)?,
        region: r.get(2)?,
        actor: r.get(3)?,
        actor_type: r.get(4)?,
        access_key: r.get(5)?,
        source_ip: r.get(6)?,
        service: r.get(7)?,
        operation: r.get(8)?,
        error_code: r.get(9)?,
        event_id: r.get(10)?,
        source: r.get(11)?,
        file: r.get(12)?,
    })
}

/// The events with these ids, anywhere in the lake, oldest first (ids are
/// bound, never spliced).
pub fn events_by_id(session: &Session, ids: &[String]) -> Result<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut f = Filter::default();
    let list = f.bind_list(ids);
    f.push(format!("event_uid IN ({list})"));
    let tail = format!("SELECT {EVENT_COLUMNS} FROM ev ORDER BY time_ms, event_uid");
    session.query(&Scope::default(), &f, &tail, event_row)
}

/// How often and from when to when the events matching `criteria` were
/// seen in `scope`: (events, first, last).
pub fn sightings(
    session: &Session,
    scope: &Scope,
    criteria: &EventCriteria,
) -> Result<(u64, Option<Millis>, Option<Millis>)> {
    let f = criteria.filter(scope, &session.source_kinds()?);
    let rows = session.query(scope, &f, "SELECT count(*), min(time_ms), max(time_ms) FROM ev", |r| {
        Ok((r.get::<_, i64>(0)?, ms(r, 1)?, ms(r, 2)?))
    })?;
    let (n, first, last) = rows.into_iter().next().unwrap_or((0, None, None));
    Ok((n.max(0) as u64, first, last))
}

/// Ad-hoc SQL over `ev`, the scope's de-duplicated events (flat columns
/// plus `actor_key`). One JSON object per result row.
pub fn sql(session: &Session, scope: &Scope, sql: &str) -> Result<Vec<serde_json::Value>> {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let sql = sql.trim().trim_end_matches(';');
    let tail = format!("SELECT to_json(q)::VARCHAR FROM ({sql}) AS q");
    let rows = session.query(scope, &f, &tail, |r| r.get::<_, String>(0))?;
    Ok(rows
        .into_iter()
        .map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        .collect())
}

/// The original record of one event: the raw CloudTrail JSON, or the
/// whole OCSF row as JSON. `source_file` comes from an event row (our
/// own catalog); the event id is bound.
pub fn event_detail(session: &Session, source_file: &str, event_uid: &str) -> Result<Option<serde_json::Value>> {
    let group = {
        let plan = session.lake().plan()?;
        plan.groups
            .iter()
            .find(|g| g.files.iter().any(|f| f.path.as_os_str() == source_file))
            .cloned()
    };
    let Some(group) = group else {
        return Err(LakeError::InvalidInput {
            what: "source file",
            detail: format!("{source_file} is not a readable file of this lake"),
        });
    };
    let list = file_list([Path::new(source_file)]);
    let sql = match &group.reader {
        Reader::Ocsf { schema, hive, .. } => {
            let hive = if *hive {
                "hive_partitioning = true, hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}"
            } else {
                "hive_partitioning = false"
            };
            format!(
                "SELECT to_json(t)::VARCHAR FROM read_parquet({list}, {hive}) AS t WHERE {} = $1 LIMIT 1",
                ocsf_event_uid(schema)
            )
        }
        Reader::RawJson { .. } => format!(
            "SELECT r::VARCHAR FROM (SELECT unnest(Records) AS r FROM read_json({list}, \
             columns = {{'Records': 'JSON[]'}}, maximum_object_size = {}, hive_partitioning = false)) \
             WHERE r->>'eventID' = $1 LIMIT 1",
            MAX_JSON_OBJECT
        ),
        Reader::RawNdjson => format!(
            "SELECT json::VARCHAR FROM read_json_objects({list}, format = 'auto', maximum_object_size = {}, \
             hive_partitioning = false) WHERE json->>'eventID' = $1 LIMIT 1",
            MAX_JSON_OBJECT
        ),
    };
    let mut f = Filter::default();
    f.bind_text(event_uid);
    let rows = session.rows(&sql, &f, |r| r.get::<_, String>(0))?;
    Ok(rows
        .into_iter()
        .next()
        .map(|text| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))))
}
