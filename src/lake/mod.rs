//! The lake engine: discovery, catalog, SQL and pivots. It knows nothing of
//! terminals or output formats.
//!
//! A [`Lake`] is opened once; each thread of queries takes a [`Session`]
//! (one DuckDB connection, the scope's events as `ev`, recovery from bad
//! files). Questions are asked through query modules that borrow a
//! session: [`pivots`], [`events`], [`timeline`], [`catalog`], [`config`].
//!
//! ```no_run
//! # fn main() -> Result<(), lakescope::lake::LakeError> {
//! let lake = lakescope::lake::Lake::open(std::path::Path::new("fixtures/lake"))?;
//! let session = lake.session()?;
//! let actors = lakescope::lake::pivots::actors(&session, &Default::default(), None)?;
//! # Ok(()) }
//! ```

pub mod athena;
pub mod buckets;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod connect;
pub mod convert;
mod criteria;
pub mod discovery;
mod error;
pub mod events;
pub mod findings;
mod footers;
mod handle;
pub mod hunts;
pub mod layout;
pub mod model;
pub mod network;
pub mod pivots;
mod plan;
pub mod prepare;
mod projection;
mod read;
pub mod records;
pub mod schema;
pub mod scope;
mod session;
mod shared;
mod store;
pub mod summary;
pub mod timeline;
pub mod watch;
pub mod worker;

pub use catalog::{PartitionCount, PartitionRow, SourceRow};
pub use criteria::{EventCriteria, Page};
pub use discovery::{Discovery, LakeFile, Skipped, SourceKind};
pub use error::{DbError, DbErrorKind, LakeError, Result};
pub use handle::Lake;
pub use model::*;
pub use pivots::fuzzy_sort;
pub use records::FLOW_INDEX_VERSION;
pub use scope::{Filter, Scope, before_now, format_ms, parse_time};
pub use session::{Interrupt, Session};
pub use shared::Conversion;
pub use store::STORE_VERSION;
pub use timeline::{Bucket, Lane, LaneBy, NO_VALUE_LANE, OTHER_LANE, Timeline, TimelineQuery};
