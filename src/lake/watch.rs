//! Notice that a lake directory grew (a `sync` running beside the TUI):
//! a cheap signature of its files and partitions, from paths and sizes
//! only, polled on a thread of its own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::layout::{PathKind, classify};

/// What a directory holds, in the terms a user sees: partitions and files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// `source account region day` of each partition found in paths.
    pub partitions: BTreeSet<String>,
    pub files: usize,
    pub bytes: u64,
}

/// How a directory differs from the one the lake was opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub new_partitions: usize,
    pub new_files: usize,
}

/// Walk `root` the way discovery does (dot-folders such as the sync's state
/// are left out), reading no file.
pub fn signature(root: &Path) -> Signature {
    let mut signature = Signature::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        signature.files += 1;
        signature.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        let (source, partition) = match classify(entry.path()) {
            PathKind::SecurityLake { source, partition, .. } => (source, partition),
            PathKind::CloudTrail { partition } => ("CloudTrail".to_string(), partition),
            PathKind::ConfigDelivery { partition, .. } => ("Config".to_string(), partition),
            _ => continue,
        };
        signature.partitions.insert(format!(
            "{source} {} {} {}",
            partition.account, partition.region, partition.day
        ));
    }
    signature
}

impl Signature {
    /// `None` while nothing changed.
    pub fn change_since(&self, baseline: &Signature) -> Option<Change> {
        if self == baseline {
            return None;
        }
        Some(Change {
            new_partitions: self.partitions.difference(&baseline.partitions).count(),
            new_files: self.files.saturating_sub(baseline.files),
        })
    }
}

/// A thread that re-reads the signature every `every` and reports changes
/// against the signature taken when it started. Stops when dropped.
pub struct LakeWatch {
    changes: Receiver<Change>,
    _stop: Sender<()>,
}

impl LakeWatch {
    /// The baseline is taken before returning, so that nothing added after
    /// the lake was opened is missed.
    pub fn spawn(root: PathBuf, every: Duration) -> LakeWatch {
        let baseline = signature(&root);
        let (stop, stopped) = mpsc::channel::<()>();
        let (tell, changes) = mpsc::channel();
        std::thread::spawn(move || {
            let mut last = baseline.clone();
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                let now = signature(&root);
                if now == last {
                    continue;
                }
                let change = now.change_since(&baseline);
                last = now;
                if let Some(change) = change
                    && tell.send(change).is_err()
                {
                    return;
                }
            }
        });
        LakeWatch { changes, _stop: stop }
    }

    /// The latest change reported since the last call, if any.
    pub fn latest(&self) -> Option<Change> {
        self.changes.try_iter().last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_partition_and_a_new_file_are_told_apart_from_hidden_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let day = |d: &str| {
            dir.path()
                .join("aws/VPC_FLOW/2.0/region=us-east-1/accountId=012345678901")
                .join(format!("eventDay={d}"))
        };
        std::fs::create_dir_all(day("20240501")).expect("mkdir");
        std::fs::write(day("20240501").join("a.gz.parquet"), b"x").expect("write");
        let baseline = signature(dir.path());
        assert_eq!(baseline.partitions.len(), 1);

        std::fs::create_dir_all(dir.path().join(".lakescope-sync/tmp")).expect("mkdir");
        std::fs::write(dir.path().join(".lakescope-sync/tmp/x.part"), b"partial").expect("write");
        assert_eq!(signature(dir.path()).change_since(&baseline), None);

        std::fs::write(day("20240501").join("b.gz.parquet"), b"y").expect("write");
        std::fs::create_dir_all(day("20240502")).expect("mkdir");
        std::fs::write(day("20240502").join("c.gz.parquet"), b"z").expect("write");
        let change = signature(dir.path()).change_since(&baseline);
        assert_eq!(
            change,
            Some(Change {
                new_partitions: 1,
                new_files: 2
            })
        );
    }

    #[test]
    fn the_watch_thread_reports_a_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let watch = LakeWatch::spawn(dir.path().to_path_buf(), Duration::from_millis(10));
        assert_eq!(watch.latest(), None);
        let part = dir.path().join("AWSLogs/444455556666/CloudTrail/us-east-1/2024/05/01");
        std::fs::create_dir_all(&part).expect("mkdir");
        std::fs::write(
            part.join("444455556666_CloudTrail_us-east-1_20240501T0100Z_x.json.gz"),
            b"x",
        )
        .expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(change) = watch.latest() {
                assert_eq!(change.new_partitions, 1);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no change reported in 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
