//! De-duplicated events, written once per set of lake files.
//!
//! An event usually reaches a lake more than once (Security Lake 1.0 and 2.0
//! side by side, the raw trail beside them, files an Iceberg compaction
//! replaced). Removing copies in every query means a window over every copy:
//! 6 GB and 15 s for `actors` at 10M events. Instead the first query over a
//! set of files writes their events, one copy each and sorted by time, as
//! parquet per UTC day in the user's cache directory (never in the lake);
//! later queries over those files, in this process or the next, read that.
//!
//! Building takes bounded memory: every copy is first streamed out to one
//! file per source group, then each day (or slice of a big day) is
//! de-duplicated on its own, which is exact because the copies of an event
//! share its time. Each step leaves
//! its file behind, so a cancelled build resumes where it stopped. A store is
//! named by its files' paths, sizes and modification times and by the SQL
//! that projects them: a changed file or a changed projection means a new one.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use duckdb::Connection;
use serde::{Deserialize, Serialize};

use super::cache::{FlatCache, LAYOUT_VERSION, identity};
use super::discovery::LakeFile;
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::model::FileProblem;
use super::plan::{Group, Plan, group_sql};
use super::projection::{file_list, lit};
use super::scope::{Filter, Scope};

/// Bump when the store's own layout changes; also the stores' folder name
/// under the cache directory.
pub const STORE_VERSION: &str = "events-v1";
const DAY_MS: i64 = 86_400_000;
/// Copies de-duplicated in one go (a few hundred megabytes of window state).
const SLICE_ROWS: u64 = 500_000;
/// Stores kept; the least recently used beyond this number are removed
/// once unused for an hour (another process may be reading them).
const KEEP_STORES: usize = 6;
const IDLE_SECS: u64 = 3_600;
const MANIFEST: &str = "manifest.json";

/// A finished store: its folder and what is in it.
#[derive(Debug, Clone)]
pub(crate) struct EventStore {
    dir: PathBuf,
    manifest: Manifest,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    /// Lake files it was built from, including any set aside.
    files: usize,
    chunks: Vec<Chunk>,
    /// Files set aside while building, so that later sessions report them.
    problems: Vec<FileProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Chunk {
    file: String,
    /// UTC day (days since 1970-01-01); None for events without a time.
    day: Option<i64>,
    rows: u64,
}

impl EventStore {
    /// Files the builder set aside (reported by later sessions too).
    pub(crate) fn problems(&self) -> &[FileProblem] {
        &self.manifest.problems
    }

