//! Writing a store from the lake's files, reusing what earlier builds left.
//!
//! Step 1 stages every copy of every event, one parquet file per source
//! group and partition day (a stream; partitioned writes would buffer
//! whole partitions in memory), with a note of how many copies fall on
//! each UTC day. Step 2 de-duplicates each UTC day from the stages that
//! hold it, which is exact because the copies of an event share its time.
//! Both are named by their inputs, so a synced day re-stages only its own
//! partitions and re-writes only the days their events fall on (its own,
//! and the day before when late deliveries cross midnight).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use duckdb::Connection;
use serde::{Deserialize, Serialize};

use super::stored::{
    Chunk, DAY_MS, DAYS_DIR, EventStore, MANIFEST, Manifest, Progress, STAGE_DIR, STORE_VERSION, cache_err,
};
use crate::lake::cache::{FlatCache, LAYOUT_VERSION, identity};
use crate::lake::discovery::LakeFile;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::FileProblem;
use crate::lake::plan::{Group, group_sql};
use crate::lake::projection::{file_list, lit};

/// Copies de-duplicated in one go (a few hundred megabytes of window state).
const SLICE_ROWS: u64 = 500_000;

/// A store being written; holds the lock that keeps another process from
/// writing the same one.
pub(crate) struct Build {
    root: PathBuf,
    key: String,
    _lock: File,
}

/// One group's files of one partition day, staged: its name and how many
/// copies fall on each UTC day (None: events without a time).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stage {
    key: String,
    days: Vec<(Option<i64>, u64)>,
}

