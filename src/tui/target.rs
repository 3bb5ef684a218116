//! Where a row leads: the entity a pivot opens, the events or timeline of
//! some criteria, a resource's AWS Config view.

use crate::lake::config::ConfigTarget;
use crate::lake::findings::FindingCriteria;
use crate::lake::network::FlowCriteria;
use crate::lake::{EventCriteria, LaneBy, Millis};

/// "actor=… operation=… errors only" for titles.
pub fn describe(criteria: &EventCriteria) -> String {
    let mut parts = Vec::new();
    for (name, value) in criteria.named() {
        if let Some(v) = value {
            parts.push(format!("{name}={v}"));
        }
    }
    if criteria.errors_only {
        parts.push("errors only".into());
    }
    if parts.is_empty() {
        "all events".into()
    } else {
        parts.join(" ")
    }
}

/// An entity with its own report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Actor(String),
    Ip(String),
    Key(String),
    Resource(String),
}

impl Subject {
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Actor(_) => "actor",
            Subject::Ip(_) => "ip",
            Subject::Key(_) => "key",
            Subject::Resource(_) => "resource",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Subject::Actor(s) | Subject::Ip(s) | Subject::Key(s) | Subject::Resource(s) => s,
        }
    }

    /// The events of this entity.
    pub fn events(&self) -> EventCriteria {
        let mut f = EventCriteria::default();
        let id = Some(self.id().to_string());
        match self {
            Subject::Actor(_) => f.actor = id,
            Subject::Ip(_) => f.ip = id,
            Subject::Key(_) => f.key = id,
            Subject::Resource(_) => f.resource = id,
        }
        f
    }
}

/// A place to go, as data: screens name where their rows lead without
/// knowing the screen that shows it (`screens::open` builds that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The entity's report (an actor's dossier, an IP, a key, a resource).
    Open(Subject),
    Events(EventCriteria),
    /// The timeline of these events, with lanes.
    Timeline(EventCriteria, Option<LaneBy>),
    /// A resource's AWS Config view, with the resources walked through to it.
    Config(ConfigTarget, Vec<String>),
    Actors,
    /// The findings list.
    Findings(FindingCriteria),
    /// The Hunts page (built-in and the user's hunts).
    Hunts,
    /// One finding: what it names, the events around it, its record.
    Finding(String),
    /// A hostname: what it resolved to and who asked.
    Name(String),
    /// Conversations of an IP, instance or interface.
    Flows(FlowCriteria),
    /// A JSON document (title, text) in the inspector: kept as text so
    /// that targets stay comparable.
    Record(String, String),
}

/// "ip=… instance=… port=…" for titles.
pub fn describe_flows(criteria: &FlowCriteria) -> String {
    let port = criteria.port.map(|p| p.to_string());
    let parts: Vec<String> = [
        ("ip", &criteria.ip),
        ("instance", &criteria.instance),
        ("eni", &criteria.eni),
        ("port", &port),
        ("action", &criteria.action),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
    .collect();
    if parts.is_empty() {
        "(all in scope)".into()
    } else {
        parts.join(" ")
    }
}

/// The flows of the instance (`i-…`) or interface (`eni-…`) a resource id
/// or ARN names: the only resources VPC flow logs know.
pub fn flows_of_resource(id: &str) -> Option<FlowCriteria> {
    let last = id.rsplit(['/', ':']).next().unwrap_or(id);
    let mut criteria = FlowCriteria::default();
    if last.starts_with("i-") {
        criteria.instance = Some(last.to_string());
    } else if last.starts_with("eni-") {
        criteria.eni = Some(last.to_string());
    } else {
        return None;
    }
    Some(criteria)
}

/// Short UTC time for tables: `2024-05-04 10:00:00`.
pub fn short_time(t: Option<Millis>) -> String {
    match t {
        Some(ms) => ms.to_string().replacen('T', " ", 1).trim_end_matches('Z').to_string(),
        None => "-".into(),
    }
}

/// An event row as a case mark.
pub fn event_markable(e: &crate::lake::EventRow) -> Option<crate::case::Markable> {
    let id = e.event_id.as_deref()?;
    Some(crate::case::Markable::event(
        id,
        e.time.map(|t| t.0),
        &e.actor,
        crate::case::event_summary(e),
    ))
}

pub use crate::text::shell_quote as quote;

/// Event criteria as `lakescope events` flags (leading space each).
pub fn criteria_args(c: &EventCriteria) -> String {
    let mut out = String::new();
    for (name, value) in c.named() {
        if let Some(v) = value {
            out.push_str(&format!(" --{name} {}", quote(v)));
        }
    }
    if c.errors_only {
        out.push_str(" --errors");
    }
    out
}
