//! What can go wrong while mirroring a bucket (its own file so that the
//! sync modules and `sync/mod.rs` need not import each other).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("S3 {operation} {target}: {message}")]
    S3 {
        operation: &'static str,
        target: String,
        message: String,
    },
    #[error("SQS {operation}: {message}")]
    Sqs { operation: &'static str, message: String },
    #[error("a download task failed: {0}")]
    Task(String),
}
