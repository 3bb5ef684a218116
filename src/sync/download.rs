//! Fetch one object: stream it into the state folder's `tmp/`, hashing as it
//! goes, flush it to disk, then rename it into place. The lake reader only
//! ever sees complete files; a killed fetch leaves a stray part file that the
//! next run removes.

use std::path::{Path, PathBuf};

use aws_sdk_s3::Client;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::client::describe;
use super::error::SyncError;
use super::listing::clean_etag;

/// What landed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub size: u64,
    pub etag: String,
    pub sha256: String,
}

/// Download `bucket/key` to `dest`, through a part file in `tmp_dir`.
pub async fn fetch(
    client: &Client,
    bucket: &str,
    key: &str,
    dest: &Path,
    tmp_dir: &Path,
) -> Result<Fetched, SyncError> {
    let s3_error = |operation, message| SyncError::S3 {
        operation,
        target: format!("s3://{bucket}/{key}"),
        message,
    };
    let output = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| s3_error("GetObject", describe(&e)))?;
    let expected = output.content_length().and_then(|n| u64::try_from(n).ok());
    let etag = output.e_tag().map(clean_etag).unwrap_or_default();
    let part = part_path(tmp_dir, key);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SyncError::Io { path, source }
    };
    let mut file = tokio::fs::File::create(&part).await.map_err(io(&part))?;
    let mut body = output.body;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| s3_error("GetObject", describe(&e)))?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(io(&part))?;
    }
    file.sync_all().await.map_err(io(&part))?;
    drop(file);
    if let Some(expected) = expected.filter(|e| *e != size) {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(s3_error("GetObject", format!("got {size} bytes of {expected}")));
    }
    if let Some(parent) = dest.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(io(parent))?;
    }
    tokio::fs::rename(&part, dest).await.map_err(io(dest))?;
    Ok(Fetched {
        size,
        etag,
        sha256: format!("{:x}", hasher.finalize()),
    })
}

/// One part file per key, named by a hash so that any key fits a file name.
fn part_path(tmp_dir: &Path, key: &str) -> PathBuf {
    let digest = format!("{:x}", Sha256::digest(key.as_bytes()));
    tmp_dir.join(format!("{}.part", &digest[..32]))
}
