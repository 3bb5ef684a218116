//! Why the native conversion stopped.

use std::path::PathBuf;

use crate::lake::error::{DbError, DbErrorKind};

/// Why the native conversion stopped (a bad lake file is not an error:
/// it is set aside as a [`FileProblem`]).
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("conversion cancelled")]
    Cancelled,
    #[error("cache file {path}: {source}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing parquet {path}: {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("building rows: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("a conversion thread failed: {0}")]
    Thread(String),
}

impl From<ConvertError> for DbError {
    fn from(err: ConvertError) -> DbError {
        let kind = match err {
            ConvertError::Cancelled => DbErrorKind::Interrupted,
            // Cache trouble is a lack of disk as far as recovery goes.
            _ => DbErrorKind::Resources,
        };
        DbError::new(kind, err.to_string())
    }
}