    fn load(dir: &Path) -> Option<EventStore> {
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        let manifest: Manifest = serde_json::from_str(&text).ok()?;
        // Most recently used first when the cache is trimmed.
        if let Ok(file) = File::options().append(true).open(dir.join(MANIFEST)) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some(EventStore {
            dir: dir.to_path_buf(),
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
            .map(|c| self.dir.join(&c.file))
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

/// Where a lake's stores live and how they are named; owned by the lake.
pub(crate) struct EventStores {
    /// None without a cache directory: queries then de-duplicate themselves.
    root: Option<PathBuf>,
    /// Each group's projection SQL (without its files) as first planned:
    /// part of a store's name.
    projections: Vec<String>,
    /// Held while a session writes a store (one at a time).
    build: Mutex<()>,
}

/// A store being written: its folders, and the lock that keeps another
/// process from writing the same one.
pub(crate) struct Build {
    done: PathBuf,
    work: PathBuf,
    stage: PathBuf,
    out: PathBuf,
    _lock: File,
}

/// Reports one-time work: (task, units done, units in all).
pub(crate) type Progress<'a> = &'a dyn Fn(&str, usize, usize);

/// Either the store another process finished meanwhile, or a build to do.
pub(crate) enum Begun {
    Done(EventStore),
    Building(Build),
}

/// The lock on writing `key` under `root` (created if needed), taken once
/// another process writing the same thing has finished.
pub(crate) fn lock_build(root: &Path, key: &str) -> Result<File> {
    std::fs::create_dir_all(root).map_err(cache_err(root))?;
    let lock_path = root.join(format!("{key}.lock"));
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(cache_err(&lock_path))?;
    fs4::FileExt::lock(&lock).map_err(cache_err(&lock_path))?;
    Ok(lock)
}

pub(crate) fn cache_err(path: &Path) -> impl FnOnce(std::io::Error) -> LakeError {
    let path = path.to_path_buf();
    move |source| LakeError::Cache { path, source }
}

impl EventStores {
    pub(crate) fn new(cache: Option<&FlatCache>, plan: &Plan) -> EventStores {
        EventStores {
            root: cache.map(|c| c.sibling(STORE_VERSION)),
            projections: plan.groups.iter().map(|g| group_sql(g, &[], "true", None)).collect(),
            build: Mutex::new(()),
        }
    }

    /// False without a cache directory.
    pub(crate) fn enabled(&self) -> bool {
        self.root.is_some()
    }

    /// The name of the store of `files` as they are now, read with the SQL
    /// planned when the lake was opened (setting a file aside later must
    /// not rename the store).
    pub(crate) fn key(&self, files: &[&LakeFile]) -> String {
        let mut parts: Vec<&str> = vec![STORE_VERSION, LAYOUT_VERSION];
        parts.extend(self.projections.iter().map(String::as_str));
        identity(&parts, files)
    }

    /// The finished store of that name, if any.
    pub(crate) fn load(&self, key: &str) -> Option<EventStore> {
        EventStore::load(&self.root.as_ref()?.join(key))
    }

    /// One build per process at a time.
    pub(crate) fn one_build(&self) -> Result<MutexGuard<'_, ()>> {
        self.build.lock().map_err(|_| LakeError::poisoned())
    }

    /// Start writing the store `key`, waiting for another process writing
    /// the same one.
    pub(crate) fn begin(&self, key: &str) -> Result<Begun> {
        let Some(root) = &self.root else {
            return Err(LakeError::Cache {
                path: PathBuf::new(),
                source: std::io::Error::other("no cache directory"),
            });
        };
        let lock = lock_build(root, key)?;
        let done = root.join(key);
        if let Some(store) = EventStore::load(&done) {
            return Ok(Begun::Done(store));
        }
        let work = root.join(format!("{key}.building"));
        let (stage, out) = (work.join("stage"), work.join("out"));
        for dir in [&stage, &out] {
            std::fs::create_dir_all(dir).map_err(cache_err(dir))?;
        }
        Ok(Begun::Building(Build {
            done,
            work,
            stage,
            out,
            _lock: lock,
        }))
    }

    /// Keep the most recently used stores (see [`trim`]).
    pub(crate) fn trim(&self) {
        if let Some(root) = &self.root {
            trim(root, KEEP_STORES);
        }
    }

    /// A query failed on one of our store files (damaged, or removed by
    /// another process trimming the cache): forget that store.
    pub(crate) fn discard_named_in(&self, err: &DbError) -> bool {
        let (Some(root), DbErrorKind::BadData { file: Some(file), .. }) = (&self.root, &err.kind) else {
            return false;
        };
        let Some(name) = file
            .strip_prefix(root)
            .ok()
            .and_then(|rest| rest.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_hexdigit()))
        else {
            return false;
        };
        tracing::warn!(store = %name, problem = %err.first_line(), "discarding a damaged event store");
        std::fs::remove_dir_all(root.join(&name)).is_ok()
    }
}

impl Build {
    /// Step 1: every copy of every event, one plain parquet file per group
    /// (a stream; partitioned writes buffer whole partitions in memory).
    pub(crate) fn stage_groups(
        &self,
        conn: &Connection,
        groups: &[(Group, Vec<LakeFile>)],
        cache: Option<&FlatCache>,
        progress: Progress<'_>,
    ) -> Result<()> {
        let mut names = Vec::new();
        let total = groups.len();
        for (i, (group, files)) in groups.iter().enumerate() {
            let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
            // Named by its SQL, which lists its files: a set-aside file means a new name.
            let sql = group_sql(group, &paths, "true", cache);
            let name = format!("{}.parquet", identity(&[&sql], &[]));
            let target = self.stage.join(&name);
            names.push(name);
            if target.exists() {
                continue;
            }
            progress("indexing events (one copy each): source group", i, total);
            copy_to(conn, &sql, &target)?;
        }
        // Stages of an earlier attempt whose group has changed since.
        for entry in std::fs::read_dir(&self.stage).into_iter().flatten().flatten() {
            if !names.iter().any(|n| entry.file_name().to_string_lossy() == n.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Step 2 (de-duplicate each day) and the manifest: `files` lake files
    /// were read, `problems` of them set aside.
    pub(crate) fn finish(
        self,
        conn: &Connection,
        files: usize,
        problems: Vec<FileProblem>,
        progress: Progress<'_>,
    ) -> Result<EventStore> {
        let chunks = dedupe_days(conn, &self.stage, &self.out, progress)?;
        let manifest = Manifest {
            files,
            chunks,
            problems,
        };
        let manifest_path = self.out.join(MANIFEST);
        let text =
            serde_json::to_string_pretty(&manifest).map_err(|e| cache_err(&manifest_path)(std::io::Error::other(e)))?;
        std::fs::write(&manifest_path, text).map_err(cache_err(&manifest_path))?;
        std::fs::rename(&self.out, &self.done).map_err(cache_err(&self.done))?;
        let _ = std::fs::remove_dir_all(&self.work);
        EventStore::load(&self.done).ok_or_else(|| {
            cache_err(&self.done)(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "event store unreadable",
            ))
        })
    }
}

/// One copy of each event (the best source first), sorted by time, one
/// file per day or slice of a day.
fn dedupe_days(conn: &Connection, stage: &Path, out: &Path, progress: Progress<'_>) -> Result<Vec<Chunk>> {
    let mut staged: Vec<PathBuf> = std::fs::read_dir(stage)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    staged.sort();
    if staged.is_empty() {
        return Ok(Vec::new());
    }
    let list = file_list(staged.iter().map(PathBuf::as_path));
    let days = rows(
        conn,
        &format!(
            "SELECT time_ms // {DAY_MS} AS day, count(*) FROM read_parquet({list}, union_by_name = true) \
             GROUP BY day ORDER BY day NULLS LAST"
        ),
        |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
    )?;
    let mut chunks = Vec::new();
    let total = days.len();
    for (i, (day, copies)) in days.into_iter().enumerate() {
        progress("indexing events (one copy each): day", i, total);
        let slices = match day {
            Some(_) => copies.div_ceil(SLICE_ROWS).max(1) as i64,
            None => 1,
        };
        for k in 0..slices {
            let (name, range) = match day {
                Some(d) => {
                    let start = d * DAY_MS + k * DAY_MS / slices;
                    let end = d * DAY_MS + (k + 1) * DAY_MS / slices;
                    (
                        format!("day-{d}-{k}.parquet"),
                        format!("time_ms >= {start} AND time_ms < {end}"),
                    )
                }
                None => ("no-time.parquet".to_string(), "time_ms IS NULL".to_string()),
            };
            let target = out.join(&name);
            if !target.exists() {
                // Operation and time are part of the key because sanitised
                // real samples reuse one eventID for different events.
                let select = format!(
                    "SELECT * EXCLUDE (prio) FROM read_parquet({list}, union_by_name = true) WHERE {range} \
                     QUALIFY event_uid IS NULL \
                     OR row_number() OVER (PARTITION BY event_uid, operation, time_ms ORDER BY prio) = 1 \
                     ORDER BY time_ms"
                );
                copy_to(conn, &select, &target)?;
            }
            let sql = format!("SELECT count(*) FROM read_parquet({})", lit(&target.to_string_lossy()));
            let rows = rows(conn, &sql, |r| r.get::<_, i64>(0))?;
            let rows = rows.first().copied().unwrap_or(0).max(0) as u64;
            chunks.push(Chunk { file: name, day, rows });
        }
    }
    Ok(chunks)
}

/// A query of our own files (no parameters).
fn rows<T>(conn: &Connection, sql: &str, map: impl Fn(&duckdb::Row<'_>) -> duckdb::Result<T>) -> Result<Vec<T>> {
    tracing::debug!(%sql, "event store");
    let mut stmt = conn.prepare(sql).map_err(LakeError::db)?;
    let mut rows = stmt.query([]).map_err(LakeError::db)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(LakeError::db)? {
        out.push(map(row).map_err(LakeError::db)?);
    }
    Ok(out)
}

/// `COPY (select) TO target`, written under another name and renamed,
/// so that a file with the target's name is always complete.
fn copy_to(conn: &Connection, select: &str, target: &Path) -> Result<()> {
    let tmp = target.with_extension("tmp");
    let copy = format!(
        "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd)",
        lit(&tmp.to_string_lossy())
    );
    tracing::debug!(sql = %copy, "event store");
    if let Err(err) = conn.execute_batch(&copy) {
        let _ = std::fs::remove_file(&tmp);
        return Err(LakeError::db(err));
    }
    std::fs::rename(&tmp, target).map_err(cache_err(target))
}

/// Keep the `keep` most recently used stores; remove the others that sat
/// unused for an hour, and what interrupted builds left a day ago.
pub(crate) fn trim(root: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut stores = Vec::new();
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let path = entry.path();
        let used = std::fs::metadata(path.join(MANIFEST)).and_then(|m| m.modified());
        match used {
            Ok(time) => stores.push((time, path)),
            Err(_) => {
                let age = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| now.duration_since(t).ok());
                if age.is_some_and(|a| a.as_secs() > 86_400) {
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
    }
    stores.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (used, path) in stores.into_iter().skip(keep) {
        if now.duration_since(used).is_ok_and(|idle| idle.as_secs() > IDLE_SECS) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}
