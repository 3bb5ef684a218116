//! A case written out for others to check: Timesketch JSONL (one line per
//! marked event), CSV (one row per mark) and a Markdown report whose every
//! marked event names the lake file it came from, that file's SHA-256 and
//! the original record.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::store::CaseError;
use super::{Case, Mark, MarkKind};
use crate::lake::Session;
use crate::lake::events::{event_detail, events_by_id, sightings};
use crate::lake::network::{DnsCriteria, dns};
use crate::lake::{EventCriteria, Lake, Page, Scope};
use crate::lake::{EventRow, Millis};
use crate::sync::manifest::Manifest;

/// A marked event with its evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MarkedEvent {
    pub mark: Mark,
    pub event: EventRow,
    /// The lake file, relative to the lake's folder.
    pub file: String,
    pub sha256: String,
    /// The hash the sync manifest recorded when the file was fetched.
    pub manifest_sha256: Option<String>,
    pub record: Value,
}

/// An IP, key, actor or resource of the case, and when the lake saw it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Indicator {
    pub kind: MarkKind,
    pub value: String,
    pub events: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub tag: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseExport {
    pub case: Case,
    pub events: Vec<MarkedEvent>,
    /// Marked event ids the lake no longer holds.
    pub missing: Vec<String>,
    pub indicators: Vec<Indicator>,
}

/// Read from the lake what the case's marks stand for.
pub fn gather(case: &Case, lake: &Lake, session: &Session) -> Result<CaseExport, CaseError> {
    let root = lake.root().canonicalize().map_err(|source| CaseError::Io {
        path: lake.root().to_path_buf(),
        source,
    })?;
    let manifest = Manifest::load(&root).ok();
    let ids: Vec<String> = marks_of(case, MarkKind::Event).map(|m| m.value.clone()).collect();
    let rows = events_by_id(session, &ids)?;
    let mut events = Vec::new();
    for mark in marks_of(case, MarkKind::Event) {
        let Some(event) = rows.iter().find(|r| r.event_id.as_deref() == Some(&mark.value)) else {
            continue;
        };
        let Some(path) = event.file.clone() else { continue };
        let record = event_detail(session, &path, &mark.value)?.unwrap_or(Value::Null);
        let relative = Path::new(&path)
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| path.clone());
        events.push(MarkedEvent {
            mark: mark.clone(),
            event: event.clone(),
            sha256: file_sha256(Path::new(&path))?,
            manifest_sha256: manifest
                .as_ref()
                .and_then(|m| m.get(&relative))
                .map(|e| e.sha256.clone()),
            file: relative,
            record,
        });
    }
    let missing = ids
        .iter()
        .filter(|id| !events.iter().any(|e| &e.mark.value == *id))
        .cloned()
        .collect();
    events.sort_by_key(|e| (e.event.time, e.mark.value.clone()));
    let indicators = indicators(case, &events, session)?;
    Ok(CaseExport {
        case: case.clone(),
        events,
        missing,
        indicators,
    })
}

fn marks_of(case: &Case, kind: MarkKind) -> impl Iterator<Item = &Mark> {
    case.marks.iter().filter(move |m| m.kind == kind)
}

/// The marked actors, IPs, keys and resources, and those of the marked
/// events, each with the events that name it anywhere in the lake.
fn indicators(case: &Case, events: &[MarkedEvent], session: &Session) -> Result<Vec<Indicator>, CaseError> {
    let mut wanted: Vec<(MarkKind, String)> = Vec::new();
    let mut add = |kind, value: &str| {
        if !value.is_empty() && !wanted.iter().any(|(k, v)| *k == kind && v == value) {
            wanted.push((kind, value.to_string()));
        }
    };
    for m in &case.marks {
        if !matches!(m.kind, MarkKind::Event | MarkKind::Finding | MarkKind::Hunt) {
            add(m.kind, &m.value);
        }
    }
    for e in events {
        add(MarkKind::Actor, &e.event.actor);
        add(MarkKind::Ip, e.event.source_ip.as_deref().unwrap_or_default());
        add(MarkKind::Key, e.event.access_key.as_deref().unwrap_or_default());
    }
    let mut out = Vec::new();
    for (kind, value) in wanted {
        let (n, first, last) = match kind {
            MarkKind::Name => name_sightings(session, &value)?,
            _ => event_sightings(session, kind, &value)?,
        };
        out.push(Indicator {
            tag: case.find(kind, &value).and_then(|m| m.tag.clone()),
            kind,
            value,
            events: n,
            first,
            last,
        });
    }
    out.sort_by(|a, b| (a.kind, &a.value).cmp(&(b.kind, &b.value)));
    Ok(out)
}