impl Build {
    pub(super) fn new(root: &Path, key: &str, lock: File) -> Result<Build> {
        for dir in [STAGE_DIR, DAYS_DIR] {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir).map_err(cache_err(&dir))?;
        }
        Ok(Build {
            root: root.to_path_buf(),
            key: key.to_string(),
            _lock: lock,
        })
    }

    /// Step 1: stage each group's files per partition day, newest day
    /// first, reusing stages that earlier builds wrote from the same files.
    pub(crate) fn stage_groups(
        &self,
        conn: &Connection,
        groups: &[(Group, Vec<LakeFile>)],
        cache: Option<&FlatCache>,
        progress: Progress<'_>,
    ) -> Result<Vec<Stage>> {
        let mut units: Vec<(Option<&str>, &Group, Vec<&LakeFile>)> = Vec::new();
        for (group, files) in groups {
            let mut by_day: BTreeMap<Option<&str>, Vec<&LakeFile>> = BTreeMap::new();
            for file in files {
                by_day
                    .entry(file.partition.as_ref().map(|p| p.day.as_str()))
                    .or_default()
                    .push(file);
            }
            units.extend(by_day.into_iter().map(|(day, files)| (day, group, files)));
        }
        // Newest first (incidents are recent); files without a day last.
        units.sort_by_key(|unit| std::cmp::Reverse(unit.0));
        let total = units.len();
        let mut stages = Vec::with_capacity(total);
        for (i, (_, group, files)) in units.into_iter().enumerate() {
            progress("staging source group", i, total);
            let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
            let sql = group_sql(group, &paths, "true", cache);
            let key = identity(&[STORE_VERSION, LAYOUT_VERSION, &sql], &files);
            stages.push(self.stage(conn, &sql, key)?);
        }
        Ok(stages)
    }

    /// One stage, written unless an earlier build left it.
    fn stage(&self, conn: &Connection, sql: &str, key: String) -> Result<Stage> {
        let dir = self.root.join(STAGE_DIR);
        let (data, note) = (dir.join(format!("{key}.parquet")), dir.join(format!("{key}.json")));
        if data.is_file()
            && let Some(stage) = read_json::<Stage>(&note)
        {
            return Ok(stage);
        }
        // Stages are read once per build: cheap to write beats small.
        copy_to(conn, sql, &data, "snappy")?;
        let days = rows(
            conn,
            &format!(
                "SELECT time_ms // {DAY_MS} AS day, count(*) FROM {} GROUP BY day ORDER BY day NULLS LAST",
                read(std::slice::from_ref(&data))
            ),
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
        )?;
        let stage = Stage { key, days };
        write_json(&note, &stage)?;
        Ok(stage)
    }

    /// Step 2 (de-duplicate each day, newest first, reusing days whose
    /// stages have not changed) and the manifest: `files` lake files were
    /// read, `problems` of them set aside.
    pub(crate) fn finish(
        self,
        conn: &Connection,
        stages: Vec<Stage>,
        files: usize,
        problems: Vec<FileProblem>,
        progress: Progress<'_>,
    ) -> Result<EventStore> {
        let mut days: BTreeMap<Option<i64>, (Vec<&str>, u64)> = BTreeMap::new();
        for stage in &stages {
            for (day, copies) in &stage.days {
                let entry = days.entry(*day).or_default();
                entry.0.push(&stage.key);
                entry.1 += copies;
            }
        }
        // Newest first, events without a time last.
        let mut order: Vec<_> = days.into_iter().collect();
        order.sort_by_key(|(day, _)| std::cmp::Reverse(day.map_or(i64::MIN, |d| d)));
        let total = order.len();
        let mut chunks = Vec::new();
        for (i, (day, (mut keys, copies))) in order.into_iter().enumerate() {
            progress("indexing events (one copy each): day", i, total);
            keys.sort_unstable();
            chunks.extend(self.dedupe_day(conn, day, &keys, copies)?);
        }
        chunks.sort_by_key(|c| (c.day.is_none(), c.day, c.file.clone()));
        let manifest = Manifest {
            files,
            chunks,
            stages: stages.into_iter().map(|s| s.key).collect(),
            problems,
        };
        let done = self.root.join(&self.key);
        let work = self.root.join(format!("{}.building", self.key));
        std::fs::create_dir_all(&work).map_err(cache_err(&work))?;
        write_json(&work.join(MANIFEST), &manifest)?;
        let _ = std::fs::remove_dir_all(&done);
        std::fs::rename(&work, &done).map_err(cache_err(&done))?;
        EventStore::load(&self.root, &self.key).ok_or_else(|| {
            cache_err(&done)(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "event store unreadable",
            ))
        })
    }

    /// De-duplicate `day` from the stages written so far, once every
    /// partition that can hold its events is staged (events are delivered
    /// on their day or later, and partitions are staged newest first).
    /// The final manifest re-uses these files when no later stage adds to
    /// the day, and writes the day again when one does.
    pub(crate) fn dedupe_ready(&self, conn: &Connection, stages: &[Stage], day: i64) -> Result<Vec<Chunk>> {
        let mut keys: Vec<&str> = Vec::new();
        let mut copies = 0;
        for stage in stages {
            if let Some((_, n)) = stage.days.iter().find(|(d, _)| *d == Some(day)) {
                keys.push(&stage.key);
                copies += n;
            }
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        keys.sort_unstable();
        self.dedupe_day(conn, Some(day), &keys, copies)
    }

    /// The days finished so far, as a store answering from them alone.
    pub(crate) fn partial(&self, chunks: &[Chunk]) -> EventStore {
        EventStore {
            root: self.root.clone(),
            manifest: Manifest {
                files: 0,
                chunks: chunks.to_vec(),
                stages: Vec::new(),
                problems: Vec::new(),
            },
        }
    }

    /// One copy of each event of `day` (the best source first), in slices
    /// of a bounded number of copies, each a range of the day's time.
    fn dedupe_day(&self, conn: &Connection, day: Option<i64>, stages: &[&str], copies: u64) -> Result<Vec<Chunk>> {
        let day_text = day.map_or_else(|| "none".to_string(), |d| d.to_string());
        let mut parts = vec![STORE_VERSION, LAYOUT_VERSION, "day", &day_text];
        parts.extend(stages);
        let key = identity(&parts, &[]);
        let note = self.root.join(DAYS_DIR).join(format!("{key}.json"));
        if let Some(chunks) = read_json::<Vec<Chunk>>(&note)
            && chunks.iter().all(|c| self.root.join(&c.file).is_file())
        {
            return Ok(chunks);
        }
        let inputs: Vec<PathBuf> = stages
            .iter()
            .map(|k| self.root.join(STAGE_DIR).join(format!("{k}.parquet")))
            .collect();
        let source = read(&inputs);
        let slices = match day {
            Some(_) => copies.div_ceil(SLICE_ROWS).max(1) as i64,
            None => 1,
        };
        let mut chunks = Vec::new();
        for k in 0..slices {
            let range = match day {
                Some(d) => format!(
                    "time_ms >= {} AND time_ms < {}",
                    d * DAY_MS + k * DAY_MS / slices,
                    d * DAY_MS + (k + 1) * DAY_MS / slices
                ),
                None => "time_ms IS NULL".to_string(),
            };
            let file = format!("{DAYS_DIR}/{key}-{k}.parquet");
            let target = self.root.join(&file);
            if !target.is_file() {
                // Operation and time are part of the key because sanitised
                // real samples reuse one eventID for different events. Not
                // sorted within the slice: moving every wide row through a
                // sort was 40 % of writing it, and a slice (a few hours) is
                // only a few row groups, so time filters still skip the rest.
                let select = format!(
                    "SELECT * EXCLUDE (prio) FROM {source} WHERE {range} \
                     QUALIFY event_uid IS NULL \
                     OR row_number() OVER (PARTITION BY event_uid, operation, time_ms ORDER BY prio) = 1"
                );
                copy_to(conn, &select, &target, "zstd")?;
            }
            let counted = rows(conn, &format!("SELECT count(*) FROM {}", read(&[target])), |r| {
                r.get::<_, i64>(0)
            })?;
            let rows = counted.first().copied().unwrap_or(0).max(0) as u64;
            chunks.push(Chunk { file, day, rows });
        }
        write_json(&note, &chunks)?;
        Ok(chunks)
    }
}

