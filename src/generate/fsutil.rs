//! Output tree handling: refuse non-empty targets, create directories,
//! write (optionally gzipped) files with a fixed gzip header, and count
//! files and bytes for the report.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};

use super::options::GenerateError;

pub fn io_err(path: &Path, source: std::io::Error) -> GenerateError {
    GenerateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub struct Out {
    root: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub level: Compression,
}

impl Out {
    /// Opens `root` for writing; it must not exist or be an empty directory
    /// (never overwrite evidence).
    pub fn create(root: &Path) -> Result<Out, GenerateError> {
        match fs::metadata(root) {
            Ok(meta) if !meta.is_dir() => {
                return Err(GenerateError::OutNotDirectory {
                    path: root.to_path_buf(),
                });
            }
            Ok(_) => {
                let mut entries = fs::read_dir(root).map_err(|e| io_err(root, e))?;
                if entries.next().is_some() {
                    return Err(GenerateError::OutNotEmpty {
                        path: root.to_path_buf(),
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(root).map_err(|e| io_err(root, e))?;
            }
            Err(e) => return Err(io_err(root, e)),
        }
        Ok(Out {
            root: root.to_path_buf(),
            files: 0,
            bytes: 0,
            level: Compression::default(),
        })
    }

    /// A writer for a worker thread: same root, its own counters.
    pub fn child(&self) -> Out {
        Out {
            root: self.root.clone(),
            files: 0,
            bytes: 0,
            level: self.level,
        }
    }

    pub fn absorb(&mut self, other: &Out) {
        self.files += other.files;
        self.bytes += other.bytes;
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Absolute path of `rel`, with its parent directory created.
    pub fn prepare(&self, rel: &str) -> Result<PathBuf, GenerateError> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        }
        Ok(path)
    }

    /// Counts a file written by someone else (DuckDB's COPY).
    pub fn account(&mut self, path: &Path) -> Result<u64, GenerateError> {
        let len = fs::metadata(path).map_err(|e| io_err(path, e))?.len();
        self.files += 1;
        self.bytes += len;
        Ok(len)
    }

    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), GenerateError> {
        let path = self.prepare(rel)?;
        fs::write(&path, bytes).map_err(|e| io_err(&path, e))?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    pub fn write_gz(&mut self, rel: &str, bytes: &[u8]) -> Result<(), GenerateError> {
        let data = gzip(bytes, self.level);
        self.write(rel, &data)
    }

    /// Streams JSON into a gzip file through `f`.
    pub fn write_gz_with<F>(&mut self, rel: &str, f: F) -> Result<(), GenerateError>
    where
        F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
    {
        let path = self.prepare(rel)?;
        let file = File::create(&path).map_err(|e| io_err(&path, e))?;
        let gz = GzBuilder::new()
            .mtime(0)
            .write(BufWriter::with_capacity(1 << 16, file), self.level);
        // serde_json writes many tiny pieces; batch them before the encoder,
        // whose per-call overhead is large in unoptimized builds.
        let mut buffered = BufWriter::with_capacity(1 << 16, gz);
        f(&mut buffered).map_err(|e| io_err(&path, e))?;
        let gz = buffered.into_inner().map_err(|e| io_err(&path, e.into_error()))?;
        let mut inner = gz.finish().map_err(|e| io_err(&path, e))?;
        inner.flush().map_err(|e| io_err(&path, e))?;
        drop(inner);
        self.account(&path)?;
        Ok(())
    }
}

/// gzip with a fixed header (mtime 0, no file name, OS "unknown").
pub fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut gz = GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(bytes.len() / 4 + 64), level);
    // Writing into a Vec cannot fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

/// A scratch directory outside the lake for NDJSON staging, removed on drop.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Result<Scratch, GenerateError> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let dir = base.join(format!("lakescope-{tag}-{}-{n}", std::process::id()));
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(Scratch { dir }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_err(&dir, e)),
            }
        }
        Err(GenerateError::Invalid(format!(
            "cannot create a scratch directory under {}",
            base.display()
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
