//! What a finished event store is: its manifest of days, and how a query
//! reads the days a scope needs.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lake::error::LakeError;
use crate::lake::model::FileProblem;
use crate::lake::projection::file_list;
use crate::lake::scope::{Filter, Scope};

/// Bump when the store's own layout changes; also the stores' folder name
/// under the cache directory.
pub const STORE_VERSION: &str = "events-v3";
pub(super) const DAY_MS: i64 = 86_400_000;
/// Stores kept; the least recently used beyond this number are removed
/// once unused for an hour (another process may be reading them).
pub(super) const KEEP_STORES: usize = 6;
pub(super) const IDLE_SECS: u64 = 3_600;
pub(super) const MANIFEST: &str = "manifest.json";
/// Shared by every store of a cache: staged copies and finished days.
pub(super) const STAGE_DIR: &str = "stage";
pub(super) const DAYS_DIR: &str = "days";

/// A finished store: its manifest, whose files are under `root`.
#[derive(Debug, Clone)]
pub(crate) struct EventStore {
    pub(super) root: PathBuf,
    pub(super) manifest: Manifest,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Manifest {
    /// Lake files it was built from, including any set aside.
    pub(super) files: usize,
    pub(super) chunks: Vec<Chunk>,
    /// Stages the days were made from (kept while the store is).
    pub(super) stages: Vec<String>,
    /// Files set aside while building, so that later sessions report them.
    pub(super) problems: Vec<FileProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Chunk {
    /// Relative to the stores' root.
    pub(super) file: String,
    /// UTC day (days since 1970-01-01); None for events without a time.
    pub(super) day: Option<i64>,
    pub(super) rows: u64,
}

impl EventStore {
    /// Files the builder set aside (reported by later sessions too).
    pub(crate) fn problems(&self) -> &[FileProblem] {
        &self.manifest.problems
    }

    /// The store named `key`, if its manifest and every file it names are
    /// there (a trimmed or damaged day means building again, which reuses
    /// the rest).
    pub(super) fn load(root: &Path, key: &str) -> Option<EventStore> {
        let manifest_path = root.join(key).join(MANIFEST);
        let text = std::fs::read_to_string(&manifest_path).ok()?;
        let manifest: Manifest = serde_json::from_str(&text).ok()?;
        if !manifest.chunks.iter().all(|c| root.join(&c.file).is_file()) {
            return None;
        }
        // Most recently used first when the cache is trimmed.
        if let Ok(file) = File::options().append(true).open(&manifest_path) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some(EventStore {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// The store's events a scope can contain (whole days), filtered by
    /// `filter`; None when no day of the store falls in the scope.
    pub(crate) fn select(&self, scope: &Scope, filter: &Filter) -> Option<String> {
        let first = scope.from_ms.map(|ms| ms.div_euclid(DAY_MS));
        let last = scope.to_ms.map(|ms| (ms - 1).div_euclid(DAY_MS));
        let files: Vec<PathBuf> = self
            .manifest
            .chunks
            .iter()
            .filter(|c| c.rows > 0)
            .filter(|c| match c.day {
                Some(day) => first.is_none_or(|f| day >= f) && last.is_none_or(|l| day <= l),
                None => first.is_none() && last.is_none(),
            })
            .map(|c| self.root.join(&c.file))
            .collect();
        if files.is_empty() {
            return None;
        }
        Some(filter.scan(&format!(
            "read_parquet({}, union_by_name = true, hive_partitioning = false)",
            file_list(files.iter().map(PathBuf::as_path))
        )))
    }
}

/// Reports one-time work: (task, units done, units in all).
pub(crate) type Progress<'a> = &'a dyn Fn(&str, usize, usize);

pub(crate) fn cache_err(path: &Path) -> impl FnOnce(std::io::Error) -> LakeError {
    let path = path.to_path_buf();
    move |source| LakeError::Cache { path, source }
}
