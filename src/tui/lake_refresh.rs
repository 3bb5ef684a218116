//! A lake that grows while it is open (a `sync` beside the TUI): the engine's
//! [`LakeWatch`] reports new partitions, and the refresh key reopens the lake
//! on a thread. The app says what happens and takes the reopened lake in.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::lake::watch::{Change, LakeWatch};
use crate::lake::{Lake, LakeError};

/// The watch, a change not yet taken in, and a reopening under way.
#[derive(Default)]
pub struct LakeRefresh {
    watch: Option<(LakeWatch, Duration)>,
    pending: Option<Change>,
    reopening: Option<Receiver<Result<Lake, LakeError>>>,
}

/// What the watch has to say on a tick.
pub enum News {
    /// New files appeared since the lake was opened (or last reopened).
    Changed(Change),
    /// The reopening finished.
    Reopened(Result<Lake, LakeError>),
}

impl LakeRefresh {
    /// Watch the lake directory for new files every `every`.
    pub fn watch(&mut self, root: PathBuf, every: Duration) {
        self.watch = Some((LakeWatch::spawn(root, every), every));
    }

    /// Called on every tick.
    pub fn poll(&mut self) -> Vec<News> {
        let mut news = Vec::new();
        if let Some(change) = self.watch.as_ref().and_then(|(w, _)| w.latest()) {
            self.pending = Some(change);
            news.push(News::Changed(change));
        }
        if let Some(result) = self.reopening.as_ref().and_then(|rx| rx.try_recv().ok()) {
            self.reopening = None;
            news.push(News::Reopened(result));
        }
        news
    }

    /// Has the lake changed since it was opened?
    pub fn changed(&self) -> bool {
        self.pending.is_some()
    }

    /// Reopen the lake at `root` on a thread; false if already under way.
    pub fn reopen(&mut self, root: PathBuf) -> bool {
        if self.reopening.is_some() {
            return false;
        }
        let (tx, rx) = mpsc::channel();
        // Opening reads every file's footer: not on the UI thread.
        std::thread::spawn(move || {
            let _ = tx.send(Lake::open(&root));
        });
        self.reopening = Some(rx);
        true
    }

    /// The lake was reopened: the change it took in, and a new baseline
    /// (what is there now is no longer news).
    pub fn taken_in(&mut self, root: PathBuf) -> Option<Change> {
        let change = self.pending.take();
        if let Some((_, every)) = self.watch.take() {
            self.watch(root, every);
        }
        change
    }
}
