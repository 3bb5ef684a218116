//! The native raw CloudTrail converter: trail files to the flat cache
//! entries without DuckDB's JSON reader.
//!
//! DuckDB parses each record into a JSON tree and extracts fields from it,
//! at about 21 MB/s of JSON. Here day folders are converted on as many
//! threads as there are cores (with fewer folders than cores, a folder's
//! files are read by several threads): a file is inflated, its records are
//! read in one pass keeping only the wanted fields as borrowed text, and
//! the rows go to arrow builders and a ZSTD parquet writer. The entry
//! written is the one the DuckDB conversion writes, value for value
//! (`tests/native_conversion.rs` compares both).
//!
//! Memory per reading thread is one inflated file and its rows, plus one
//! file's rows waiting for the writer and the row group being encoded:
//! bounded by the largest trail file, as DuckDB's `maximum_object_size`
//! bounds its reader.

mod batch;
mod choice;
mod error;
mod file;
mod folder;
mod json_text;
mod record;
mod time;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use duckdb::Connection;

use super::cache::{FlatCache, TrailGroup, by_folder};
use super::connect::open_database;
use super::discovery::{self, LakeFile};
use super::error::{DbError, LakeError};
use super::footers::Footers;
use super::model::FileProblem;
use super::plan::{Plan, Reader};

pub use choice::{Cancel, Converter};
pub use error::ConvertError;

/// Convert the folders of `groups` that have no flat cache entry yet with
/// the cache's converter. The native one works on several folders at once
/// and stops when `cancel` is set; the DuckDB ones convert a folder at a
/// time on `conn`, whose interrupt reaches the COPY. `progress(done,
/// total)` counts folders.
pub(crate) fn fill(
    cache: &FlatCache,
    conn: &Connection,
    groups: &[TrailGroup<'_>],
    cancel: &Cancel,
    progress: &dyn Fn(usize, usize),
) -> Result<Vec<FileProblem>, DbError> {
    let todo = pending(cache, groups);
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let converter = cache.converter();
    tracing::info!(
        folders = todo.len(),
        converter = converter.name(),
        "converting raw CloudTrail to the flat cache"
    );
    match converter {
        Converter::Native => convert_folders(cache, todo, cancel, progress).map_err(DbError::from),
        _ => cache.fill_with_duckdb(conn, &todo, progress),
    }
}

/// Convert `folders` (each one day folder of one trail) into the cache on
/// worker threads; `progress(done, total)` is called on this thread.
fn convert_folders(
    cache: &FlatCache,
    folders: Vec<TrailGroup<'_>>,
    cancel: &Cancel,
    progress: &dyn Fn(usize, usize),
) -> Result<Vec<FileProblem>, ConvertError> {
    let total = folders.len();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = cores.min(total.max(1));
    // Fewer folders than cores (a scope of a day or two): their files are
    // read in parallel instead.
    let parsers = (cores / workers).max(1);
    // Largest folders first, so that one big folder does not finish alone.
    let mut folders = folders;
    folders.sort_by_key(|f| std::cmp::Reverse(f.files.iter().map(|x| x.size).sum::<u64>()));
    let next = AtomicUsize::new(0);
    let (done_tx, done_rx) = mpsc::channel::<Result<Vec<FileProblem>, ConvertError>>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (folders, next) = (&folders, &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(folder) = folders.get(i) else { break };
                    let result = if cancel.is_set() {
                        Err(ConvertError::Cancelled)
                    } else {
                        convert_one(cache, folder, cancel, parsers)
                    };
                    let failed = result.is_err();
                    if done_tx.send(result).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut problems = Vec::new();
        let mut first_error = None;
        progress(0, total);
        let mut done = 0;
        for result in done_rx {
            match result {
                Ok(found) => problems.extend(found),
                Err(err) => {
                    // Stop the other workers; keep the first reason.
                    cancel.set();
                    first_error.get_or_insert(err);
                }
            }
            done += 1;
            if done < total {
                progress(done, total);
            }
        }
        match first_error {
            Some(err) => Err(err),
            None => Ok(problems),
        }
    })
}

