//! Mirror a Security Lake or trail bucket into a local lake directory,
//! incrementally, with an evidence manifest; follow new objects through SQS.
//!
//! This is the one place where lakescope writes lake files: into the
//! directory given to `sync --to`, never into a lake it opens for reading.

pub mod client;
mod download;
mod error;
pub mod follow;
mod listing;
pub mod manifest;
pub mod notify;
pub mod plan;
pub mod slice;

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};

use tokio::task::JoinSet;

pub use client::ClientOptions;
pub use error::SyncError;
pub use listing::Remote;
pub use manifest::{Difference, Manifest, STATE_DIR, VerifyReport, verify};
pub use plan::Filter;

/// What `sync` mirrors and where.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub bucket: String,
    /// The lake root inside the bucket: empty or ending in `/`.
    pub root: String,
    pub dest: PathBuf,
    pub filter: Filter,
    /// Remove local files the manifest knows whose objects are gone.
    pub delete: bool,
    /// Parallel requests at most.
    pub jobs: usize,
}

/// Progress reports; the command line draws them, tests may ignore them.
pub trait Observer: Send + Sync {
    /// Listing done: objects and bytes in scope, and what must be fetched.
    fn planned(&self, listed: &Listed);
    fn fetched(&self, key: &str, bytes: u64);
    fn failed(&self, key: &str, error: &SyncError);
    fn note(&self, message: &str);
    /// Following: the objects of one batch of notices were fetched (the
    /// moment to index them). Nothing by default.
    fn batch_fetched(&self, _objects: usize) {}
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Listed {
    pub objects: usize,
    pub bytes: u64,
    pub to_fetch: usize,
    pub to_fetch_bytes: u64,
    pub list_requests: usize,
    pub skipped_folders: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    pub listed: Listed,
    pub fetched: usize,
    pub fetched_bytes: u64,
    pub unchanged: usize,
    pub failed: usize,
    pub deleted: usize,
    /// Keys that would land outside the directory (`..`, empty segments).
    pub refused: Vec<String>,
}

/// Objects and bytes that `filter` selects under `root`, among the keys
/// (relative to the root) that start with one of `prefixes` (all when
/// empty): listed as a sync lists them, nothing fetched.
pub async fn measure(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    root: &str,
    filter: &Filter,
    prefixes: &[String],
    jobs: usize,
) -> Result<(usize, u64), SyncError> {
    let listing = listing::list(s3, bucket, root, filter, jobs).await?;
    Ok(listing
        .objects
        .iter()
        .filter(|o| prefixes.is_empty() || prefixes.iter().any(|p| o.relative.starts_with(p.as_str())))
        .fold((0, 0), |(n, bytes), o| (n + 1, bytes + o.size)))
}

/// A sync directory bound to its bucket: owns the manifest while it runs.
pub struct Mirror {
    pub options: SyncOptions,
    s3: aws_sdk_s3::Client,
    manifest: Manifest,
    tmp: PathBuf,
    /// Held (locked) while the mirror lives.
    _lock: std::fs::File,
}

impl Mirror {
    /// Prepare the directory: state folder, lock, manifest, and no part
    /// files left over from a killed run.
    pub fn open(options: SyncOptions, s3: aws_sdk_s3::Client) -> Result<Mirror, SyncError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SyncError::Io { path, source }
        };
        let state = options.dest.join(STATE_DIR);
        let tmp = state.join("tmp");
        std::fs::create_dir_all(&state).map_err(io(&state))?;
        // Two syncs into one directory would clear each other's part files
        // and lose manifest lines; the OS drops the lock if we are killed.
        let lock_path = state.join("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match fs4::FileExt::try_lock(&lock) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                return Err(SyncError::Usage(format!(
                    "another lakescope sync is writing to {}",
                    options.dest.display()
                )));
            }
            Err(fs4::TryLockError::Error(source)) => {
                return Err(SyncError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        let mut manifest = Manifest::load(&options.dest)?;
        manifest.compact()?;
        Ok(Mirror {
            options,
            s3,
            manifest,
            tmp,
            _lock: lock,
        })
    }

    /// The local file for a key relative to the root, if the key is safe.
    fn local(&self, relative: &str) -> Option<(String, PathBuf)> {
        let path = plan::local_relative_path(relative)?;
        Some((manifest::slash_path(&path), self.options.dest.join(path)))
    }

    /// Whether the manifest already holds this version of the object and the
    /// file is still there at its size.
    fn is_current(&self, slash: &str, size: u64, etag: &str, path: &Path) -> bool {
        self.manifest.get(slash).is_some_and(|entry| {
            entry.size == size
                && entry.etag == etag
                && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == size)
        })
    }

    fn record(&mut self, key: &str, slash: String, fetched: download::Fetched) -> Result<(), SyncError> {
        self.manifest.record(manifest::Entry {
            path: slash,
            bucket: self.options.bucket.clone(),
            key: key.to_string(),
            size: fetched.size,
            etag: fetched.etag,
            sha256: fetched.sha256,
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            deleted: false,
        })
    }

    /// List, fetch what is missing or changed, optionally delete what is gone.
    pub async fn sync(&mut self, observer: &dyn Observer) -> Result<SyncReport, SyncError> {
        let o = &self.options;
        let listing = listing::list(&self.s3, &o.bucket, &o.root, &o.filter, o.jobs).await?;
        let mut report = SyncReport::default();
        let mut todo: VecDeque<(Remote, String, PathBuf)> = VecDeque::new();
        let mut present: HashSet<String> = HashSet::new();
        for remote in listing.objects {
            let Some((slash, path)) = self.local(&remote.relative) else {
                observer.note(&format!(
                    "refused key {:?}: it would land outside the directory",
                    remote.key
                ));
                report.refused.push(remote.key);
                continue;
            };
            report.listed.objects += 1;
            report.listed.bytes += remote.size;
            present.insert(slash.clone());
            if self.is_current(&slash, remote.size, &remote.etag, &path) {
                report.unchanged += 1;
            } else {
                report.listed.to_fetch += 1;
                report.listed.to_fetch_bytes += remote.size;
                todo.push_back((remote, slash, path));
            }
        }
        report.listed.list_requests = listing.requests;
        report.listed.skipped_folders = listing.skipped_folders;
        observer.planned(&report.listed);
        self.fetch_all(todo, observer, &mut report).await?;
        if self.options.delete {
            report.deleted = self.delete_gone(&present, observer)?;
        }
        self.manifest.compact()?;
        Ok(report)
    }

    async fn fetch_all(
        &mut self,
        mut todo: VecDeque<(Remote, String, PathBuf)>,
        observer: &dyn Observer,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut running = JoinSet::new();
        loop {
            while running.len() < self.options.jobs.max(1) {
                let Some((remote, slash, path)) = todo.pop_front() else {
                    break;
                };
                let (s3, bucket, tmp) = (self.s3.clone(), self.options.bucket.clone(), self.tmp.clone());
                running.spawn(async move {
                    let result = download::fetch(&s3, &bucket, &remote.key, &path, &tmp).await;
                    (remote.key, slash, result)
                });
            }
            let Some(done) = running.join_next().await else {
                return Ok(());
            };
            let (key, slash, result) = done.map_err(|e| SyncError::Task(e.to_string()))?;
            match result {
                Ok(fetched) => {
                    let bytes = fetched.size;
                    self.record(&key, slash, fetched)?;
                    report.fetched += 1;
                    report.fetched_bytes += bytes;
                    observer.fetched(&key, bytes);
                }
                Err(err) => {
                    report.failed += 1;
                    observer.failed(&key, &err);
                }
            }
        }
    }

    /// Remove files this sync fetched earlier, within the filter's scope,
    /// whose objects are no longer listed. Files lakescope did not fetch are
    /// never touched.
    fn delete_gone(&mut self, present: &HashSet<String>, observer: &dyn Observer) -> Result<usize, SyncError> {
        let gone: Vec<manifest::Entry> = self
            .manifest
            .entries()
            .filter(|e| e.bucket == self.options.bucket && !present.contains(&e.path))
            .filter(|e| {
                e.key
                    .strip_prefix(self.options.root.as_str())
                    .is_some_and(|rel| plan::selects(rel, &self.options.filter))
            })
            .cloned()
            .collect();
        for entry in &gone {
            let path = self.options.dest.join(&entry.path);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(SyncError::Io { path, source }),
            }
            observer.note(&format!("deleted {} (gone from the bucket)", entry.path));
            self.manifest.record(manifest::Entry {
                deleted: true,
                fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ..entry.clone()
            })?;
        }
        Ok(gone.len())
    }
}
