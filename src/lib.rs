//! lakescope: investigate AWS security lakes (Security Lake OCSF parquet, raw CloudTrail,
//! AWS Config) with an embedded DuckDB.
//!
//! The library is split into an engine that knows nothing of presentation
//! ([`lake`]), the deterministic fixture generator ([`generate`]) and the
//! command-line front end ([`cli`]) with its interactive workbench ([`tui`]).

pub mod case;
pub mod cli;
pub mod generate;
pub mod lake;
pub mod safe_json;
pub mod sync;
pub mod text;
pub mod tui;
