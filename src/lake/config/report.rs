//! Everything the headless `config` command and the resource view show
//! about one resource, in one serialisable report.

use serde::Serialize;
use serde_json::Value;

use super::causes::{ChangeCauses, DEFAULT_WINDOW_MS, config_causes};
use super::diff::{DiffKind, diff_items};
use super::graph::{GraphNode, config_incoming, config_walk, group_relationships};
use super::item::{ConfigItem, Relationship, ResourceKey, config_items, config_resource, item_at};
use crate::lake::error::Result;
use crate::lake::model::Millis;
use crate::lake::scope::Scope;
use crate::lake::session::Session;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOptions {
    /// Show the state in force at this time (epoch ms); latest when None.
    pub at: Option<i64>,
    pub diff: bool,
    /// Walk the relationship graph this deep.
    pub related: Option<usize>,
    pub events: bool,
    pub window_ms: i64,
}

impl Default for ConfigOptions {
    fn default() -> Self {
        ConfigOptions {
            at: None,
            diff: false,
            related: None,
            events: false,
            window_ms: DEFAULT_WINDOW_MS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    pub capture: Option<Millis>,
    pub status: Option<String>,
    pub state_id: Option<String>,
    /// Fields that changed from the previous item.
    pub changes: usize,
    pub relationships: usize,
    pub spelling: String,
    pub copies: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    pub capture: Option<Millis>,
    pub status: Option<String>,
    pub change: DiffKind,
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationRow {
    pub relationship: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    /// The name exactly as AWS wrote it.
    pub recorded_as: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedRow {
    pub depth: usize,
    /// `Is attached to` etc., indented by depth in tables.
    pub via: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub recorded: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseRow {
    pub capture: Option<Millis>,
    pub status: Option<String>,
    pub likely: bool,
    pub event_time: Option<Millis>,
    pub operation: Option<String>,
    pub actor: String,
    pub error_code: Option<String>,
    pub matched: String,
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigReport {
    #[serde(flatten)]
    pub key: ResourceKey,
    pub resource_name: Option<String>,
    pub arn: Option<String>,
    /// Items in the whole history (the timeline lists those within --from/--to).
    pub items: usize,
    pub first_capture: Option<Millis>,
    pub last_capture: Option<Millis>,
    /// The item shown (in force at `--at`, or the latest).
    pub shown_capture: Option<Millis>,
    pub status: Option<String>,
    pub configuration: Value,
    /// Captures within --from/--to.
    pub timeline: Vec<TimelineRow>,
    /// What the shown item names, then resources naming it (`← verb`).
    pub relationships: Vec<RelationRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<DiffRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<RelatedRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<CauseRow>>,
}

/// Table rows for the relationships of one item, grouped by verb.
pub fn relation_rows(item: &ConfigItem) -> Vec<RelationRow> {
    group_relationships(item)
        .into_iter()
        .flat_map(|g| g.relationships)
        .map(relation_row)
        .collect()
}

fn relation_row(r: Relationship) -> RelationRow {
    RelationRow {
        relationship: r.verb,
        resource_type: r.resource_type,
        resource_id: r.resource_id,
        resource_name: r.resource_name,
        recorded_as: r.raw_name,
    }
}

pub fn timeline_rows(items: &[ConfigItem]) -> Vec<TimelineRow> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| TimelineRow {
            capture: item.capture,
            status: item.status.clone(),
            state_id: item.state_id.clone(),
            changes: diff_items(i.checked_sub(1).map(|p| &items[p]), item).len(),
            relationships: item.relationships.len(),
            spelling: item.spelling.clone(),
            copies: item.copies,
        })
        .collect()
}

pub fn related_rows(nodes: &[GraphNode]) -> Vec<RelatedRow> {
    nodes
        .iter()
        .map(|n| RelatedRow {
            depth: n.depth,
            via: format!(
                "{}{}",
                "  ".repeat(n.depth),
                n.relationship.as_deref().unwrap_or("(root)")
            ),
            resource_type: n.resource_type.clone(),
            resource_id: n.resource_id.clone(),
            resource_name: n.resource_name.clone(),
            recorded: n.key.is_some(),
            note: if n.cycle {
                "cycle (not followed)".into()
            } else if n.repeat {
                "expanded elsewhere in the tree".into()
            } else {
                String::new()
            },
        })
        .collect()
}

pub fn cause_rows(causes: &[ChangeCauses]) -> Vec<CauseRow> {
    causes
        .iter()
        .flat_map(|c| {
            c.events.iter().map(|e| CauseRow {
                capture: c.capture,
                status: c.status.clone(),
                likely: e.likely,
                event_time: e.time,
                operation: e.operation.clone(),
                actor: e.actor.clone(),
                error_code: e.error_code.clone(),
                matched: e.matched.clone(),
                event_id: e.event_id.clone(),
            })
        })
        .collect()
}

/// The report on the resource `query` names (id, ARN or name).
pub fn config_report(session: &Session, query: &str, scope: &Scope, options: &ConfigOptions) -> Result<ConfigReport> {
    let key = config_resource(session, query, scope)?;
    let items = config_items(session, &key)?;
    let shown = item_at(&items, options.at);
    // --from/--to choose which captures are listed (and diffed, and
    // explained); the state shown is still the one in force at `at`,
    // whenever it was captured.
    let in_scope = |capture: Option<Millis>| match capture {
        Some(Millis(c)) => scope.from_ms.is_none_or(|f| c >= f) && scope.to_ms.is_none_or(|t| c < t),
        None => scope.from_ms.is_none() && scope.to_ms.is_none(),
    };
    let diff = options.diff.then(|| {
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| in_scope(item.capture))
            .flat_map(|(i, item)| {
                diff_items(i.checked_sub(1).map(|p| &items[p]), item)
                    .into_iter()
                    .map(|c| DiffRow {
                        capture: item.capture,
                        status: item.status.clone(),
                        change: c.change,
                        path: c.path,
                        before: c.before,
                        after: c.after,
                    })
            })
            .collect()
    });
    let related = match options.related {
        Some(depth) => Some(related_rows(&config_walk(session, &key, depth, options.at)?)),
        None => None,
    };
    let events = match options.events {
        true => {
            let causes = config_causes(session, &key, &items, options.window_ms)?;
            let causes: Vec<_> = causes.into_iter().filter(|c| in_scope(c.capture)).collect();
            Some(cause_rows(&causes))
        }
        false => None,
    };
    // What this resource names, then what names it (`← Is attached to`),
    // which Config records only on the other side.
    let mut relationships = shown.map(relation_rows).unwrap_or_default();
    for (rel, _) in config_incoming(session, &key, options.at)? {
        let listed = relationships
            .iter()
            .any(|r| r.resource_id == rel.resource_id && r.resource_type == rel.resource_type);
        if !listed {
            relationships.push(relation_row(rel));
        }
    }
    let timeline: Vec<TimelineRow> = timeline_rows(&items)
        .into_iter()
        .filter(|row| in_scope(row.capture))
        .collect();
    let latest = items.last();
    Ok(ConfigReport {
        resource_name: latest.and_then(|i| i.resource_name.clone()),
        arn: items.iter().rev().find_map(|i| i.arn.clone()),
        items: items.len(),
        first_capture: items.first().and_then(|i| i.capture),
        last_capture: latest.and_then(|i| i.capture),
        shown_capture: shown.and_then(|i| i.capture),
        status: shown.and_then(|i| i.status.clone()),
        configuration: shown.map(|i| i.configuration.clone()).unwrap_or(Value::Null),
        timeline,
        relationships,
        diff,
        related,
        events,
        key,
    })
}
