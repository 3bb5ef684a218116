//! Raw CloudTrail converted once to the flat event shape.
//!
//! Parsing JSON is by far the slowest part of a scan, so each raw trail file
//! is projected to parquet the first time a query needs it and read from
//! there afterwards. Entries live in the user's cache directory (never in the
//! lake) and are keyed by the file's path, size and modification time, so a
//! changed file is converted again. A file that fails to convert is reported
//! by name and left out; the others are unaffected.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::Connection;
use sha2::{Digest, Sha256};

use super::discovery::LakeFile;
use super::plan::{FileProblem, clean_error, file_list, raw_scan_sql};
use super::projection::lit;

/// Bump when the flat projection changes: old entries are then ignored.
const LAYOUT_VERSION: &str = "flat-v1";

#[derive(Debug, Clone)]
pub struct FlatCache {
    dir: PathBuf,
}

impl FlatCache {
    /// `LAKESCOPE_CACHE_DIR`, else the platform cache directory. None when
    /// no writable place exists: raw files are then read directly.
    pub fn locate() -> Option<FlatCache> {
        let base = match std::env::var_os("LAKESCOPE_CACHE_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("", "", "lakescope")?.cache_dir().to_path_buf(),
        };
        let dir = base.join(LAYOUT_VERSION);
        std::fs::create_dir_all(&dir).ok()?;
        Some(FlatCache { dir })
    }

    /// Where the converted copy of `file` lives (whether or not it exists yet).
    pub fn entry(&self, file: &LakeFile, account: Option<&str>, region: Option<&str>) -> PathBuf {
        let modified = std::fs::metadata(&file.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let mut hash = Sha256::new();
        for part in [
            file.path.to_string_lossy().as_ref(),
            &file.size.to_string(),
            &modified.to_string(),
            account.unwrap_or(""),
            region.unwrap_or(""),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let name: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.dir.join(&name[..2]).join(format!("{name}.parquet"))
    }

    /// Convert the files that have no entry yet, `workers` at a time.
    /// Returns the files that could not be converted.
    pub fn fill(
        &self,
        conn: &Connection,
        label: &str,
        account: Option<&str>,
        region: Option<&str>,
        files: &[&LakeFile],
        workers: usize,
    ) -> Vec<FileProblem> {
        let todo: Vec<(&LakeFile, PathBuf)> = files
            .iter()
            .map(|f| (*f, self.entry(f, account, region)))
            .filter(|(_, entry)| !entry.exists())
            .collect();
        if todo.is_empty() {
            return Vec::new();
        }
        if todo.len() > 20 {
            tracing::info!(files = todo.len(), "converting raw CloudTrail to the flat cache");
        }
        let queue = Mutex::new(todo.into_iter());
        let problems = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                let Ok(conn) = conn.try_clone() else { continue };
                let (queue, problems) = (&queue, &problems);
                scope.spawn(move || {
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some((file, entry)) = next else { break };
                        if let Err(problem) = convert(&conn, label, account, region, &file.path, &entry)
                            && let Ok(mut p) = problems.lock()
                        {
                            p.push(FileProblem {
                                path: file.path.clone(),
                                problem,
                            });
                        }
                    }
                });
            }
        });
        problems.into_inner().unwrap_or_default()
    }
}

fn convert(
    conn: &Connection,
    label: &str,
    account: Option<&str>,
    region: Option<&str>,
    source: &Path,
    entry: &Path,
) -> Result<(), String> {
    let dir = entry.parent().ok_or("cache entry has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create cache folder {}: {e}", dir.display()))?;
    // Written under a temporary name and renamed, so a reader never sees half a file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = entry.with_extension(format!("tmp{}-{n}", std::process::id()));
    let select = raw_scan_sql(&file_list([source]), account, region, label);
    let sql = format!(
        "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd)",
        lit(&tmp.to_string_lossy())
    );
    let result = conn.execute_batch(&sql);
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(clean_error(&err.to_string()));
    }
    std::fs::rename(&tmp, entry).map_err(|e| format!("cannot store cache entry {}: {e}", entry.display()))
}
