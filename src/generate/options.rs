//! What the generator is asked for, what it reports, and how it fails.

use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub out: PathBuf,
    /// Distinct CloudTrail management events (distinct eventIDs), story included.
    pub events: u64,
    pub seed: u64,
    /// Consecutive UTC days starting 2024-05-01; at least 5 (story on 2024-05-05).
    pub days: u32,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            out: PathBuf::from("lake"),
            events: 6000,
            seed: 1,
            days: 7,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateReport {
    pub files: u64,
    pub bytes: u64,
    pub events: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("refusing to write into {path}: the directory is not empty (never overwrite evidence)")]
    OutNotEmpty { path: PathBuf },
    #[error("refusing to write into {path}: it exists and is not a directory")]
    OutNotDirectory { path: PathBuf },
    #[error("invalid generator options: {0}")]
    Invalid(String),
    #[error("I/O error on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("JSON error on {path}: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("DuckDB error while {context}: {source}")]
    DuckDb { context: String, source: duckdb::Error },
}