type Sightings = (u64, Option<Millis>, Option<Millis>);

/// The API calls naming an actor, IP, key or resource.
fn event_sightings(session: &Session, kind: MarkKind, value: &str) -> Result<Sightings, CaseError> {
    let mut criteria = EventCriteria::default();
    let slot = match kind {
        MarkKind::Actor => &mut criteria.actor,
        MarkKind::Ip => &mut criteria.ip,
        MarkKind::Key => &mut criteria.key,
        _ => &mut criteria.resource,
    };
    *slot = Some(value.to_string());
    Ok(sightings(session, &Scope::default(), &criteria)?)
}

/// The DNS queries of a hostname.
fn name_sightings(session: &Session, name: &str) -> Result<Sightings, CaseError> {
    let criteria = DnsCriteria {
        name: Some(name.to_string()),
        ..DnsCriteria::default()
    };
    let rows = dns(
        session,
        &Scope::default(),
        &criteria,
        Page {
            limit: 10_000,
            offset: 0,
        },
    )?;
    let n = rows.iter().map(|r| r.queries).sum();
    let first = rows.iter().filter_map(|r| r.first_seen).min();
    let last = rows.iter().filter_map(|r| r.last_seen).max();
    Ok((n, first, last))
}

fn file_sha256(path: &Path) -> Result<String, CaseError> {
    let io = |source| CaseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Ok(format!("{:x}", hash.finalize()))
}

/// `2024-05-05T02:13:07.000Z`.
pub fn iso(time: Option<Millis>) -> String {
    time.and_then(|t| chrono::DateTime::from_timestamp_millis(t.0))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Timesketch's JSONL import: `message`, `datetime` (ISO 8601) and
/// `timestamp_desc` on every line, `timestamp` in microseconds, then the
/// event's fields.
pub fn timesketch(export: &CaseExport, out: &mut dyn Write) -> std::io::Result<()> {
    for e in &export.events {
        let ev = &e.event;
        let message = super::event_summary(ev);
        let line = json!({
            "message": message,
            "datetime": iso(ev.time),
            "timestamp": ev.time.map(|t| t.0 * 1000),
            "timestamp_desc": "Event Time",
            "event_id": ev.event_id,
            "operation": ev.operation,
            "service": ev.service,
            "actor": ev.actor,
            "actor_type": ev.actor_type,
            "access_key": ev.access_key,
            "source_ip": ev.source_ip,
            "account": ev.account,
            "region": ev.region,
            "error_code": ev.error_code,
            "source": ev.source,
            "lake_file": e.file,
            "file_sha256": e.sha256,
            // Timesketch keeps its own `tag` list: ours must not collide.
            "case_tag": e.mark.tag,
            "case_notes": e.mark.notes.join("\n"),
        });
        crate::safe_json::compact(&line, out)?;
        writeln!(out)?;
    }
    Ok(())
}

/// One row per mark, in time order, with the event's fields when it is one.
pub fn csv(export: &CaseExport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "value",
        "time",
        "tag",
        "notes",
        "operation",
        "actor",
        "source_ip",
        "account",
        "region",
        "lake_file",
        "file_sha256",
    ])?;
    for mark in export.case.in_time_order() {
        let ev = export
            .events
            .iter()
            .find(|e| e.mark.kind == mark.kind && e.mark.value == mark.value);
        let time = ev.and_then(|e| e.event.time).or(mark.time_ms.map(Millis));
        let field = |get: fn(&MarkedEvent) -> Option<String>| ev.and_then(get).unwrap_or_default();
        w.write_record([
            mark.kind.label().to_string(),
            mark.value.clone(),
            iso(time),
            mark.tag.clone().unwrap_or_default(),
            mark.notes.join("\n"),
            field(|e| e.event.operation.clone()),
            field(|e| Some(e.event.actor.clone())),
            field(|e| e.event.source_ip.clone()),
            field(|e| e.event.account.clone()),
            field(|e| e.event.region.clone()),
            field(|e| Some(e.file.clone())),
            field(|e| Some(e.sha256.clone())),
        ])?;
    }
    w.flush()
}