/// Remove the stages and days no store names any more, once they sat
/// unused for `idle_secs` (another process may be building with them).
pub(super) fn sweep(root: &Path, idle_secs: u64) {
    let mut named: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        if let Some(manifest) = read_json::<Manifest>(&entry.path().join(MANIFEST)) {
            named.extend(manifest.stages);
            named.extend(manifest.chunks.into_iter().filter_map(|c| day_key(&c.file)));
        }
    }
    let now = std::time::SystemTime::now();
    for dir in [STAGE_DIR, DAYS_DIR] {
        for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = name.split(['-', '.']).next().unwrap_or_default();
            if named.iter().any(|n| n == key) {
                continue;
            }
            let idle = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok());
            if idle.is_some_and(|d| d.as_secs() > idle_secs) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The name a day's files share: `days/<key>-<slice>.parquet`.
fn day_key(file: &str) -> Option<String> {
    let name = file.strip_prefix(DAYS_DIR)?.trim_start_matches('/');
    name.split(['-', '.']).next().map(str::to_string)
}

/// Forget a damaged stage or day: its data and its note.
pub(super) fn forget(file: &Path) -> bool {
    let removed = std::fs::remove_file(file).is_ok();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let (Some(key), Some(dir)) = (name.split(['-', '.']).next(), file.parent()) {
        let _ = std::fs::remove_file(dir.join(format!("{key}.json")));
    }
    removed
}

/// Our own parquet files (never hive-partitioned, whatever the cache path).
fn read(files: &[PathBuf]) -> String {
    format!(
        "read_parquet({}, union_by_name = true, hive_partitioning = false)",
        file_list(files.iter().map(PathBuf::as_path))
    )
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Written under another name and renamed: a note that is there is whole.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| cache_err(path)(std::io::Error::other(e)))?;
    let tmp = temporary(path);
    std::fs::write(&tmp, text).map_err(cache_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(cache_err(path))
}

/// A name of this process's own next to `path`.
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
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

/// `COPY (select) TO target` with `compression`, written under another name and renamed,
/// so that a file with the target's name is always complete.
fn copy_to(conn: &Connection, select: &str, target: &Path, compression: &str) -> Result<()> {
    let tmp = temporary(target);
    let copy = format!(
        "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION {compression})",
        lit(&tmp.to_string_lossy())
    );
    tracing::debug!(sql = %copy, "event store");
    if let Err(err) = conn.execute_batch(&copy) {
        let _ = std::fs::remove_file(&tmp);
        return Err(LakeError::db(err));
    }
    std::fs::rename(&tmp, target).map_err(cache_err(target))
}
