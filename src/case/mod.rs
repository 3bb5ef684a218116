//! The case: what a responder marked in a lake (events, actors, IPs, access
//! keys, resources, findings, hunts), each with an optional tag, notes and
//! the questions that led to it, replayable as `lakescope` commands.
//! Cases live in the platform data dir keyed by the lake, never in the lake
//! ([`store`]); [`export`] writes them out for others to check.

pub mod export;
pub mod report;
pub mod store;

use serde::{Deserialize, Serialize};

/// What a mark points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    Event,
    Actor,
    Ip,
    Key,
    Resource,
    /// A hostname asked in DNS.
    Name,
    Finding,
    Hunt,
}

impl MarkKind {
    pub fn label(self) -> &'static str {
        match self {
            MarkKind::Event => "event",
            MarkKind::Actor => "actor",
            MarkKind::Ip => "ip",
            MarkKind::Key => "key",
            MarkKind::Resource => "resource",
            MarkKind::Name => "name",
            MarkKind::Finding => "finding",
            MarkKind::Hunt => "hunt",
        }
    }
}

/// A row of a screen that can be marked: what it is and, for events and
/// findings, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markable {
    pub kind: MarkKind,
    pub value: String,
    pub time_ms: Option<i64>,
    pub summary: Option<String>,
    pub actor: Option<String>,
}

impl Markable {
    pub fn new(kind: MarkKind, value: &str) -> Markable {
        Markable {
            kind,
            value: value.to_string(),
            time_ms: None,
            summary: None,
            actor: None,
        }
    }

    /// An event row: its id, time, actor and what it did.
    pub fn event(id: &str, time_ms: Option<i64>, actor: &str, what: String) -> Markable {
        Markable {
            time_ms,
            summary: Some(what),
            actor: Some(actor.to_string()),
            ..Markable::new(MarkKind::Event, id)
        }
    }
}

/// One question on the way to a mark: a page's title and the command that
/// asks it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub title: String,
    pub command: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub kind: MarkKind,
    /// The event id, ARN, IP, key id, resource id, finding id or hunt id.
    pub value: String,
    /// When it happened (events, findings), in ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<i64>,
    /// One line saying what it is ("PutBucketPolicy by … from …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// An event's actor: with its time, how the workbench finds it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// When the responder marked it (RFC 3339, UTC).
    pub marked_at: String,
    /// How it was reached, first question first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    /// The lake's folder when the case was made.
    pub lake: String,
    pub created_at: String,
    pub marks: Vec<Mark>,
}

impl Case {
    pub fn new(name: &str, lake: &str) -> Case {
        Case {
            name: name.to_string(),
            lake: lake.to_string(),
            created_at: now(),
            marks: Vec::new(),
        }
    }

    /// Add a mark, or merge into the mark of the same thing: a new tag
    /// replaces the old, notes add up, the first path is kept.
    pub fn mark(&mut self, mark: Mark) {
        match self
            .marks
            .iter_mut()
            .find(|m| m.kind == mark.kind && m.value == mark.value)
        {
            Some(old) => {
                if mark.tag.is_some() {
                    old.tag = mark.tag;
                }
                old.notes.extend(mark.notes);
                old.time_ms = old.time_ms.or(mark.time_ms);
                old.summary = old.summary.take().or(mark.summary);
                old.actor = old.actor.take().or(mark.actor);
            }
            None => self.marks.push(mark),
        }
    }

    pub fn is_marked(&self, kind: MarkKind, value: &str) -> bool {
        self.find(kind, value).is_some()
    }

    pub fn find(&self, kind: MarkKind, value: &str) -> Option<&Mark> {
        self.marks.iter().find(|m| m.kind == kind && m.value == value)
    }

    /// Marks in time order: dated ones by when they happened, then the
    /// others by when they were marked.
    pub fn in_time_order(&self) -> Vec<&Mark> {
        let mut marks: Vec<&Mark> = self.marks.iter().collect();
        marks.sort_by(|a, b| {
            (a.time_ms.is_none(), a.time_ms, &a.marked_at).cmp(&(b.time_ms.is_none(), b.time_ms, &b.marked_at))
        });
        marks
    }
}

/// "PutBucketPolicy by ARN from IP (AccessDenied)".
pub fn event_summary(e: &crate::lake::EventRow) -> String {
    format!(
        "{} by {} from {}{}",
        e.operation.as_deref().unwrap_or("?"),
        e.actor,
        e.source_ip.as_deref().unwrap_or("?"),
        e.error_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
    )
}

/// Now, RFC 3339 in UTC to the second.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(kind: MarkKind, value: &str, time_ms: Option<i64>) -> Mark {
        Mark {
            kind,
            value: value.into(),
            time_ms,
            summary: None,
            actor: None,
            tag: None,
            notes: Vec::new(),
            marked_at: "2026-01-01T00:00:00Z".into(),
            path: Vec::new(),
        }
    }

    #[test]
    fn marking_twice_merges_tag_and_notes_and_time_order_puts_dated_first() {
        let mut case = Case::new("c", "/lake");
        case.mark(mark(MarkKind::Ip, "192.0.2.1", None));
        case.mark(mark(MarkKind::Event, "e2", Some(20)));
        case.mark(mark(MarkKind::Event, "e1", Some(10)));
        let mut again = mark(MarkKind::Event, "e2", None);
        again.tag = Some("ioc".into());
        again.notes = vec!["seen twice".into()];
        case.mark(again);
        assert_eq!(case.marks.len(), 3);
        let e2 = case.find(MarkKind::Event, "e2").unwrap();
        assert_eq!(
            (e2.tag.as_deref(), e2.notes.len(), e2.time_ms),
            (Some("ioc"), 1, Some(20))
        );
        let order: Vec<&str> = case.in_time_order().iter().map(|m| m.value.as_str()).collect();
        assert_eq!(order, ["e1", "e2", "192.0.2.1"]);
    }
}
