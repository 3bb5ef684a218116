//! The workbench on Athena (`--engine athena`): the engine the pages with
//! an Athena form are asked of, what each answer cost for the status line,
//! `:athena yes|no` to let the cost guard pass or stop again, and `B`
//! (`:sync-back DIR`) bringing the slice a page's answer touched home, on
//! its own thread while the pages go on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use crate::lake::athena::Question;
use crate::lake::athena::engine::{Engine, bytes_text};
use crate::lake::athena::home::Home;
use crate::lake::{LakeError, Scope};
use crate::tui::screen::Severity;

/// Why `B` cannot bring a slice home: not on Athena.
pub const NOT_ON_ATHENA: &str = "sync back needs --engine athena: this lake is on disk already";

/// Why `B` cannot bring a slice home: no bucket behind the tables.
pub const NO_BUCKET: &str =
    "sync back needs --lake-bucket s3://… (the bucket behind the tables): start the workbench with it";

#[derive(Debug)]
pub struct AthenaDesk {
    pub engine: Arc<Engine>,
    /// `--sync-into`: where `B` proposes to bring a slice home.
    sync_into: Option<PathBuf>,
    bringing: Option<Bringing>,
}

/// A slice being brought home.
#[derive(Debug)]
struct Bringing {
    dest: PathBuf,
    cancel: Arc<AtomicBool>,
    done: mpsc::Receiver<Result<Home, LakeError>>,
}

impl Drop for AthenaDesk {
    /// Leaving the workbench stops the partitions query on Athena.
    fn drop(&mut self) {
        if let Some(bringing) = &self.bringing {
            bringing.cancel.store(true, Ordering::Relaxed);
        }
    }
}

impl AthenaDesk {
    pub fn new(engine: Arc<Engine>, sync_into: Option<PathBuf>) -> AthenaDesk {
        AthenaDesk {
            engine,
            sync_into,
            bringing: None,
        }
    }

    /// For the header: where questions go.
    pub fn label(&self) -> String {
        format!("athena: {}", self.engine.tables.database())
    }

    /// `:athena yes|no`: questions over the cost guard run, or are refused again.
    pub fn allow(&self, allow: bool) -> (Severity, String) {
        self.engine.allow.store(allow, Ordering::Relaxed);
        match allow {
            true => (
                Severity::Warning,
                "athena: questions with no day bound or over the scan limit now run (and are billed)".into(),
            ),
            false => (
                Severity::Info,
                "athena: questions with no day bound or over the scan limit are refused again".into(),
            ),
        }
    }

    /// What the last answer cost, once: its queries' ids, data scanned and
    /// price, for the status line.
    pub fn spent(&self) -> Option<String> {
        let spent = self.engine.take_spent()?;
        let ids: Vec<&str> = spent.queries.iter().map(|q| q.query_id.as_str()).collect();
        let ids = match ids.as_slice() {
            [] => return None,
            [one] => format!("query {one}"),
            [first, .., last] => format!("{} queries {first} … {last}", ids.len()),
        };
        Some(format!(
            "athena: {ids}, {} scanned, ${:.4} at the list price",
            bytes_text(spent.bytes()),
            spent.cost_usd()
        ))
    }

    /// Where `B` proposes to sync: `--sync-into`, else a new folder under
    /// the platform data dir (the current directory without one); `None`
    /// without a bucket to sync from.
    pub fn proposed_dest(&self) -> Option<PathBuf> {
        self.engine.lake_bucket.as_ref()?;
        Some(self.dest())
    }

    fn dest(&self) -> PathBuf {
        if let Some(dir) = &self.sync_into {
            return dir.clone();
        }
        let name = format!(
            "{}-{}",
            self.engine.tables.database(),
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        );
        match directories::ProjectDirs::from("", "", "lakescope") {
            Some(dirs) => dirs.data_dir().join("slices").join(name),
            None => PathBuf::from(format!("lakescope-slice-{name}")),
        }
    }

    /// `:sync-back DIR`: ask Athena which partitions hold the page's
    /// events, then sync and index them, on a thread.
    pub fn bring_home(&mut self, question: Option<Question>, scope: &Scope, dest: PathBuf) -> (Severity, String) {
        if let Some(bringing) = &self.bringing {
            return (
                Severity::Warning,
                format!("already syncing a slice into {}", bringing.dest.display()),
            );
        }
        if self.engine.lake_bucket.is_none() {
            return (Severity::Warning, NO_BUCKET.into());
        }
        let Some(question) = question else {
            return (
                Severity::Warning,
                "this page has no Athena question: nothing to sync back".into(),
            );
        };
        let (tx, done) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (engine, flag, scope, to) = (self.engine.clone(), cancel.clone(), scope.clone(), dest.clone());
        let spawned = std::thread::Builder::new()
            .name("athena-sync-back".into())
            .spawn(move || {
                let _ = tx.send(engine.bring_home(&scope, &question, &to, &flag));
            });
        if let Err(e) = spawned {
            return (Severity::Error, format!("cannot start the sync: {e}"));
        }
        let message = format!(
            "athena: asking which partitions the answer touched, then syncing them into {}…",
            dest.display()
        );
        self.bringing = Some(Bringing { dest, cancel, done });
        (Severity::Info, message)
    }

    /// The slice's outcome, once, when it is home.
    pub fn poll(&mut self) -> Option<(Severity, String)> {
        let bringing = self.bringing.as_ref()?;
        let outcome = match bringing.done.try_recv() {
            Ok(outcome) => outcome,
            Err(mpsc::TryRecvError::Empty) => return None,
            Err(mpsc::TryRecvError::Disconnected) => {
                Err(LakeError::Athena("the sync thread ended without an answer".into()))
            }
        };
        let dest = bringing.dest.display().to_string();
        self.bringing = None;
        Some(match outcome {
            Err(e) => (Severity::Error, format!("sync back failed: {e} (into {dest})")),
            Ok(home) if home.partitions.is_empty() => (
                Severity::Warning,
                format!(
                    "athena: the answer touched no partition (query {}): nothing synced",
                    home.spent.queries.first().map_or("?", |q| q.query_id.as_str())
                ),
            ),
            Ok(home) => (
                Severity::Info,
                format!(
                    "athena: synced and indexed {} partition(s) into {dest}: {} objects, {} fetched, {} \
                     unchanged; the partitions query scanned {} (${:.4}); open it with lakescope --lake {dest}",
                    home.partitions.len(),
                    home.report.listed.objects,
                    bytes_text(home.report.fetched_bytes as i64),
                    home.report.unchanged,
                    bytes_text(home.spent.bytes()),
                    home.spent.cost_usd()
                ),
            ),
        })
    }
}
