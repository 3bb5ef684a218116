//! Per-screen state. Each view keeps its own cursor and scroll so that
//! back/forward bring it back exactly.

pub mod actors;
pub mod events;
pub mod inspector;
pub mod list;
pub mod partitions;
pub mod report;
pub mod reports;
pub mod target;
pub mod timeline;
