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

use serde::{Deserialize, Serialize};

use super::cache::{LAYOUT_VERSION, identity};
use super::discovery::LakeFile;
use super::error::{LakeError, Result};
use super::plan::{FileProblem, clean_error, file_list, group_sql};
use super::projection::lit;
use super::scope::{Filter, Scope};
use super::{Conversion, Session};

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
pub struct EventStore {
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
    pub fn select(&self, scope: &Scope, filter: &Filter) -> Option<String> {
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

impl Session {
    /// The de-duplicated store for the scope's files, written first if
    /// needed. None when there is no cache directory, or when writing it
    /// failed for a reason other than the lake's files (the caller then
    /// de-duplicates in the query itself).
    pub(super) fn event_store(&self, scope: &Scope) -> Result<Option<EventStore>> {
        let Some(root) = self.store_root() else {
            return Ok(None);
        };
        let key = self.store_key(scope)?;
        // A store of the whole lake answers any narrower scope: the scope's
        // own conditions are in the filter, and its days select the files.
        let whole = match scope.is_everything() {
            true => None,
            false => Some(self.store_key(&Scope::default())?),
        };
        for name in std::iter::once(&key).chain(&whole) {
            if let Some(store) = EventStore::load(&root.join(name)) {
                self.adopt_problems(&store, scope)?;
                return Ok(Some(store));
            }
        }
        let _one_build_per_process = self
            .lake
            .store_build
            .lock()
            .map_err(|_| LakeError::Db("lake state poisoned".into()))?;
        let built = self.build_store(scope, &root, &key);
        self.lake.set_conversion(None);
        match built {
            Ok(store) => {
                trim(&root, KEEP_STORES);
                Ok(Some(store))
            }
            Err(LakeError::Cancelled) => Err(LakeError::Cancelled),
            Err(LakeError::Db(msg)) if msg.contains("INTERRUPT") => Err(LakeError::Cancelled),
            Err(err) => {
                tracing::warn!(%err, "cannot write the event store; de-duplicating in each query instead");
                Ok(None)
            }
        }
    }

    fn store_root(&self) -> Option<PathBuf> {
        self.lake.cache.as_ref().map(|c| c.sibling(STORE_VERSION))
    }

    /// Is `path` one of the lake's files that the scope admits?
    fn in_scope(&self, scope: &Scope, path: &Path) -> bool {
        self.lake
            .discovery
            .files
            .iter()
            .any(|f| f.path == path && scope.admits(f))
    }

    /// The scope's lake files as they are now, and the SQL that reads them
    /// (as planned when the lake was opened: setting a file aside later
    /// must not rename the store).
    fn store_key(&self, scope: &Scope) -> Result<String> {
        let mut parts: Vec<&str> = vec![STORE_VERSION, LAYOUT_VERSION];
        parts.extend(self.lake.projections.iter().map(String::as_str));
        let files: Vec<&LakeFile> = self.lake.discovery.files.iter().filter(|f| scope.admits(f)).collect();
        Ok(identity(&parts, &files))
    }

    /// Files of the scope that the store's builder set aside are set aside
    /// here too (and so reported), without reading them again.
    fn adopt_problems(&self, store: &EventStore, scope: &Scope) -> Result<()> {
        if store.manifest.problems.is_empty() {
            return Ok(());
        }
        let mut plan = self.lake.plan_mut()?;
        for p in &store.manifest.problems {
            if self.in_scope(scope, &p.path) && !plan.problems.iter().any(|known| known.path == p.path) {
                plan.quarantine(&p.path, p.problem.clone());
            }
        }
        Ok(())
    }

    fn build_store(&self, scope: &Scope, root: &Path, key: &str) -> Result<EventStore> {
        let cache_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LakeError::Cache { path, source }
        };
        std::fs::create_dir_all(root).map_err(cache_err(root))?;
        // Another process may be writing the same store: wait for it.
        let lock_path = root.join(format!("{key}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(cache_err(&lock_path))?;
        fs4::FileExt::lock(&lock).map_err(cache_err(&lock_path))?;
        let done = root.join(key);
        if let Some(store) = EventStore::load(&done) {
            return Ok(store);
        }
        let work = root.join(format!("{key}.building"));
        let (stage, out) = (work.join("stage"), work.join("out"));
        for dir in [&stage, &out] {
            std::fs::create_dir_all(dir).map_err(cache_err(dir))?;
        }
        self.fill_cache(scope)?;
        self.recovering(scope, || self.stage_groups(scope, &stage))?;
        let chunks = self.dedupe_days(&stage, &out)?;
        let files = self.lake.discovery.files.iter().filter(|f| scope.admits(f)).count();
        let problems: Vec<FileProblem> = {
            let plan = self.lake.plan()?;
            plan.problems
                .iter()
                .filter(|p| self.in_scope(scope, &p.path))
                .cloned()
                .collect()
        };
        let manifest = Manifest {
            files,
            chunks,
            problems,
        };
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| LakeError::Db(e.to_string()))?;
        let manifest_path = out.join(MANIFEST);
        std::fs::write(&manifest_path, text).map_err(cache_err(&manifest_path))?;
        std::fs::rename(&out, &done).map_err(cache_err(&done))?;
        let _ = std::fs::remove_dir_all(&work);
        EventStore::load(&done).ok_or_else(|| LakeError::Db(format!("event store {} unreadable", done.display())))
    }

    /// Step 1: every copy of every event, one plain parquet file per group
    /// (a stream; partitioned writes buffer whole partitions in memory).
    fn stage_groups(&self, scope: &Scope, stage: &Path) -> Result<()> {
        let groups = self.scoped_groups(scope)?;
        let mut names = Vec::new();
        let total = groups.len();
        for (i, (group, files)) in groups.iter().enumerate() {
            let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
            // Named by its SQL, which lists its files: a set-aside file means a new name.
            let sql = group_sql(group, &paths, "true", self.lake.cache.as_ref());
            let name = format!("{}.parquet", identity(&[&sql], &[]));
            let target = stage.join(&name);
            names.push(name);
            if target.exists() {
                continue;
            }
            self.lake.set_conversion(Some(Conversion {
                task: "indexing events (one copy each): source group".into(),
                done: i,
                total,
            }));
            self.copy_to(&sql, &target)?;
        }
        // Stages of an earlier attempt whose group has changed since.
        for entry in std::fs::read_dir(stage).into_iter().flatten().flatten() {
            if !names.iter().any(|n| entry.file_name().to_string_lossy() == n.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// Step 2: one copy of each event (the best source first), sorted by
    /// time, one file per day or slice of a day.
    fn dedupe_days(&self, stage: &Path, out: &Path) -> Result<Vec<Chunk>> {
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
        let days = self.rows(
            &format!(
                "SELECT time_ms // {DAY_MS} AS day, count(*) FROM read_parquet({list}, union_by_name = true) \
                 GROUP BY day ORDER BY day NULLS LAST"
            ),
            &Filter::default(),
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
        )?;
        let mut chunks = Vec::new();
        let total = days.len();
        for (i, (day, copies)) in days.into_iter().enumerate() {
            self.lake.set_conversion(Some(Conversion {
                task: "indexing events (one copy each): day".into(),
                done: i,
                total,
            }));
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
                    self.copy_to(&select, &target)?;
                }
                let rows = self.count(&format!(
                    "SELECT count(*) FROM read_parquet({})",
                    lit(&target.to_string_lossy())
                ))?;
                chunks.push(Chunk { file: name, day, rows });
            }
        }
        Ok(chunks)
    }

    /// `COPY (select) TO target`, written under another name and renamed,
    /// so that a file with the target's name is always complete.
    fn copy_to(&self, select: &str, target: &Path) -> Result<()> {
        let tmp = target.with_extension("tmp");
        let copy = format!(
            "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd)",
            lit(&tmp.to_string_lossy())
        );
        tracing::debug!(sql = %copy, "event store");
        if let Err(err) = self.conn.borrow().execute_batch(&copy) {
            let _ = std::fs::remove_file(&tmp);
            return Err(LakeError::db(err));
        }
        std::fs::rename(&tmp, target).map_err(|source| LakeError::Cache {
            path: target.to_path_buf(),
            source,
        })
    }

    fn count(&self, sql: &str) -> Result<u64> {
        let rows = self.rows(sql, &Filter::default(), |r| r.get::<_, i64>(0))?;
        Ok(rows.first().copied().unwrap_or(0).max(0) as u64)
    }

    /// A query failed on one of our store files (damaged, or removed by
    /// another process trimming the cache): forget that store.
    pub(super) fn discard_store_named_in(&self, message: &str) -> bool {
        let Some(root) = self.store_root() else {
            return false;
        };
        let root_text = root.to_string_lossy();
        let Some(at) = message.find(root_text.as_ref()) else {
            return false;
        };
        let rest = &message[at + root_text.len()..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        if name.is_empty() {
            return false;
        }
        tracing::warn!(store = %name, problem = %clean_error(message), "discarding a damaged event store");
        std::fs::remove_dir_all(root.join(&name)).is_ok()
    }
}

/// Keep the `keep` most recently used stores; remove the others that sat
/// unused for an hour, and what interrupted builds left a day ago.
fn trim(root: &Path, keep: usize) {
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
