//! Errors of the lake engine. Every variant that concerns a file names it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    #[error("lake path {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cache {path}: {source}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a directory or file lakescope can open")]
    NotALake { path: PathBuf },
    #[error(
        "no AWS log files found under {path} (looked for Security Lake parquet, AWSLogs/ CloudTrail and Config files)"
    )]
    Empty { path: PathBuf },
    #[error("DuckDB: {0}")]
    Db(String),
    #[error("query was cancelled")]
    Cancelled,
    #[error("invalid {what}: {detail}")]
    InvalidInput { what: &'static str, detail: String },
    #[error("{path}: {problem}")]
    BadFile { path: PathBuf, problem: String },
}

impl LakeError {
    pub(crate) fn db(err: duckdb::Error) -> Self {
        let text = err.to_string();
        if text.contains("INTERRUPT") || text.contains("Interrupted") {
            LakeError::Cancelled
        } else {
            LakeError::Db(text)
        }
    }
}

pub type Result<T, E = LakeError> = std::result::Result<T, E>;
