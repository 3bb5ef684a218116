//! Raw CloudTrail converted once to the flat event shape.
//!
//! Parsing JSON is by far the slowest part of a scan, so the raw trail files
//! of each folder (one account, region and day) are projected to one parquet
//! file the first time a query needs them and read from there afterwards.
//! Entries live in the user's cache directory (never in the lake) and are
//! keyed by the files' paths, sizes and modification times, so a changed or
//! new file means a new entry. A file that cannot be read is reported by name
//! and its folder is converted without it.

use std::path::{Path, PathBuf};

use duckdb::Connection;
use sha2::{Digest, Sha256};

use super::convert::Converter;
use super::discovery::LakeFile;
use super::error::{DbError, DbErrorKind};
use super::model::FileProblem;
use super::projection::{MAX_JSON_OBJECT, SMALL_JSON_OBJECT, file_list, lit, raw_scan_sql, raw_scan_typed_sql};

/// Bump when the flat projection changes: old entries are then ignored.
pub const LAYOUT_VERSION: &str = "flat-v3";

#[derive(Debug, Clone)]
pub struct FlatCache {
    dir: PathBuf,
    converter: Converter,
}

/// Raw trail files of one account and region (a group, or one day
/// folder of it), to be converted.
pub struct TrailGroup<'a> {
    pub label: &'a str,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub files: Vec<&'a LakeFile>,
}

/// Which trail a folder belongs to (the projection's constants).
#[derive(Clone, Copy)]
struct Trail<'a> {
    label: &'a str,
    account: Option<&'a str>,
    region: Option<&'a str>,
}

/// Where lakescope keeps what it derives from lakes: `LAKESCOPE_CACHE_DIR`,
/// else the platform cache directory.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("LAKESCOPE_CACHE_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(
            directories::ProjectDirs::from("", "", "lakescope")?
                .cache_dir()
                .to_path_buf(),
        ),
    }
}

/// The folders of the cache dir that lakescope writes (by name prefix):
/// the only ones `lakescope cache clean` removes anything from.
pub const CACHE_FOLDERS: &[&str] = &["flat-", "events-", "footers-", "flows-"];

impl FlatCache {
    /// `LAKESCOPE_CACHE_DIR`, else the platform cache directory. None when
    /// no writable place exists: raw files are then read directly.
    pub fn locate() -> Option<FlatCache> {
        FlatCache::at(&cache_dir()?, Converter::from_env()).ok()
    }

    /// A cache under `base` filled by `converter`.
    pub fn at(base: &Path, converter: Converter) -> std::io::Result<FlatCache> {
        let dir = base.join(LAYOUT_VERSION);
        std::fs::create_dir_all(&dir)?;
        Ok(FlatCache { dir, converter })
    }

    /// Where the converted copy of one folder's files lives (whether or
    /// not it exists yet): a hash of their paths, sizes and modification
    /// times, so any change to the folder means a new entry.
    pub fn entry(&self, files: &[&LakeFile], account: Option<&str>, region: Option<&str>) -> PathBuf {
        let name = identity(&[account.unwrap_or(""), region.unwrap_or("")], files);
        self.dir.join(&name[..2]).join(format!("{name}.parquet"))
    }

