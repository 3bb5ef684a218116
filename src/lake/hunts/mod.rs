//! Hunts: detections as data. Each hunt is a TOML file ([`format`]),
//! built in or the user's ([`library`]); [`run`] evaluates a set of them
//! over the scope's events in DuckDB and sums up the hits by hunt. The
//! user's Sigma rules for CloudTrail become hunts too ([`sigma`]).

mod compile;
pub mod format;
pub mod library;
mod prefilter;
mod report;
mod run;
mod sequence;
mod sightings;
pub mod sigma;
mod sigma_condition;
mod sigma_expr;

pub use format::{Hunt, HuntError, RefusedHunt, Severity};
pub use library::HuntBook;
pub use report::{EVENTS_PER_HUNT, HuntEvent, HuntHit, HuntReport};
pub use run::{run, run_for};
