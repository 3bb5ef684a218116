//! A lake that grows while it is open (a `sync` beside the TUI): the engine's
//! [`LakeWatch`] reports new partitions, the status line says so, and the
//! refresh key reopens the lake in place, on a thread, then reruns the view.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::lake::watch::{Change, LakeWatch};
use crate::lake::{Lake, LakeError, Scope};

use super::action::Action;
use super::app::{App, Severity, known_of};
use super::page::View;
use super::views::partitions::PartitionsView;

/// The watch, a change not yet taken in, and a reopening under way.
#[derive(Default)]
pub struct LakeRefresh {
    watch: Option<(LakeWatch, Duration)>,
    pending: Option<Change>,
    reopening: Option<Receiver<Result<Lake, LakeError>>>,
}

impl App {
    /// Watch the lake directory for new files every `every`.
    pub fn watch_lake(&mut self, every: Duration) {
        let watch = LakeWatch::spawn(self.lake.root().to_path_buf(), every);
        self.refresh.watch = Some((watch, every));
    }

    /// Called on every tick: announce changes, take in a reopened lake.
    pub(super) fn poll_lake(&mut self) {
        let change = self.refresh.watch.as_ref().and_then(|(w, _)| w.latest());
        if let Some(change) = change {
            self.refresh.pending = Some(change);
            let key = self.keymap.hint(Action::Refresh);
            self.say(
                Severity::Info,
                format!(
                    "{} new partition(s), {} new file(s) in the lake — press {key} to refresh",
                    change.new_partitions, change.new_files
                ),
            );
        }
        let reopened = self.refresh.reopening.as_ref().and_then(|rx| rx.try_recv().ok());
        if let Some(result) = reopened {
            self.refresh.reopening = None;
            match result {
                Ok(lake) => self.take_lake(lake),
                Err(err) => self.say(Severity::Error, format!("cannot reopen the lake: {err}")),
            }
        }
    }

    /// The refresh key: reopen the lake if it changed, else rerun the view.
    pub(super) fn refresh(&mut self) {
        if self.refresh.pending.is_none() {
            return self.reload();
        }
        if self.refresh.reopening.is_some() {
            return;
        }
        let root: PathBuf = self.lake.root().to_path_buf();
        let (tx, rx) = mpsc::channel();
        // Opening reads every file's footer: not on the UI thread.
        std::thread::spawn(move || {
            let _ = tx.send(Lake::open(&root));
        });
        self.refresh.reopening = Some(rx);
        self.say(Severity::Info, "reopening the lake…");
    }

    fn take_lake(&mut self, lake: Lake) {
        let worker = match crate::lake::worker::QueryWorker::spawn(&lake) {
            Ok(worker) => worker,
            Err(err) => return self.say(Severity::Error, format!("cannot query the reopened lake: {err}")),
        };
        let change = self.refresh.pending.take();
        self.lake = lake;
        self.worker = worker;
        self.known = known_of(&self.lake);
        // A new baseline: what is there now is no longer news.
        if let Some((_, every)) = self.refresh.watch.take() {
            self.watch_lake(every);
        }
        if let View::Partitions(_) = self.page().view {
            self.page_mut().view = View::Partitions(PartitionsView::new(&self.lake.partitions(&Scope::default())));
        }
        self.reload();
        let partitions = change.map(|c| c.new_partitions).unwrap_or_default();
        self.say(
            Severity::Info,
            format!(
                "lake reopened: {} files, {partitions} new partition(s)",
                self.lake.files().len()
            ),
        );
    }
}
