//! The lake's records that are not API calls: network flows, DNS queries,
//! HTTP requests (WAF) and findings. Each kind has one flat shape; every
//! group of files (one Security Lake schema, or one raw delivery format) is
//! projected to it, like activity is projected to the event shape.
//!
//! Flows are usually the largest source of a lake: every question
//! aggregates them where they lie, except that the flows of one address
//! are read from the flow index once `lakescope index` has written it.

mod group;
mod index;
mod kind;
mod ocsf;
mod query;
mod raw;

pub use group::{RecordGroup, RecordReader, empty, raw_kind};
pub use index::FLOW_INDEX_VERSION;
pub(crate) use index::{FlowIndexes, build as build_flow_index, load as load_flow_index};
pub use kind::RecordKind;
pub(crate) use ocsf::{ACTOR_RE, IPV4_RE, KEY_RE};
pub use query::present;
pub(crate) use query::query;
pub(crate) use raw::flow_log_fields;
