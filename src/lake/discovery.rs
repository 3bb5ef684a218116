//! Walk a lake directory and list the files lakescope can read.
//!
//! Only paths are looked at, except for JSON files outside the AWS layouts,
//! whose first bytes are sniffed to tell CloudTrail from anything else. No
//! file is ever opened for writing.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::error::{LakeError, Result};
use super::layout::{Partition, PathKind, classify};

/// The Security Lake source versions whose fields lakescope maps.
pub const KNOWN_VERSIONS: &[&str] = &["1.0", "2.0"];

/// How a file's events are read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceKind {
    /// Security Lake parquet in its hive layout (`source`, e.g. `CLOUD_TRAIL_MGMT`).
    SecurityLake {
        source: String,
        version: Option<String>,
        custom: bool,
    },
    /// OCSF parquet outside the hive layout: its schema tells what it holds.
    OcsfParquet,
    /// CloudTrail delivery JSON: `{"Records": [...]}`.
    CloudTrailJson,
    /// CloudTrail records one per line (exports, SIEM dumps).
    CloudTrailNdjson,
    /// AWS Config delivery (history or snapshot) files.
    ConfigJson { snapshot: bool },
    /// VPC flow logs delivered to S3 as text.
    VpcFlowLog,
    /// Route 53 Resolver query logs delivered to S3 (JSON lines).
    ResolverLog,
}

impl SourceKind {
    /// Short label used in listings, e.g. `CLOUD_TRAIL_MGMT 2.0`.
    pub fn label(&self) -> String {
        match self {
            SourceKind::SecurityLake { source, version, .. } => match version {
                Some(v) => format!("{source} {v}"),
                None => source.clone(),
            },
            SourceKind::OcsfParquet => "OCSF parquet".into(),
            SourceKind::CloudTrailJson => "CloudTrail".into(),
            SourceKind::CloudTrailNdjson => "CloudTrail NDJSON".into(),
            SourceKind::ConfigJson { snapshot: true } => "Config snapshot".into(),
            SourceKind::ConfigJson { snapshot: false } => "Config history".into(),
            SourceKind::VpcFlowLog => "VPC flow logs".into(),
            SourceKind::ResolverLog => "Route 53 resolver logs".into(),
        }
    }

    /// A Security Lake source version lakescope does not know (`3.0`):
    /// its files are named and counted, never read by a guess.
    pub fn unknown_version(&self) -> Option<&str> {
        match self {
            SourceKind::SecurityLake { version: Some(v), .. } if !KNOWN_VERSIONS.contains(&v.as_str()) => Some(v),
            _ => None,
        }
    }

    pub fn is_parquet(&self) -> bool {
        matches!(self, SourceKind::SecurityLake { .. } | SourceKind::OcsfParquet)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LakeFile {
    pub path: PathBuf,
    pub size: u64,
    pub kind: SourceKind,
    /// Partition values from the path, when the layout has them.
    pub partition: Option<Partition>,
}

/// A file that was found but is not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<LakeFile>,
    /// Files that are not log data or cannot be read, with the reason.
    pub skipped: Vec<Skipped>,
    /// Known non-event files (digests, Iceberg metadata), counted per reason.
    pub ignored: Vec<(String, u64)>,
}

/// How many decompressed bytes are enough to recognise a JSON file.
const SNIFF_BYTES: u64 = 64 * 1024;

pub fn discover(root: &Path) -> Result<Discovery> {
    let root = root.canonicalize().map_err(|source| LakeError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut out = Discovery::default();
    let mut ignored: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let walker = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    // A folder is empty when the walk's next entry is not inside it (no
    // second read of every folder).
    let mut last_dir: Option<(PathBuf, usize)> = None;
    let empty = |dir: PathBuf| Skipped {
        path: dir,
        reason: "empty folder: nothing to read".into(),
    };
    for entry in walker {
        let depth = entry.as_ref().map_or(usize::MAX, walkdir::DirEntry::depth);
        // The next entry is inside the last folder (not empty), or not.
        if let Some((dir, _)) = last_dir.take().filter(|(_, at)| depth <= *at) {
            out.skipped.push(empty(dir));
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                out.skipped.push(Skipped {
                    path,
                    reason: format!("cannot be read: {err}"),
                });
                continue;
            }
        };
        let path = entry.path().to_path_buf();
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            let reason = link_reason(&root, &path);
            out.skipped.push(Skipped { path, reason });
            continue;
        }
        if file_type.is_dir() {
            if entry.depth() > 0 {
                last_dir = Some((path, entry.depth()));
            }
            continue;
        }
        if !file_type.is_file() {
            out.skipped.push(Skipped {
                path,
                reason: "not a regular file (a FIFO, socket or device): not read".into(),
            });
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let (kind, partition) = match classify(&path) {
            PathKind::SecurityLake {
                source,
                version,
                custom,
                partition,
            } => (
                SourceKind::SecurityLake {
                    source,
                    version,
                    custom,
                },
                Some(partition),
            ),
            PathKind::LooseParquet => (SourceKind::OcsfParquet, None),
            PathKind::CloudTrail { partition } => (SourceKind::CloudTrailJson, Some(partition)),
            PathKind::ConfigDelivery { snapshot, partition } => (SourceKind::ConfigJson { snapshot }, Some(partition)),
            PathKind::VpcFlowLog { partition } => (SourceKind::VpcFlowLog, Some(partition)),
            PathKind::ResolverLog => (SourceKind::ResolverLog, None),
            PathKind::LooseJson => match sniff_json(&path) {
                Ok(Some(kind)) => (kind, None),
                Ok(None) => {
                    out.skipped.push(Skipped {
                        path,
                        reason: "JSON that is neither CloudTrail nor AWS Config".into(),
                    });
                    continue;
                }
                Err(why) => {
                    out.skipped.push(Skipped {
                        path,
                        reason: why.to_string(),
                    });
                    continue;
                }
            },
            PathKind::Ignored(reason) => {
                *ignored.entry(reason).or_default() += 1;
                continue;
            }
            PathKind::Unknown => {
                let reason = unknown_reason(&path);
                out.skipped.push(Skipped { path, reason });
                continue;
            }
        };
        out.files.push(LakeFile {
            path,
            size,
            kind,
            partition,
        });
    }
    if let Some((dir, _)) = last_dir {
        out.skipped.push(empty(dir));
    }
    out.ignored = ignored.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Ok(out)
}

/// Links are never followed: a copy of evidence is read where its files
/// lie, once, and nothing outside the lake is read because of a link.
fn link_reason(root: &Path, link: &Path) -> String {
    let target = std::fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    match link.canonicalize() {
        Ok(resolved) if resolved.starts_with(root) => {
            format!("symbolic link within the lake (→ {target}): not followed; what it points to is read where it lies")
        }
        Ok(resolved) => format!(
            "symbolic link leaving the lake (→ {}): not followed",
            resolved.display()
        ),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            format!("symbolic link to nothing (→ {target}): not followed")
        }
        // A loop of links says "too many levels of symbolic links".
        Err(err) => format!("symbolic link that cannot be resolved (→ {target}: {err}): not followed"),
    }
}

