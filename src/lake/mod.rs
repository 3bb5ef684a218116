//! The lake engine: discovery, catalog, SQL and pivots. It knows nothing of
//! terminals or output formats.
//!
//! ```no_run
//! # fn main() -> Result<(), lakescope::lake::LakeError> {
//! let lake = lakescope::lake::Lake::open(std::path::Path::new("fixtures/lake"))?;
//! let session = lake.session()?;
//! let actors = session.actors(&Default::default(), None)?;
//! # Ok(()) }
//! ```

pub mod buckets;
mod cache;
pub mod catalog;
pub mod config;
mod criteria;
pub mod discovery;
mod error;
pub mod layout;
pub mod model;
mod pivots;
pub mod plan;
pub mod projection;
pub mod schema;
pub mod scope;
mod session;
mod store;
pub mod summary;
mod timeline;
pub mod watch;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use duckdb::Connection;

pub use catalog::{PartitionCount, PartitionRow, SourceRow, partition_counts};
pub use criteria::{EventCriteria, Page};
pub use discovery::{Discovery, LakeFile, Skipped, SourceKind};
pub use error::{LakeError, Result};
pub use model::*;
pub use pivots::fuzzy_sort;
pub use plan::FileProblem;
pub use scope::{Filter, Scope, format_ms, parse_time};
pub use session::Session;
pub use store::STORE_VERSION;
pub use timeline::{BASELINE_MS, Bucket, Lane, LaneBy, NO_VALUE_LANE, OTHER_LANE, Timeline, TimelineQuery};

use plan::Plan;

/// An opened lake. Cheap to clone; every clone shares the catalog and the
/// list of files set aside as unreadable.
#[derive(Clone)]
pub struct Lake {
    inner: Arc<LakeInner>,
}

pub(crate) struct LakeInner {
    root: PathBuf,
    discovery: Discovery,
    /// The database every session's connection is cloned from.
    db: std::sync::Mutex<Connection>,
    plan: RwLock<Plan>,
    /// Where raw CloudTrail is kept in flat form; None reads JSON every time.
    cache: Option<cache::FlatCache>,
    /// The raw CloudTrail conversion under way, for progress displays.
    conversion: std::sync::Mutex<Option<Conversion>>,
    /// Held while a session writes an event store (one at a time).
    store_build: std::sync::Mutex<()>,
    /// Each group's projection SQL (without its files) as first planned:
    /// part of the event store's name.
    projections: Vec<String>,
}

/// Progress of one-time work on the lake: converting a raw trail folder
/// group, or writing the de-duplicated event store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// What is being done, up to the unit counted
    /// (`converting CloudTrail 012345678901 us-east-1: day folder`).
    pub task: String,
    /// Units finished so far, of `total`.
    pub done: usize,
    pub total: usize,
}

impl Conversion {
    /// `converting …: day folder 3/7`.
    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.task, self.done + 1, self.total)
    }
}

impl LakeInner {
    fn plan(&self) -> Result<std::sync::RwLockReadGuard<'_, Plan>> {
        self.plan
            .read()
            .map_err(|_| LakeError::Db("lake state poisoned".into()))
    }

    fn plan_mut(&self) -> Result<std::sync::RwLockWriteGuard<'_, Plan>> {
        self.plan
            .write()
            .map_err(|_| LakeError::Db("lake state poisoned".into()))
    }

    fn set_conversion(&self, state: Option<Conversion>) {
        if let Ok(mut c) = self.conversion.lock() {
            *c = state;
        }
    }
}

/// Settings applied to every DuckDB database lakescope opens.
fn configure(conn: &Connection) -> Result<()> {
    // No network: never try to download an extension (lake-data-spec §2).
    conn.execute_batch(
        "SET autoinstall_known_extensions = false;
         SET autoload_known_extensions = false;
         SET preserve_insertion_order = false;
         SET enable_progress_bar = false;",
    )
    .map_err(LakeError::db)?;
    // `mode` picks any of several equally common values, so answers could
    // differ between runs; this takes the most common, then the smallest.
    conn.execute_batch(
        "CREATE OR REPLACE TEMP MACRO stable_mode(h) AS \
         list_sort(list_transform(map_entries(h), lambda e: {'n': -(e.value::BIGINT), 'k': e.key}))[1].k;",
    )
    .map_err(LakeError::db)?;
    // Spill files go to our cache directory, never next to the lake.
    if let Some(dir) = spill_dir() {
        let sql = format!("SET temp_directory = {}", projection::lit(&dir.to_string_lossy()));
        conn.execute_batch(&sql).map_err(LakeError::db)?;
    }
    if let Ok(limit) = std::env::var("LAKESCOPE_MEMORY_LIMIT") {
        let sql = format!("SET memory_limit = {}", projection::lit(&limit));
        conn.execute_batch(&sql).map_err(LakeError::db)?;
    }
    Ok(())
}

fn spill_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "lakescope")?;
    let dir = dirs.cache_dir().join("duckdb-spill");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
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
        let db = Connection::open_in_memory().map_err(LakeError::db)?;
        configure(&db)?;
        let plan = Plan::build(&db, &discovery.files)?;
        for problem in &plan.problems {
            tracing::warn!(file = %problem.path.display(), problem = %problem.problem, "unreadable file");
        }
        let projections = plan
            .groups
            .iter()
            .map(|g| plan::group_sql(g, &[], "true", None))
            .collect();
        Ok(Lake {
            inner: Arc::new(LakeInner {
                root: root.to_path_buf(),
                discovery,
                db: std::sync::Mutex::new(db),
                plan: RwLock::new(plan),
                cache: cache::FlatCache::locate(),
                conversion: std::sync::Mutex::new(None),
                store_build: std::sync::Mutex::new(()),
                projections,
            }),
        })
    }

    /// The raw CloudTrail conversion running now, if any (any session).
    pub fn conversion(&self) -> Option<Conversion> {
        self.inner.conversion.lock().ok().and_then(|c| c.clone())
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
        self.inner.plan.read().map(|p| p.problems.clone()).unwrap_or_default()
    }

    /// A new connection for one thread of queries.
    pub fn session(&self) -> Result<Session> {
        let conn = self
            .inner
            .db
            .lock()
            .map_err(|_| LakeError::Db("lake state poisoned".into()))?
            .try_clone()
            .map_err(LakeError::db)?;
        configure(&conn)?;
        Ok(Session::new(self.inner.clone(), conn))
    }
}

impl LakeInner {
    /// A brand-new database, for a session whose database was invalidated.
    fn connect_fresh(&self) -> Result<Connection> {
        let conn = Connection::open_in_memory().map_err(LakeError::db)?;
        configure(&conn)?;
        Ok(conn)
    }
}