/// One folder: written under a temporary name, then linked to the entry
/// of the files that were converted (set-aside files are not part of it).
fn convert_one(
    cache: &FlatCache,
    folder: &TrailGroup<'_>,
    cancel: &Cancel,
    parsers: usize,
) -> Result<Vec<FileProblem>, ConvertError> {
    let all = cache.entry(&folder.files, folder.account, folder.region);
    let dir = all.parent().ok_or_else(|| ConvertError::Cache {
        path: all.clone(),
        source: std::io::Error::other("cache entry has no folder"),
    })?;
    std::fs::create_dir_all(dir).map_err(|source| ConvertError::Cache {
        path: dir.to_path_buf(),
        source,
    })?;
    let tmp = cache.temp_name(&all);
    let written = folder::write_folder(folder, &tmp, cancel, parsers);
    let result = written.and_then(|(good, problems)| {
        if good.is_empty() {
            return Ok(problems);
        }
        let kept: Vec<&LakeFile> = folder
            .files
            .iter()
            .copied()
            .filter(|f| good.contains(&f.path))
            .collect();
        let entry = cache.entry(&kept, folder.account, folder.region);
        store(&tmp, &entry)?;
        Ok(problems)
    });
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Link the finished file to its entry name. Never replace an existing
/// entry: another process may be reading it.
fn store(tmp: &Path, entry: &Path) -> Result<(), ConvertError> {
    if let Some(dir) = entry.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ConvertError::Cache {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    match std::fs::hard_link(tmp, entry) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(ConvertError::Cache {
            path: entry.to_path_buf(),
            source,
        }),
    }
}

/// What [`convert_lake`] did.
#[derive(Debug, Default)]
pub struct Converted {
    /// The raw trail files found (converted or set aside).
    pub files: Vec<PathBuf>,
    /// Their size as stored (compressed).
    pub bytes: u64,
    pub problems: Vec<FileProblem>,
}

/// Convert every raw CloudTrail file under `root` into a flat cache at
/// `cache_dir` with `converter` (for tests and the benchmark; the engine
/// converts through `Session`).
pub fn convert_lake(root: &Path, cache_dir: &Path, converter: Converter) -> Result<Converted, LakeError> {
    let discovery = discovery::discover(root)?;
    let conn = open_database()?;
    let plan = Plan::build(&conn, &discovery.files, &mut Footers::default())?;
    let cache = FlatCache::at(cache_dir, converter).map_err(|source| LakeError::Cache {
        path: cache_dir.to_path_buf(),
        source,
    })?;
    let mut converted = Converted::default();
    let mut groups = Vec::new();
    for group in &plan.groups {
        if let Reader::RawJson { account, region } = &group.reader {
            let files: Vec<&LakeFile> = group.files.iter().collect();
            converted.files.extend(files.iter().map(|f| f.path.clone()));
            converted.bytes += files.iter().map(|f| f.size).sum::<u64>();
            groups.push(TrailGroup {
                label: &group.label,
                account: account.as_deref(),
                region: region.as_deref(),
                files,
            });
        }
    }
    converted.problems = fill(&cache, &conn, &groups, &Cancel::default(), &|_, _| {}).map_err(LakeError::from_db)?;
    converted.problems = FileProblem::by_path(std::mem::take(&mut converted.problems));
    Ok(converted)
}

/// The statements a DuckDB converter runs for every raw trail folder
/// under `root` (writing to `out_dir`), for replaying the same work in
/// another DuckDB build (the benchmark); None for the native converter.
pub fn duckdb_statements(root: &Path, out_dir: &Path, converter: Converter) -> Result<Option<Vec<String>>, LakeError> {
    if converter == Converter::Native {
        return Ok(None);
    }
    let discovery = discovery::discover(root)?;
    let conn = open_database()?;
    let plan = Plan::build(&conn, &discovery.files, &mut Footers::default())?;
    let mut statements = Vec::new();
    for group in &plan.groups {
        if let Reader::RawJson { account, region } = &group.reader {
            let files: Vec<&LakeFile> = group.files.iter().collect();
            for (i, folder) in by_folder(&files).iter().enumerate() {
                let paths: Vec<&Path> = folder.iter().map(|f| f.path.as_path()).collect();
                let out = out_dir.join(format!(
                    "{}-{}-{i}.parquet",
                    account.as_deref().unwrap_or("-"),
                    region.as_deref().unwrap_or("-")
                ));
                statements.push(super::cache::copy_sql(
                    converter,
                    &group.label,
                    account.as_deref(),
                    region.as_deref(),
                    &paths,
                    &out,
                    super::projection::SMALL_JSON_OBJECT,
                ));
            }
        }
    }
    Ok(Some(statements))
}

/// The folders of `groups` that have no entry yet.
fn pending<'a>(cache: &FlatCache, groups: &[TrailGroup<'a>]) -> Vec<TrailGroup<'a>> {
    let mut folders = Vec::new();
    for group in groups {
        for files in by_folder(&group.files) {
            if !cache.entry(&files, group.account, group.region).exists() {
                folders.push(TrailGroup {
                    label: group.label,
                    account: group.account,
                    region: group.region,
                    files,
                });
            }
        }
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::discovery::SourceKind;
    use crate::lake::error::DbErrorKind;

    fn parquet_files(dir: &Path) -> usize {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .count()
    }

    #[test]
    fn a_cancel_stops_the_conversion_before_any_entry_is_stored() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lake");
        let found = discovery::discover(&root).expect("demo lake");
        let files: Vec<&LakeFile> = found
            .files
            .iter()
            .filter(|f| f.kind == SourceKind::CloudTrailJson)
            .collect();
        assert!(!files.is_empty());
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FlatCache::at(dir.path(), Converter::Native).expect("cache");
        let groups = [TrailGroup {
            label: "CloudTrail",
            account: None,
            region: None,
            files,
        }];
        let cancel = Cancel::default();
        cancel.set();
        let result = convert_folders(&cache, pending(&cache, &groups), &cancel, &|_, _| {});
        assert!(matches!(result, Err(ConvertError::Cancelled)), "{result:?}");
        assert_eq!(parquet_files(dir.path()), 0, "no entry and no temporary file left");
        assert_eq!(
            DbError::from(ConvertError::Cancelled).kind,
            DbErrorKind::Interrupted,
            "reported as DuckDB's interrupt is"
        );

        cancel.reset();
        let folders = pending(&cache, &groups).len();
        let problems = convert_folders(&cache, pending(&cache, &groups), &cancel, &|_, _| {}).expect("converts");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(parquet_files(dir.path()), folders, "one entry per folder");
        assert!(pending(&cache, &groups).is_empty());
    }
}