    /// A name beside `entry` to write it under, unique to this process
    /// and call, so that a reader never sees half a file.
    pub fn temp_name(&self, entry: &Path) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        entry.with_extension(format!("tmp{}-{n}", std::process::id()))
    }

    /// A folder beside the flat entries, for other derived data.
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap_or(&self.dir).join(name)
    }

    pub fn converter(&self) -> Converter {
        self.converter
    }

    /// Convert `folders` (each one day folder's files) with DuckDB, one at
    /// a time on the caller's connection: its interrupt (cancel) reaches
    /// the COPY, and DuckDB already reads a folder's files in parallel.
    /// `progress(done, total)` is called before each folder.
    pub fn fill_with_duckdb(
        &self,
        conn: &Connection,
        folders: &[TrailGroup<'_>],
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<FileProblem>, DbError> {
        let total = folders.len();
        let mut problems = Vec::new();
        for (done, folder) in folders.iter().enumerate() {
            progress(done, total);
            let trail = Trail {
                label: folder.label,
                account: folder.account,
                region: folder.region,
            };
            problems.extend(self.convert_folder(conn, trail, folder.files.clone())?);
        }
        Ok(problems)
    }

    /// One COPY for the folder; on failure, set the culprit aside and retry.
    fn convert_folder(
        &self,
        conn: &Connection,
        trail: Trail<'_>,
        mut batch: Vec<&LakeFile>,
    ) -> Result<Vec<FileProblem>, DbError> {
        let mut problems = Vec::new();
        // DuckDB holds two buffers of this size per JSON file in flight: start
        // small, go large only for a folder that has a huge record.
        let mut object_size = SMALL_JSON_OBJECT;
        while !batch.is_empty() {
            let entry = self.entry(&batch, trail.account, trail.region);
            let paths: Vec<&Path> = batch.iter().map(|f| f.path.as_path()).collect();
            let Err(error) = self.convert(conn, trail, &paths, &entry, object_size) else {
                break;
            };
            let DbErrorKind::BadData { oversized, .. } = error.kind else {
                return Err(error);
            };
            if oversized && object_size < MAX_JSON_OBJECT {
                object_size = MAX_JSON_OBJECT;
                continue;
            }
            // DuckDB names the file for gzip and JSON errors; otherwise try each alone.
            let named = batch.iter().position(|f| error.names(&f.path));
            let culprits: Vec<(usize, String)> = match named {
                Some(i) => vec![(i, error.message.clone())],
                None => batch
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| {
                        let probe = entry.with_extension(format!("probe{i}"));
                        let result = self.convert(conn, trail, &[f.path.as_path()], &probe, object_size);
                        let _ = std::fs::remove_file(&probe);
                        result.err().filter(DbError::is_bad_data).map(|e| (i, e.message))
                    })
                    .collect(),
            };
            if culprits.is_empty() {
                return Err(error);
            }
            for (i, problem) in culprits.iter().rev() {
                let file = batch.remove(*i);
                problems.push(FileProblem {
                    path: file.path.clone(),
                    problem: problem.clone(),
                });
            }
        }
        Ok(problems)
    }

    fn convert(
        &self,
        conn: &Connection,
        trail: Trail<'_>,
        sources: &[&Path],
        entry: &Path,
        object_size: u64,
    ) -> Result<(), DbError> {
        // Cache folder problems are a lack of disk as far as recovery goes.
        let disk = |message: String| DbError::new(DbErrorKind::Resources, message);
        let dir = entry.parent().ok_or_else(|| disk("cache entry has no folder".into()))?;
        std::fs::create_dir_all(dir).map_err(|e| disk(format!("cannot create cache folder {}: {e}", dir.display())))?;
        // Written under a temporary name and renamed, so a reader never sees half a file.
        let tmp = self.temp_name(entry);
        let sql = copy_sql(
            self.converter,
            trail.label,
            trail.account,
            trail.region,
            sources,
            &tmp,
            object_size,
        );
        let result = conn.execute_batch(&sql);
        if let Err(err) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(DbError::classify(&err).cleaned());
        }
        // Never replace an existing entry: another process may be reading it,
        // and DuckDB can reopen a path between the footer and the data.
        let stored = match std::fs::hard_link(&tmp, entry) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(disk(format!("cannot store cache entry {}: {e}", entry.display()))),
        };
        let _ = std::fs::remove_file(&tmp);
        stored
    }
}

/// The COPY that converts one folder's `sources` into `out` with a DuckDB
/// converter.
pub fn copy_sql(
    converter: Converter,
    label: &str,
    account: Option<&str>,
    region: Option<&str>,
    sources: &[&Path],
    out: &Path,
    object_size: u64,
) -> String {
    let list = file_list(sources.iter().copied());
    let select = match converter {
        Converter::DuckDbTyped => raw_scan_typed_sql(&list, account, region, label, object_size),
        _ => raw_scan_sql(&list, account, region, label, object_size),
    };
    format!(
        "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd)",
        lit(&out.to_string_lossy())
    )
}

/// A name for a set of files as they are now: a hash of `parts` and of
/// each file's path, size and modification time (in path order).
pub fn identity(parts: &[&str], files: &[&LakeFile]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let mut files: Vec<&LakeFile> = files.to_vec();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for file in files {
        let modified = std::fs::metadata(&file.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        for part in [
            file.path.to_string_lossy().as_ref(),
            &file.size.to_string(),
            &modified.to_string(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
    }
    hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Files grouped by their folder (one trail partition per folder).
pub fn by_folder<'a>(files: &[&'a LakeFile]) -> Vec<Vec<&'a LakeFile>> {
    let mut folders: std::collections::BTreeMap<&Path, Vec<&'a LakeFile>> = Default::default();
    for file in files {
        folders
            .entry(file.path.parent().unwrap_or(Path::new("")))
            .or_default()
            .push(file);
    }
    folders.into_values().collect()
}
