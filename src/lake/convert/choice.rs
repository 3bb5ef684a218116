//! Which converter fills the flat cache, and how a conversion is stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which converter fills the flat cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Converter {
    /// This module: parallel, streaming, in Rust.
    Native,
    /// DuckDB's `read_json` with each record as `JSON` and one
    /// `json_extract` per record (the converter before the native one).
    DuckDb,
    /// DuckDB's `read_json` with the record fields declared as typed
    /// struct members (a candidate measured in docs/benchmarks.md).
    DuckDbTyped,
}

impl Converter {
    /// `LAKESCOPE_CONVERTER` (`native`, `duckdb`, `duckdb-typed`); native
    /// when unset or unknown.
    pub fn from_env() -> Converter {
        match std::env::var("LAKESCOPE_CONVERTER").as_deref() {
            Ok("duckdb") => Converter::DuckDb,
            Ok("duckdb-typed") => Converter::DuckDbTyped,
            _ => Converter::Native,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Converter::Native => "native",
            Converter::DuckDb => "duckdb",
            Converter::DuckDbTyped => "duckdb-typed",
        }
    }
}

/// A request to stop the conversion under way, shared with whoever may
/// cancel (the query worker sets it together with DuckDB's interrupt).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Forget an earlier request (at the start of new work, as DuckDB
    /// forgets an interrupt that arrived between queries).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}
