//! Errors of the lake engine. Every variant that concerns a file names it.
//!
//! A DuckDB error is classified once, where it first becomes a lakescope
//! error ([`DbError::classify`], the only code that reads DuckDB's text);
//! everything else matches on its [`DbErrorKind`].

use std::path::{Path, PathBuf};

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
    Db(DbError),
    #[error("query was cancelled")]
    Cancelled,
    #[error("cannot start the {what} thread: {source}")]
    Thread {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid {what}: {detail}")]
    InvalidInput { what: &'static str, detail: String },
    /// Amazon Athena refused or failed a query (its own message).
    #[error("Athena: {0}")]
    Athena(String),
}

/// What went wrong in the database, as far as recovery is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbErrorKind {
    /// The query was interrupted (cancelled).
    Interrupted,
    /// A file's content cannot be read (damaged, truncated, not what it
    /// claims to be): only this may set a file aside. `file` when DuckDB
    /// names it; `oversized` when a JSON document is larger than the
    /// reader's buffer.
    BadData { file: Option<PathBuf>, oversized: bool },
    /// A mistake in the SQL (syntax, binder, catalog…), ours or the user's.
    Sql,
    /// Out of memory or disk.
    Resources,
    /// The connection is unusable (internal or fatal error, invalidated
    /// database, poisoned lock) and must be replaced.
    Poisoned,
}

/// A classified database error with DuckDB's message (or ours).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
}

/// DuckDB's error classes caused by a file's content.
const DATA_CLASSES: [&str; 5] = [
    "IO Error",
    "Invalid Input Error",
    "Conversion Error",
    "Invalid Error",
    "Serialization Error",
];

impl DbError {
    pub(crate) fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            message: message.into(),
        }
    }

    /// The one place that reads DuckDB's message to tell what happened.
    pub(crate) fn classify(err: &duckdb::Error) -> DbError {
        let message = err.to_string();
        let kind = if message.contains("INTERRUPT") || message.contains("Interrupted") {
            DbErrorKind::Interrupted
        } else if message.contains("INTERNAL Error")
            || message.contains("FATAL Error")
            || message.contains("database has been invalidated")
        {
            DbErrorKind::Poisoned
        } else if message.contains("Out of Memory") || message.contains("No space left") {
            DbErrorKind::Resources
        } else if DATA_CLASSES.iter().any(|class| message.contains(class)) {
            DbErrorKind::BadData {
                file: quoted_path(&message),
                oversized: message.contains("maximum_object_size"),
            }
        } else {
            DbErrorKind::Sql
        };
        DbError { kind, message }
    }

    /// Does the message name `path`? (DuckDB names the file for most
    /// gzip, JSON and parquet errors.)
    pub(crate) fn names(&self, path: &Path) -> bool {
        self.message.contains(path.to_string_lossy().as_ref())
    }

    /// The message's first line: DuckDB messages can carry a stack trace
    /// and a "LINE 1: …" SQL echo; the first line names the error and
    /// usually the file.
    pub fn first_line(&self) -> String {
        self.message.lines().next().unwrap_or(&self.message).trim().to_string()
    }

    /// The same error with only its first line.
    pub(crate) fn cleaned(self) -> DbError {
        DbError {
            message: self.first_line(),
            kind: self.kind,
        }
    }

    pub fn is_bad_data(&self) -> bool {
        matches!(self.kind, DbErrorKind::BadData { .. })
    }
}

/// The first quoted absolute path in a message (`"…"` or `'…'`).
fn quoted_path(message: &str) -> Option<PathBuf> {
    for quote in ['"', '\''] {
        let mut parts = message.split(quote);
        parts.next();
        while let Some(inside) = parts.next() {
            if Path::new(inside).is_absolute() {
                return Some(PathBuf::from(inside));
            }
            parts.next();
        }
    }
    None
}

impl LakeError {
    /// A DuckDB error, classified; an interrupted query is `Cancelled`.
    pub(crate) fn db(err: duckdb::Error) -> Self {
        LakeError::from_db(DbError::classify(&err))
    }

    pub(crate) fn from_db(err: DbError) -> Self {
        match err.kind {
            DbErrorKind::Interrupted => LakeError::Cancelled,
            _ => LakeError::Db(err),
        }
    }

    /// The lake's shared state is unusable (a thread panicked holding it).
    pub(crate) fn poisoned() -> Self {
        LakeError::Db(DbError::new(DbErrorKind::Poisoned, "lake state poisoned"))
    }
}

pub type Result<T, E = LakeError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_file_is_found_in_either_quotes() {
        assert_eq!(
            quoted_path("Invalid Input Error: File '/a/b.parquet' too small"),
            Some(PathBuf::from("/a/b.parquet"))
        );
        assert_eq!(
            quoted_path("IO Error: \"x\" then \"/c/d.json.gz\": bad"),
            Some(PathBuf::from("/c/d.json.gz"))
        );
        assert_eq!(quoted_path("Binder Error: column \"x\" not found"), None);
    }
}
