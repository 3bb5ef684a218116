//! What the app takes in on each tick: the worker's replies, the event
//! store written beside the queries, and a lake directory that grows while
//! it is open.

use std::time::Duration;

use super::{App, DROPPED_KEPT, Dropped};
use crate::case::Markable;
use crate::lake::prepare::Preparation;
use crate::lake::worker::QueryWorker;
use crate::lake::{Lake, LakeError};
use crate::tui::action::Action;
use crate::tui::command::Known;
use crate::tui::lake_refresh::News;
use crate::tui::screen::{AnyScreen, Load, Severity};

impl App {
    /// Drain the worker's replies; a reply is kept only by the page that is
    /// showing and waiting for that id: results for views the user left are dropped.
    pub fn tick(&mut self) {
        self.poll_lake();
        self.poll_preparation();
        // A slice brought home from Athena (`B`): its outcome, once.
        if let Some((severity, text)) = self.athena.as_mut().and_then(|d| d.poll()) {
            self.say(severity, text);
        }
        self.worker.poll();
        while let Some(reply) = self.worker.try_recv() {
            if self.page().load != Load::Pending(reply.id) {
                let cancelled = matches!(reply.result, Err(LakeError::Cancelled));
                tracing::debug!(id = reply.id, cancelled, "dropping the reply of a view no longer shown");
                if self.dropped.len() == DROPPED_KEPT {
                    self.dropped.remove(0);
                }
                self.dropped.push(Dropped {
                    id: reply.id,
                    cancelled,
                });
                continue;
            }
            self.last_query = Some((reply.what, reply.elapsed));
            let page = self.page_mut();
            // The row under the cursor, to stand on it again when the page is
            // answered anew (more days indexed, a refresh): its index may move.
            if page.screen.rows() > 0 {
                page.kept = page.screen.markable(page.screen.list().cursor);
            }
            page.load = match reply.result {
                Err(LakeError::Cancelled) => Load::Cancelled,
                Err(e) => {
                    page.screen.failed_reply(&e);
                    Load::Failed(e.to_string())
                }
                Ok(answer) => match page.screen.apply_reply(answer) {
                    Ok(()) => {
                        if let Some(kept) = &page.kept {
                            stand_on(page.screen.as_mut(), kept);
                        }
                        Load::Ready
                    }
                    Err(message) => Load::Failed(message),
                },
            };
            match &self.page().load {
                Load::Cancelled => {
                    let again = self.keymap.hint(Action::Refresh);
                    self.say(Severity::Warning, format!("query cancelled; {again} runs it again"));
                }
                Load::Failed(message) => {
                    let message = message.clone();
                    self.say(Severity::Error, message);
                }
                _ => {
                    // An answer from Athena: its queries and what they cost.
                    if let Some(spent) = self.athena.as_ref().and_then(|d| d.spent()) {
                        self.say(Severity::Info, spent);
                    }
                }
            }
            self.history[self.current].screen.learn(&mut self.known);
            self.page_mut().renarrow();
        }
        self.note_problems();
        self.fix_scroll();
    }

    /// Write the lake's event store on a thread while the pages answer
    /// from the days it has finished, newest first; each page asks again
    /// as days are added, and once more when the store is whole.
    pub fn prepare_in_background(&mut self) {
        self.preparation = None;
        match Preparation::start(&self.lake) {
            Ok(preparation) => self.preparation = preparation,
            Err(err) => self.say(Severity::Error, format!("cannot index the lake: {err}")),
        }
    }

    /// Is the event store being written beside the queries?
    pub fn preparing(&self) -> bool {
        self.preparation.is_some()
    }

    fn poll_preparation(&mut self) {
        let Some(preparation) = self.preparation.as_mut() else {
            return;
        };
        if let Some(ended) = preparation.poll() {
            self.preparation = None;
            self.seen_partial = None;
            match ended {
                Ok(()) => self.say(Severity::Info, "lake indexed: answers are complete"),
                Err(LakeError::Cancelled) => {}
                Err(err) => self.say(
                    Severity::Error,
                    format!("cannot write the event store ({err}); each query removes copies itself"),
                ),
            }
            // Whatever the page showed was partial: ask again.
            if self.page().load != Load::Stale {
                self.reload();
            }
            return;
        }
        // A question in flight answers first, from the days it saw: replacing
        // it at every new day would starve a question slower than a day.
        if let Load::Pending(_) = self.page().load {
            return;
        }
        let now = self.lake.partial_answers().map(|p| p.generation);
        if now != self.seen_partial {
            self.seen_partial = now;
            if self.page().load != Load::Stale {
                self.reload();
            }
        }
    }

    /// Watch the lake directory for new files every `every`.
    pub fn watch_lake(&mut self, every: Duration) {
        self.refresh.watch(self.lake.root().to_path_buf(), every);
    }

    /// Called on every tick: announce changes, take in a reopened lake.
    fn poll_lake(&mut self) {
        for news in self.refresh.poll() {
            match news {
                News::Changed(change) => {
                    let key = self.keymap.hint(Action::Refresh);
                    self.say(
                        Severity::Info,
                        format!(
                            "{} new partition(s), {} new file(s) in the lake — press {key} to refresh",
                            change.new_partitions, change.new_files
                        ),
                    );
                }
                News::Reopened(Ok(lake)) => self.take_lake(lake),
                News::Reopened(Err(err)) => self.say(Severity::Error, format!("cannot reopen the lake: {err}")),
            }
        }
    }

    fn take_lake(&mut self, lake: Lake) {
        let worker = match QueryWorker::spawn(&lake) {
            Ok(worker) => worker,
            Err(err) => return self.say(Severity::Error, format!("cannot query the reopened lake: {err}")),
        };
        let change = self.refresh.taken_in(lake.root().to_path_buf());
        self.lake = lake;
        self.worker = worker;
        self.known = Known::of(&self.lake);
        let page = &mut self.history[self.current];
        page.screen.lake_reopened(&self.lake);
        // Only the new partitions and the days they touch are written.
        self.prepare_in_background();
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

/// Put the cursor on the row standing for what `kept` stands for, if the
/// page still has it.
fn stand_on(screen: &mut dyn AnyScreen, kept: &Markable) {
    let same = |m: Markable| m.kind == kept.kind && m.value == kept.value;
    if let Some(row) = (0..screen.rows()).find(|&row| screen.markable(row).is_some_and(same)) {
        screen.list_mut().cursor = row;
    }
}
