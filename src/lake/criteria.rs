//! Which events a question is about: the criteria shared by the event list,
//! timelines and the workbench, turned into a SQL filter with bound values.

use serde::{Deserialize, Serialize};

use super::scope::{Filter, Scope};

/// Events matching every criterion given (none: every event of the scope).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventCriteria {
    /// Actor key or ARN; a role includes every session issued from it.
    pub actor: Option<String>,
    /// Source IP or service host name.
    pub ip: Option<String>,
    pub key: Option<String>,
    /// Resource id, ARN or name, in `resources[]` or the request.
    pub resource: Option<String>,
    /// API operation, any case.
    pub operation: Option<String>,
    /// Source kind, ignoring case, spaces and underscores, by prefix:
    /// `cloudtrail` matches raw CloudTrail and CLOUD_TRAIL_MGMT 1.0/2.0.
    pub source: Option<String>,
    pub errors_only: bool,
}

/// One page of a long answer: at most `limit` rows after the first `offset`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
}

impl EventCriteria {
    /// The text criteria by their command-line names (`--actor`, `--ip`…).
    pub fn named(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("actor", &self.actor),
            ("ip", &self.ip),
            ("key", &self.key),
            ("resource", &self.resource),
            ("operation", &self.operation),
            ("source", &self.source),
        ]
    }

    /// The scope and these criteria as a filter; `kinds` are the lake's
    /// source kinds (see [`Session::source_kinds`](super::session::Session::source_kinds)).
    pub(crate) fn filter(&self, scope: &Scope, kinds: &[String]) -> Filter {
        let mut f = match &self.resource {
            Some(id) => resource_filter(scope, id),
            None => scope_filter(scope),
        };
        if let Some(actor) = &self.actor {
            let p = f.bind_text(actor);
            f.push_any(vec![format!("actor_key = {p}"), format!("session_issuer = {p}")]);
        }
        if let Some(ip) = &self.ip {
            let p = f.bind_text(ip);
            f.push_any(vec![format!("src_ip = {p}"), format!("src_domain = {p}")]);
        }
        if let Some(key) = &self.key {
            let p = f.bind_text(key);
            f.push(format!("access_key_id = {p}"));
        }
        if let Some(op) = &self.operation {
            let p = f.bind_text(op);
            f.push(format!("lower(operation) = lower({p})"));
        }
        if let Some(source) = &self.source {
            // Matched here against the lake's few source kinds, not per row:
            // an IN list is pushed into the scan, a regexp is run 10M times.
            let squash = |s: &str| -> String {
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect()
            };
            let wanted = squash(source);
            let matching: Vec<String> = kinds
                .iter()
                .filter(|k| squash(k).starts_with(&wanted))
                .cloned()
                .collect();
            if matching.is_empty() {
                f.push("false".into());
            } else {
                let list = f.bind_list(&matching);
                f.push(format!("source_kind IN ({list})"));
            }
        }
        if self.errors_only {
            f.push("error_code IS NOT NULL".into());
        }
        f
    }
}

/// The scope's own conditions.
pub(crate) fn scope_filter(scope: &Scope) -> Filter {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    f
}

/// Resource match: listed in `resources[]`, or named in the request.
pub(crate) fn resource_filter(scope: &Scope, id: &str) -> Filter {
    let mut f = scope_filter(scope);
    let exact = f.bind_text(id);
    let quoted = f.bind_text(&format!("\"{id}\""));
    let mut clause = format!("list_contains(resource_uids, {exact}) OR contains(coalesce(request_json, ''), {quoted})");
    // An ARN's trailing name (bucket, role, instance) as a quoted JSON value.
    if id.starts_with("arn:")
        && let Some(name) = id.rsplit([':', '/']).next()
        && !name.is_empty()
        && name != id
    {
        let p = f.bind_text(&format!("\"{name}\""));
        clause.push_str(&format!(" OR contains(coalesce(request_json, ''), {p})"));
    }
    f.push(clause);
    f
}
