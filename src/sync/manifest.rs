//! The evidence manifest: one JSON line per fetched (or deleted) file, kept in
//! the sync directory's state folder, which the lake reader never walks
//! (it skips dot-folders).
//!
//! Lines are appended as files land so that a killed sync loses at most the
//! line being written; the last line for a path wins, and a run rewrites the
//! file once, sorted, through a temporary name.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::SyncError;

/// lakescope's own folder inside a sync directory: manifest and partial downloads.
pub const STATE_DIR: &str = ".lakescope-sync";
const MANIFEST: &str = "manifest.jsonl";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Local path relative to the sync directory, `/`-separated.
    pub path: String,
    pub bucket: String,
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub sha256: String,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    /// The file was removed by `--delete` (kept as a record of the removal).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

pub struct Manifest {
    path: PathBuf,
    entries: BTreeMap<String, Entry>,
    /// Line numbers that did not parse (a torn last line, or tampering).
    damaged: Vec<usize>,
    append: Option<File>,
}

impl Manifest {
    /// Read the manifest of `dir` (empty if there is none yet).
    pub fn load(dir: &Path) -> Result<Manifest, SyncError> {
        let path = dir.join(STATE_DIR).join(MANIFEST);
        let mut manifest = Manifest {
            path: path.clone(),
            entries: BTreeMap::new(),
            damaged: Vec::new(),
            append: None,
        };
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(manifest),
            Err(source) => return Err(SyncError::Io { path, source }),
        };
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| SyncError::Io {
                path: path.clone(),
                source,
            })?;
            match serde_json::from_str::<Entry>(&line) {
                Ok(entry) if entry.deleted => {
                    manifest.entries.remove(&entry.path);
                }
                Ok(entry) => {
                    manifest.entries.insert(entry.path.clone(), entry);
                }
                Err(_) => manifest.damaged.push(number + 1),
            }
        }
        Ok(manifest)
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn damaged_lines(&self) -> &[usize] {
        &self.damaged
    }

    /// Append one entry and flush it to disk before returning.
    pub fn record(&mut self, entry: Entry) -> Result<(), SyncError> {
        let io = |source| SyncError::Io {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| io(std::io::Error::other(e)))?;
        line.push('\n');
        if self.append.is_none() {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(io)?;
            self.append = Some(file);
        }
        if let Some(file) = self.append.as_mut() {
            file.write_all(line.as_bytes()).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        if entry.deleted {
            self.entries.remove(&entry.path);
        } else {
            self.entries.insert(entry.path.clone(), entry);
        }
        Ok(())
    }

    /// Rewrite the manifest with one sorted line per live file; also drops a
    /// torn last line, so that later appends start on a line of their own.
    pub fn compact(&mut self) -> Result<(), SyncError> {
        let io = |source| SyncError::Io {
            path: self.path.clone(),
            source,
        };
        self.append = None;
        let temp = self.path.with_extension("jsonl.tmp");
        let mut out = std::io::BufWriter::new(File::create(&temp).map_err(io)?);
        for entry in self.entries.values() {
            serde_json::to_writer(&mut out, entry).map_err(|e| io(std::io::Error::other(e)))?;
            out.write_all(b"\n").map_err(io)?;
        }
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temp, &self.path).map_err(io)?;
        self.damaged.clear();
        Ok(())
    }
}

/// Size and lowercase hex SHA-256 of a file.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// One difference between the directory and its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub path: String,
    pub problem: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub checked: usize,
    pub differences: Vec<Difference>,
}

/// Re-hash every file the manifest lists and look for files it does not
/// list. Reads only: `verify` may run on evidence that must not change.
pub fn verify(dir: &Path) -> Result<VerifyReport, SyncError> {
    let manifest = Manifest::load(dir)?;
    if manifest.entries.is_empty() && manifest.damaged.is_empty() {
        return Err(SyncError::Usage(format!(
            "{} has no lakescope sync manifest ({STATE_DIR}/{MANIFEST})",
            dir.display()
        )));
    }
    let mut differences: Vec<Difference> = manifest
        .damaged
        .iter()
        .map(|line| Difference {
            path: format!("{STATE_DIR}/{MANIFEST}"),
            problem: format!("line {line} is not a manifest entry"),
        })
        .collect();
    for entry in manifest.entries.values() {
        let problem = match hash_file(&dir.join(&entry.path)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Some("missing".to_string()),
            Err(err) => Some(format!("cannot be read: {err}")),
            Ok((size, _)) if size != entry.size => Some(format!("size {size}, manifest says {}", entry.size)),
            Ok((_, sha)) if sha != entry.sha256 => Some(format!("SHA-256 {sha}, manifest says {}", entry.sha256)),
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            differences.push(Difference {
                path: entry.path.clone(),
                problem,
            });
        }
    }
    for file in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != STATE_DIR)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let Ok(relative) = file.path().strip_prefix(dir) else {
            continue;
        };
        let relative = slash_path(relative);
        if !manifest.entries.contains_key(&relative) {
            differences.push(Difference {
                path: relative,
                problem: "not in the manifest".into(),
            });
        }
    }
    Ok(VerifyReport {
        checked: manifest.entries.len(),
        differences,
    })
}

/// A relative path with `/` separators, as the manifest stores it.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
