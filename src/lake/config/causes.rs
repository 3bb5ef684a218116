//! Linking configuration changes to the CloudTrail events that most likely
//! caused them (`docs/formats.md#linking-a-change-to-its-cloudtrail-events`).
//! There is no foreign key: an event matches when it names the resource (ARN
//! or id in its resources, id, ARN or name quoted in its request or response)
//! in the item's account, within a window before the capture.

use serde::Serialize;

use super::item::{ConfigItem, ResourceKey};
use crate::lake::error::Result;
use crate::lake::model::Millis;
use crate::lake::scope::{Filter, Scope};
use crate::lake::session::Session;

/// How far before a capture an event may have caused it.
pub const DEFAULT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Config's capture time can trail the event, rarely lead it.
const AFTER_MS: i64 = 60 * 1000;

/// Calls that read and never change a resource.
pub fn is_read_only(operation: &str) -> bool {
    [
        "Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "Select",
    ]
    .iter()
    .any(|p| operation.starts_with(p))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseEvent {
    pub time: Option<Millis>,
    pub operation: Option<String>,
    pub actor: String,
    pub actor_type: Option<String>,
    pub access_key: Option<String>,
    pub source_ip: Option<String>,
    pub error_code: Option<String>,
    pub event_id: Option<String>,
    /// How the event names the resource: `resources`, `request` or `response`.
    pub matched: String,
    /// A successful, changing call after the previous capture: a likely cause.
    pub likely: bool,
    pub source_file: Option<String>,
}

/// The events in the window before one item's capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeCauses {
    /// Index of the item in the resource's timeline.
    pub item: usize,
    pub capture: Option<Millis>,
    pub status: Option<String>,
    pub events: Vec<CauseEvent>,
}

impl ChangeCauses {
    pub fn likely(&self) -> impl Iterator<Item = &CauseEvent> {
        self.events.iter().filter(|e| e.likely)
    }
}

/// An event that names the resource, before it is put under a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    time_ms: i64,
    rank: i64,
    event: CauseEvent,
}

/// The widest window [`Session::config_candidates`] is asked for by views
/// that let the user widen it without querying again.
pub const MAX_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// For every item of a resource (oldest first), the events that touched
/// it in `[capture - window, capture + 1 min]`, most likely first.
pub fn config_causes(
    session: &Session,
    key: &ResourceKey,
    items: &[ConfigItem],
    window_ms: i64,
) -> Result<Vec<ChangeCauses>> {
    let found = config_candidates(session, key, items, window_ms)?;
    Ok(assign_causes(items, &found, window_ms))
}

/// Every event naming the resource within `window_ms` before one of its
/// captures (to be put under changes with [`assign_causes`]).
pub fn config_candidates(
    session: &Session,
    key: &ResourceKey,
    items: &[ConfigItem],
    window_ms: i64,
) -> Result<Vec<Candidate>> {
    let times: Vec<i64> = items.iter().filter_map(|i| i.capture.map(|c| c.0)).collect();
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return Ok(Vec::new());
    };
    let window_ms = window_ms.max(0);
    let scope = Scope {
        accounts: key.account.iter().cloned().collect(),
        regions: Vec::new(),
        from_ms: Some(first - window_ms),
        to_ms: Some(last + AFTER_MS + 1),
    };
    let mut f = Filter::default();
    scope.restrict(&mut f);
    // Identifiers of the resource over its whole history.
    let mut names: Vec<String> = vec![key.resource_id.clone()];
    for item in items {
        names.extend(item.arn.iter().cloned());
        names.extend(item.resource_name.iter().cloned());
    }
    names.sort();
    names.dedup();
    names.retain(|n| !n.is_empty());
    let mut uid_tests = Vec::new();
    let mut req_tests = Vec::new();
    let mut resp_tests = Vec::new();
    for name in &names {
        let exact = f.bind_text(name);
        let quoted = f.bind_text(&format!("\"{name}\""));
        uid_tests.push(format!("list_contains(resource_uids, {exact})"));
        req_tests.push(format!("contains(coalesce(request_json, ''), {quoted})"));
        resp_tests.push(format!("contains(coalesce(response_json, ''), {quoted})"));
    }
    let (uids, req, resp) = (uid_tests.join(" OR "), req_tests.join(" OR "), resp_tests.join(" OR "));
    f.push(format!("{uids} OR {req} OR {resp}"));
    if let Some(account) = &key.account {
        let p = f.bind_text(account);
        f.push(format!("account = {p} OR recipient_account = {p}"));
    }
    let tail = format!(
        "SELECT time_ms, operation, actor_key, actor_type, access_key_id, coalesce(src_ip, src_domain), \
         error_code, event_uid, source_file, CASE WHEN {uids} THEN 3 WHEN {req} THEN 2 ELSE 1 END \
         FROM ev ORDER BY time_ms, event_uid"
    );
    session.query(&scope, &f, &tail, |r| {
        let rank: i64 = r.get(9)?;
        Ok(Candidate {
            time_ms: r.get::<_, Option<i64>>(0)?.unwrap_or(i64::MIN),
            rank,
            event: CauseEvent {
                time: r.get::<_, Option<i64>>(0)?.map(Millis),
                operation: r.get(1)?,
                actor: r.get(2)?,
                actor_type: r.get(3)?,
                access_key: r.get(4)?,
                source_ip: r.get(5)?,
                error_code: r.get(6)?,
                event_id: r.get(7)?,
                matched: match rank {
                    3 => "resources",
                    2 => "request",
                    _ => "response",
                }
                .into(),
                likely: false,
                source_file: r.get(8)?,
            },
        })
    })
}

/// Put each candidate under every item whose window holds it; mark the
/// likely causes: successful changing calls after the previous capture.
pub fn assign_causes(items: &[ConfigItem], found: &[Candidate], window_ms: i64) -> Vec<ChangeCauses> {
    let mut out = Vec::new();
    let mut previous: Option<i64> = None;
    for (index, item) in items.iter().enumerate() {
        let Some(capture) = item.capture.map(|c| c.0) else {
            out.push(ChangeCauses {
                item: index,
                capture: None,
                status: item.status.clone(),
                events: Vec::new(),
            });
            continue;
        };
        let mut events: Vec<(bool, i64, i64, CauseEvent)> = found
            .iter()
            .filter(|c| c.time_ms >= capture - window_ms && c.time_ms <= capture + AFTER_MS)
            .map(|c| {
                let changing =
                    c.event.error_code.is_none() && c.event.operation.as_deref().is_some_and(|op| !is_read_only(op));
                let after_previous = previous.is_none_or(|p| c.time_ms > p);
                let likely = changing && after_previous;
                (
                    likely,
                    c.rank,
                    c.time_ms,
                    CauseEvent {
                        likely,
                        ..c.event.clone()
                    },
                )
            })
            .collect();
        // Likely first, then the strongest match, then the closest in time.
        events.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then((capture - a.2).abs().cmp(&(capture - b.2).abs()))
        });
        out.push(ChangeCauses {
            item: index,
            capture: item.capture,
            status: item.status.clone(),
            events: events.into_iter().map(|e| e.3).collect(),
        });
        previous = Some(capture);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_calls_are_not_causes() {
        assert!(is_read_only("GetBucketPolicy"));
        assert!(is_read_only("DescribeSecurityGroups"));
        assert!(!is_read_only("PutBucketPolicy"));
        assert!(!is_read_only("AuthorizeSecurityGroupIngress"));
    }
}
