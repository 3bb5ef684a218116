//! Where a row leads: the entity a pivot opens.

use crate::lake::worker::Request;
use crate::lake::{EventCriteria, Millis, Scope};

/// Criteria for an events view (as [`EventCriteria`], without a source).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub actor: Option<String>,
    pub ip: Option<String>,
    pub key: Option<String>,
    pub resource: Option<String>,
    pub operation: Option<String>,
    pub errors_only: bool,
}

impl EventFilter {
    pub fn criteria(&self) -> EventCriteria {
        EventCriteria {
            actor: self.actor.clone(),
            ip: self.ip.clone(),
            key: self.key.clone(),
            resource: self.resource.clone(),
            operation: self.operation.clone(),
            source: None,
            errors_only: self.errors_only,
        }
    }

    /// "actor=… operation=… errors" for titles.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, value) in [
            ("actor", &self.actor),
            ("ip", &self.ip),
            ("key", &self.key),
            ("resource", &self.resource),
            ("operation", &self.operation),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name}={v}"));
            }
        }
        if self.errors_only {
            parts.push("errors only".into());
        }
        if parts.is_empty() {
            "all events".into()
        } else {
            parts.join(" ")
        }
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
    pub fn request(&self, scope: &Scope) -> Request {
        let scope = scope.clone();
        match self {
            Subject::Actor(arn) => Request::Actor {
                scope,
                arn: arn.clone(),
            },
            Subject::Ip(ip) => Request::Ip { scope, ip: ip.clone() },
            Subject::Key(key) => Request::Key {
                scope,
                key: key.clone(),
            },
            Subject::Resource(id) => Request::Resource { scope, id: id.clone() },
        }
    }

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
    pub fn events(&self) -> EventFilter {
        let mut f = EventFilter::default();
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Open(Subject),
    Events(EventFilter),
}

/// Short UTC time for tables: `2024-05-04 10:00:00`.
pub fn short_time(t: Option<Millis>) -> String {
    match t {
        Some(ms) => ms.to_string().replacen('T', " ", 1).trim_end_matches('Z').to_string(),
        None => "-".into(),
    }
}
