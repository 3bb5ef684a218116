//! An opened lake: the files found, and sessions to query them.

use std::path::Path;
use std::sync::Arc;

use super::cache::FlatCache;
use super::catalog::{PartitionRow, partitions};
use super::connect::{configure, open_database};
use super::discovery::{self, LakeFile, Skipped};
use super::error::{LakeError, Result};
use super::footers::Footers;
use super::model::{FileProblem, PartialAnswers};
use super::plan::Plan;
use super::scope::Scope;
use super::session::Session;
use super::shared::{Conversion, LakeInner};

/// An opened lake. Cheap to clone; every clone shares the catalog and the
/// list of files set aside as unreadable.
#[derive(Clone)]
pub struct Lake {
    inner: Arc<LakeInner>,
}

impl Lake {
    /// Discover the files under `root` (a lake root, an `aws/` or `AWSLogs/`
    /// folder, one source or partition, or a single file) and prepare the
    /// scans. Reads file footers; reads no event data.
    pub fn open(root: &Path) -> Result<Lake> {
        if !root.exists() {
            return Err(LakeError::NotALake {
                path: root.to_path_buf(),
            });
        }
        let discovery = discovery::discover(root)?;
        if discovery.files.is_empty() && discovery.skipped.is_empty() {
            return Err(LakeError::Empty {
                path: root.to_path_buf(),
            });
        }
        let db = open_database()?;
        let cache = FlatCache::locate();
        let mut footers = Footers::load(cache.as_ref(), root);
        let plan = Plan::build(&db, &discovery.files, &mut footers)?;
        footers.save();
        for problem in &plan.problems {
            tracing::warn!(file = %problem.path.display(), problem = %problem.problem, "unreadable file");
        }
        Ok(Lake {
            inner: Arc::new(LakeInner::new(root.to_path_buf(), discovery, db, plan, cache)),
        })
    }

    /// The raw CloudTrail conversion running now, if any (any session).
    pub fn conversion(&self) -> Option<Conversion> {
        self.inner.conversion()
    }

    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    pub fn files(&self) -> &[LakeFile] {
        &self.inner.discovery.files
    }

    /// Files found but not read, with the reason (not a log format…).
    pub fn skipped(&self) -> &[Skipped] {
        &self.inner.discovery.skipped
    }

    /// Known non-event files (digests, Iceberg metadata), counted by reason.
    pub fn ignored(&self) -> &[(String, u64)] {
        &self.inner.discovery.ignored
    }

    /// Files that could not be read so far, with DuckDB's message.
    pub fn problems(&self) -> Vec<FileProblem> {
        self.inner.plan().map(|p| p.problems.clone()).unwrap_or_default()
    }

    /// One row per source, account, region and day, from paths (no scan).
    pub fn partitions(&self, scope: &Scope) -> Vec<PartitionRow> {
        partitions(self.files(), scope)
    }

    /// While the event store is written on another thread (see
    /// [`super::prepare::Preparation`]), how many partition days the
    /// answers come from.
    pub fn partial_answers(&self) -> Option<PartialAnswers> {
        self.inner.stores.partial().map(|(_, answers)| answers)
    }

    /// Answer from the days the event store has finished rather than
    /// waiting for it (another thread must be writing it).
    pub fn answer_partially(&self, on: bool) {
        self.inner.stores.set_progressive(on);
    }

    /// A new connection for one thread of queries.
    pub fn session(&self) -> Result<Session> {
        let conn = self
            .inner
            .db
            .lock()
            .map_err(|_| LakeError::poisoned())?
            .try_clone()
            .map_err(LakeError::db)?;
        configure(&conn)?;
        Ok(Session::new(self.inner.clone(), conn))
    }
}
