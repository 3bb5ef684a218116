//! De-duplicated events, kept per UTC day and reused as the lake grows.
//!
//! An event usually reaches a lake more than once (Security Lake 1.0 and 2.0
//! side by side, the raw trail beside them, files an Iceberg compaction
//! replaced). Removing copies in every query means a window over every copy:
//! 6 GB and 15 s for `actors` at 10M events. Instead the first query over a
//! set of files writes their events, one copy each, as parquet per UTC day
//! (in slices of a few hours) in the user's cache directory (never in the lake);
//! later queries over those files, in this process or the next, read that.
//!
//! The work is cut so that a lake that grows costs only what is new
//! (see [`build`]): every copy is first staged per source group and
//! partition day, then each UTC day is de-duplicated from the stages that
//! hold it. Stages and days are named by what they were made from (files'
//! paths, sizes and modification times, the projection SQL), so a new or
//! changed file re-stages its partition and re-writes only the days its
//! events fall on; the rest is reused. A store is then just a manifest
//! naming its days. Each step leaves its file behind, so a cancelled build
//! resumes where it stopped, and days finish newest first.

mod build;
mod stored;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::cache::{FlatCache, LAYOUT_VERSION, identity};
use super::discovery::LakeFile;
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::model::PartialAnswers;
use super::plan::{Plan, group_sql};

pub(crate) use build::{Build, Stage};
pub use stored::STORE_VERSION;
use stored::{DAYS_DIR, IDLE_SECS, KEEP_STORES, MANIFEST, Manifest, STAGE_DIR};
pub(crate) use stored::{EventStore, Progress, cache_err};

/// Where a lake's stores live and how they are named; owned by the lake.
pub(crate) struct EventStores {
    /// None without a cache directory: queries then de-duplicate themselves.
    root: Option<PathBuf>,
    /// Each group's projection SQL (without its files) as first planned:
    /// part of a store's name.
    projections: Vec<String>,
    /// Held while a session writes a store (one at a time).
    build: Mutex<()>,
    /// Answer from the days a build has finished instead of waiting for it
    /// (the workbench, `--partial`); another thread writes the store.
    progressive: AtomicBool,
    /// The days finished by the build running in this process.
    partial: Mutex<Option<(EventStore, PartialAnswers)>>,
    generation: AtomicU64,
}

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

impl EventStores {
    pub(crate) fn new(cache: Option<&FlatCache>, plan: &Plan) -> EventStores {
        EventStores {
            root: cache.map(|c| c.sibling(STORE_VERSION)),
            projections: plan.groups.iter().map(|g| group_sql(g, &[], "true", None)).collect(),
            build: Mutex::new(()),
            progressive: AtomicBool::new(false),
            partial: Mutex::new(None),
            generation: AtomicU64::new(0),
        }
    }

    /// Answer from the finished days while a store is written elsewhere.
    pub(crate) fn set_progressive(&self, on: bool) {
        self.progressive.store(on, Ordering::SeqCst);
    }

    pub(crate) fn progressive(&self) -> bool {
        self.progressive.load(Ordering::SeqCst)
    }

    /// A build finished `done` of `total` partition days: answers may now
    /// come from `store`. None when the build ended.
    pub(crate) fn publish(&self, partial: Option<(EventStore, usize, usize)>) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut slot) = self.partial.lock() {
            *slot = partial.map(|(store, days_done, days_total)| {
                let answers = PartialAnswers {
                    days_done,
                    days_total,
                    events: store.manifest.chunks.iter().map(|c| c.rows).sum(),
                    generation,
                };
                (store, answers)
            });
        }
    }

    /// A store without any day: the answer before the first day is done.
    pub(crate) fn empty(&self) -> Option<EventStore> {
        Some(EventStore {
            root: self.root.clone()?,
            manifest: Manifest {
                files: 0,
                chunks: Vec::new(),
                stages: Vec::new(),
                problems: Vec::new(),
            },
        })
    }

    /// Changes each time a build publishes days (and when it ends).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The days finished so far while a build runs (None when none runs).
    pub(crate) fn partial(&self) -> Option<(EventStore, PartialAnswers)> {
        self.partial.lock().ok().and_then(|p| p.clone())
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
        EventStore::load(self.root.as_ref()?, key)
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
        if let Some(store) = EventStore::load(root, key) {
            return Ok(Begun::Done(store));
        }
        Ok(Begun::Building(Build::new(root, key, lock)?))
    }

    /// Keep the most recently used stores (see [`trim`]), and the stages
    /// and days they name.
    pub(crate) fn trim(&self) {
        if let Some(root) = &self.root {
            trim(root, KEEP_STORES);
            build::sweep(root, IDLE_SECS);
        }
    }

    /// A query failed on one of our store files (damaged, or removed by
    /// another process trimming the cache): forget that file, so that its
    /// store is written again (reusing every other day).
    pub(crate) fn discard_named_in(&self, err: &DbError) -> bool {
        let (Some(root), DbErrorKind::BadData { file: Some(file), .. }) = (&self.root, &err.kind) else {
            return false;
        };
        let Ok(rest) = file.strip_prefix(root) else {
            return false;
        };
        let folder = rest
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        if !matches!(folder.as_deref(), Some(STAGE_DIR | DAYS_DIR)) {
            return false;
        }
        tracing::warn!(file = %file.display(), problem = %err.first_line(), "discarding a damaged event store day");
        build::forget(file)
    }
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
        if path.ends_with(STAGE_DIR) || path.ends_with(DAYS_DIR) {
            continue;
        }
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
