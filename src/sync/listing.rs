//! Partition-aware listing: folders are listed with a `/` delimiter and
//! pruned by [`plan::step`](super::plan::step), in parallel with a bound, so
//! a narrow filter lists a few prefixes rather than the whole bucket.

use std::collections::VecDeque;

use aws_sdk_s3::Client;
use tokio::task::JoinSet;

use super::client::describe;
use super::error::SyncError;
use super::plan::{Filter, Step, keep_loose, step};

/// An object in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub key: String,
    /// The key relative to the lake root (the sync's prefix).
    pub relative: String,
    pub size: u64,
    pub etag: String,
}

#[derive(Debug, Default)]
pub struct Listing {
    pub objects: Vec<Remote>,
    /// Folders pruned by the filters (or outside the lake layouts).
    pub skipped_folders: usize,
    /// Prefixes listed: shows how little of the bucket a filter touches.
    pub requests: usize,
}

struct Page {
    folder: Vec<String>,
    recursive: bool,
    objects: Vec<Remote>,
    children: Vec<String>,
    requests: usize,
}

/// List what `filter` selects under `root` (empty or ending in `/`).
pub async fn list(
    client: &Client,
    bucket: &str,
    root: &str,
    filter: &Filter,
    jobs: usize,
) -> Result<Listing, SyncError> {
    let mut listing = Listing::default();
    let mut pending: VecDeque<(Vec<String>, bool)> = VecDeque::from([(Vec::new(), false)]);
    let mut running: JoinSet<Result<Page, SyncError>> = JoinSet::new();
    loop {
        while running.len() < jobs.max(1) {
            let Some((folder, recursive)) = pending.pop_front() else {
                break;
            };
            let (client, bucket, root) = (client.clone(), bucket.to_string(), root.to_string());
            running.spawn(async move { list_folder(&client, &bucket, &root, folder, recursive).await });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let page = done.map_err(|e| SyncError::Task(e.to_string()))??;
        listing.requests += page.requests;
        if page.recursive || keep_loose(&borrowed(&page.folder)) {
            listing.objects.extend(page.objects);
        }
        for child in page.children {
            let mut folder = page.folder.clone();
            folder.push(child);
            match step(&borrowed(&folder), filter) {
                Step::Skip => listing.skipped_folders += 1,
                Step::Descend => pending.push_back((folder, false)),
                Step::All => pending.push_back((folder, true)),
            }
        }
    }
    listing.objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(listing)
}

fn borrowed(folder: &[String]) -> Vec<&str> {
    folder.iter().map(String::as_str).collect()
}

async fn list_folder(
    client: &Client,
    bucket: &str,
    root: &str,
    folder: Vec<String>,
    recursive: bool,
) -> Result<Page, SyncError> {
    let mut prefix = root.to_string();
    for segment in &folder {
        prefix.push_str(segment);
        prefix.push('/');
    }
    let mut page = Page {
        folder,
        recursive,
        objects: Vec::new(),
        children: Vec::new(),
        requests: 0,
    };
    let mut token: Option<String> = None;
    loop {
        let mut request = client.list_objects_v2().bucket(bucket).prefix(&prefix);
        if !recursive {
            request = request.delimiter("/");
        }
        if let Some(token) = token.take() {
            request = request.continuation_token(token);
        }
        let output = request.send().await.map_err(|e| SyncError::S3 {
            operation: "ListObjectsV2",
            target: format!("s3://{bucket}/{prefix}"),
            message: describe(&e),
        })?;
        page.requests += 1;
        for common in output.common_prefixes() {
            let child = common
                .prefix()
                .and_then(|p| p.strip_prefix(prefix.as_str()))
                .map(|p| p.trim_end_matches('/'));
            if let Some(child) = child.filter(|c| !c.is_empty() && !c.contains('/')) {
                page.children.push(child.to_string());
            }
        }
        for object in output.contents() {
            let Some(key) = object.key() else { continue };
            // Zero-byte "folder" markers made by consoles are not files.
            if key.ends_with('/') {
                continue;
            }
            let Some(relative) = key.strip_prefix(root) else {
                continue;
            };
            page.objects.push(Remote {
                key: key.to_string(),
                relative: relative.to_string(),
                size: object.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                etag: object.e_tag().map(clean_etag).unwrap_or_default(),
            });
        }
        match output.next_continuation_token() {
            Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_string()),
            _ => break,
        }
    }
    Ok(page)
}

/// ETags come quoted from S3 and unquoted in event notifications.
pub fn clean_etag(etag: &str) -> String {
    etag.trim_matches('"').to_string()
}