/// Look at the first bytes of a JSON file (gzip or not) to decide whether it
/// holds CloudTrail records or Config items. `Ok(None)` = some other JSON.
fn sniff_json(path: &Path) -> std::result::Result<Option<SourceKind>, Unsniffable> {
    let mut file = File::open(path).map_err(Unsniffable::Open)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(Unsniffable::Read)?;
    drop(file);
    let file = File::open(path).map_err(Unsniffable::Open)?;
    let mut head = Vec::new();
    let read = if n == 2 && magic == [0x1f, 0x8b] {
        MultiGzDecoder::new(file).take(SNIFF_BYTES).read_to_end(&mut head)
    } else {
        file.take(SNIFF_BYTES).read_to_end(&mut head)
    };
    // A truncated gzip still yields its first bytes; only fail when none came.
    if let Err(err) = read
        && head.is_empty()
    {
        return Err(Unsniffable::NotJson(err));
    }
    Ok(sniff_text(&head))
}

/// Why a loose JSON file could not be looked at (a skipped file's reason).
#[derive(Debug, thiserror::Error)]
enum Unsniffable {
    #[error("cannot be opened: {0}")]
    Open(std::io::Error),
    #[error("cannot be read: {0}")]
    Read(std::io::Error),
    #[error("not a readable gzip or JSON file: {0}")]
    NotJson(std::io::Error),
}

/// Why a file is not read. A CloudTrail Lake CSV export is named as such:
/// its nested values are `{key=value}` text, not JSON (`docs/formats.md#cloudtrail-lake-exports`).
fn unknown_reason(path: &Path) -> String {
    let generic = "not a log format lakescope reads".to_string();
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if !lower.ends_with(".csv") {
        return generic;
    }
    let mut head = Vec::new();
    let read = File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    let text = String::from_utf8_lossy(&head);
    if read.is_ok() && text.contains("eventCategory") && text.contains("eventData") {
        "CloudTrail Lake CSV export: its nested values are not JSON and cannot be read reliably; \
         export the query results as JSON instead"
            .into()
    } else {
        generic
    }
}

fn sniff_text(head: &[u8]) -> Option<SourceKind> {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return None;
    }
    if text.contains("\"Records\"") {
        return Some(SourceKind::CloudTrailJson);
    }
    if text.contains("\"configurationItems\"") || text.contains("\"configurationItem\"") {
        return Some(SourceKind::ConfigJson { snapshot: false });
    }
    if text.contains("\"eventVersion\"") && text.contains("\"eventName\"") {
        return Some(SourceKind::CloudTrailNdjson);
    }
    // Config items inside an SNS `Message` string (escaped quotes), or
    // CloudTrail Lake rows of `eventCategory` ConfigurationItem.
    if text.contains("configurationItemCaptureTime") || text.contains("\"baseConfigurationItems\"") {
        return Some(SourceKind::ConfigJson { snapshot: false });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_cloudtrail_shapes() {
        assert_eq!(sniff_text(b"{\"Records\":[{}]}"), Some(SourceKind::CloudTrailJson));
        assert_eq!(sniff_text(b"  {\n \"Records\": ["), Some(SourceKind::CloudTrailJson));
        assert_eq!(
            sniff_text(b"{\"eventVersion\":\"1.05\",\"eventName\":\"ListBuckets\"}\n{"),
            Some(SourceKind::CloudTrailNdjson)
        );
        assert_eq!(sniff_text(b"{\"version\":\"1.1\",\"query_name\":\"a.com\"}"), None);
        assert_eq!(sniff_text(b"id,name\n1,2"), None);
        let sns =
            br#"{"Type":"Notification","Message":"{\"configurationItem\":{\"configurationItemCaptureTime\":\"x\"}}"}"#;
        assert_eq!(sniff_text(sns), Some(SourceKind::ConfigJson { snapshot: false }));
        let lake_row = br#"{"eventVersion":"1.09","eventCategory":"ConfigurationItem","eventData":{"configurationItemCaptureTime":"x"}}"#;
        assert_eq!(sniff_text(lake_row), Some(SourceKind::ConfigJson { snapshot: false }));
    }
}
