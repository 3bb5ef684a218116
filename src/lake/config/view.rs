//! Everything the interactive resource view needs, fetched in one request:
//! the items, the candidate events (for any window up to a day) and the
//! relationship tree.

use super::causes::{Candidate, MAX_WINDOW_MS, config_candidates};
use super::graph::GraphNode;
use super::graph::config_walk;
use super::item::{ConfigItem, ResourceKey, config_items, config_resolve, key_row, not_found};
use super::load::config_load;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::Millis;
use crate::lake::scope::{Filter, Scope};
use crate::lake::session::Session;

/// What a resource view is opened on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigTarget {
    /// A resource id, ARN or name.
    Resource(String),
    /// The resources one event touched (the first one Config recorded).
    Event { event_uid: String, scope: Scope },
}

impl ConfigTarget {
    pub fn label(&self) -> String {
        match self {
            ConfigTarget::Resource(id) => id.clone(),
            ConfigTarget::Event { event_uid, .. } => format!("resource of event {event_uid}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceConfig {
    pub key: ResourceKey,
    pub items: Vec<ConfigItem>,
    pub candidates: Vec<Candidate>,
    /// The whole relationship tree (each resource expanded once), as of
    /// `tree_at`: None = every resource's latest item; for a deleted
    /// resource, its last item that had relationships.
    pub tree: Vec<GraphNode>,
    pub tree_at: Option<Millis>,
    /// Other recorded resources the target named (an event touching several).
    pub others: Vec<ResourceKey>,
}

/// Deep enough for any real graph: each resource is expanded once anyway.
const TREE_DEPTH: usize = 64;

pub fn config_view(session: &Session, target: &ConfigTarget) -> Result<ResourceConfig> {
    let (key, others) = match target {
        ConfigTarget::Resource(id) => {
            // The view opens the best match and names the others.
            let mut found = config_resolve(session, id, &Scope::default())?;
            if found.is_empty() {
                return Err(not_found(id));
            }
            let key = found.remove(0);
            (key, found)
        }
        ConfigTarget::Event { event_uid, scope } => {
            let mut found = config_resources_of_event(session, scope, event_uid)?;
            if found.is_empty() {
                return Err(LakeError::InvalidInput {
                    what: "event",
                    detail: format!("event {event_uid} touched no resource that AWS Config recorded"),
                });
            }
            let key = found.remove(0);
            (key, found)
        }
    };
    let items = config_items(session, &key)?;
    let candidates = config_candidates(session, &key, &items, MAX_WINDOW_MS)?;
    // Neighbours as they are now; a deleted resource keeps its last ones.
    let latest_has_edges = items.last().is_some_and(|i| !i.relationships.is_empty());
    let tree_at = match latest_has_edges {
        true => None,
        false => items
            .iter()
            .rev()
            .find(|i| !i.relationships.is_empty())
            .and_then(|i| i.capture),
    };
    let tree = config_walk(session, &key, TREE_DEPTH, tree_at.map(|t| t.0))?;
    Ok(ResourceConfig {
        key,
        items,
        candidates,
        tree,
        tree_at,
        others,
    })
}

/// Recorded resources an event names: in its resources first, then in
/// its request (quoted id), same account.
pub fn config_resources_of_event(session: &Session, scope: &Scope, event_uid: &str) -> Result<Vec<ResourceKey>> {
    config_load(session)?;
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let p = f.bind_text(event_uid);
    f.push(format!("event_uid = {p}"));
    let tail = "SELECT c.account, c.region, c.resource_type, c.resource_id, \
         min(CASE WHEN list_contains(e.resource_uids, c.arn) OR list_contains(e.resource_uids, c.resource_id) \
             THEN 0 ELSE 1 END) AS rank \
         FROM ev e JOIN config_items c ON (list_contains(e.resource_uids, c.arn) \
           OR list_contains(e.resource_uids, c.resource_id) \
           OR contains(coalesce(e.request_json, ''), '\"' || c.resource_id || '\"')) \
          AND (c.account IS NULL OR c.account = e.account OR c.account = e.recipient_account) \
         GROUP BY ALL ORDER BY rank, c.resource_type, c.resource_id";
    session.query(scope, &f, tail, key_row)
}
