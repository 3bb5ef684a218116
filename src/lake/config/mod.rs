//! AWS Config: configuration items of every spelling, a resource's
//! timeline, field-level diffs, the relationship graph and the CloudTrail
//! events that most likely caused each change (`docs/formats.md#aws-config`).
//!
//! Items are loaded once per session into the temp table `config_items`;
//! lookups bind the user's value. Diffs and graph walks run in Rust on the
//! (small) per-resource item lists.

mod causes;
mod diff;
mod graph;
mod item;
mod load;
mod report;
mod view;

pub use causes::{
    Candidate, CauseEvent, ChangeCauses, DEFAULT_WINDOW_MS, MAX_WINDOW_MS, assign_causes, config_candidates,
    config_causes, is_read_only,
};
pub use diff::{DiffKind, FieldChange, diff_items, diff_values};
pub use graph::{GraphNode, RelationGroup, config_incoming, config_walk, group_relationships, walk};
pub use item::{
    ConfigItem, Relationship, ResourceKey, ResourceSummary, config_find, config_items, config_resolve, config_resource,
    config_resources, item_at, relationship_verb,
};
pub use load::{ConfigLoad, SpellingCount, config_load};
pub use report::{ConfigOptions, ConfigReport, config_report};
pub use view::{ConfigTarget, ResourceConfig, config_resources_of_event, config_view};
