//! What opening a lake learnt from its parquet footers, kept between runs.
//!
//! Every command opens the lake, and opening groups the parquet files by
//! schema: each footer is read (a fingerprint of its columns) and one file
//! per fingerprint is described. On a lake of a few thousand files that is
//! most of a quick command's time, and it gives the same answer until a
//! file changes. So the fingerprints (or the reason a footer is unreadable)
//! are kept per file with its size and modification time, and the column
//! lists per fingerprint, in one JSON file per lake in the cache directory
//! (never in the lake). A file whose size or time differs is read again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::cache::FlatCache;
use super::discovery::LakeFile;

/// Bump when what is kept changes; also the folder's name.
const FOOTERS_VERSION: &str = "footers-v1";

/// One file's footer as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Footer {
    size: u64,
    modified_ns: u128,
    /// The schema fingerprint, or why the footer could not be read.
    pub(crate) read: Result<String, String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    files: BTreeMap<PathBuf, Footer>,
    /// `DESCRIBE` rows (name, type) per fingerprint.
    schemas: BTreeMap<String, Vec<(String, String)>>,
}

/// The footers known for one lake; saved back when something was learnt.
#[derive(Debug, Default)]
pub(crate) struct Footers {
    path: Option<PathBuf>,
    kept: Kept,
    /// Entries read this time (the ones saved: files gone are forgotten).
    now: Kept,
    learnt: bool,
}

fn modified_ns(path: &Path) -> Option<u128> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
}

impl Footers {
    /// What the cache holds for the lake at `root` (nothing without a cache).
    pub(crate) fn load(cache: Option<&FlatCache>, root: &Path) -> Footers {
        let Some(cache) = cache else {
            return Footers::default();
        };
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let name: String = Sha256::digest(root.to_string_lossy().as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = cache.sibling(FOOTERS_VERSION).join(format!("{name}.json"));
        let kept = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Footers {
            path: Some(path),
            kept,
            now: Kept::default(),
            learnt: false,
        }
    }

    /// The footer kept for `file`, if the file has not changed since.
    pub(crate) fn get(&mut self, file: &LakeFile) -> Option<Result<String, String>> {
        let kept = self.kept.files.get(&file.path)?;
        let unchanged = kept.size == file.size && Some(kept.modified_ns) == modified_ns(&file.path);
        if !unchanged {
            return None;
        }
        self.now.files.insert(file.path.clone(), kept.clone());
        Some(kept.read.clone())
    }

    /// Remember what `file`'s footer said.
    pub(crate) fn put(&mut self, file: &LakeFile, read: Result<String, String>) {
        let Some(modified_ns) = modified_ns(&file.path) else {
            return;
        };
        self.learnt = true;
        let footer = Footer {
            size: file.size,
            modified_ns,
            read,
        };
        self.now.files.insert(file.path.clone(), footer);
    }

    pub(crate) fn schema(&mut self, print: &str) -> Option<Vec<(String, String)>> {
        let rows = self.kept.schemas.get(print)?.clone();
        self.now.schemas.insert(print.to_string(), rows.clone());
        Some(rows)
    }

    pub(crate) fn put_schema(&mut self, print: &str, rows: Vec<(String, String)>) {
        self.learnt = true;
        self.now.schemas.insert(print.to_string(), rows);
    }

    /// Write what was read this time, if anything was new or forgotten
    /// (another process may write at the same moment: last one wins, both
    /// are right). A cache that cannot be written only costs speed.
    pub(crate) fn save(self) {
        let Some(path) = self.path else { return };
        let forgotten = self.now.files.len() != self.kept.files.len();
        if !self.learnt && !forgotten {
            return;
        }
        let Ok(text) = serde_json::to_string(&self.now) else {
            return;
        };
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
