//! The application state: a browser-like history of pages, the scope each
//! was opened with, the query each waits for, and what the user is typing.
//! Keys become actions in `update.rs`; drawing is in `render/`.

use std::time::Duration;

use ratatui::layout::Rect;

use crate::lake::worker::QueryWorker;
use crate::lake::{Lake, LakeError, Scope};

use super::command::Known;
use super::input::LineInput;
use super::keymap::Keymap;
use super::page::{Load, Page, View};
use super::theme::Theme;
use super::views::actors::ActorsView;
use super::views::partitions::PartitionsView;
use super::views::report::Line;
use super::views::target::Target;

pub struct Options {
    pub theme: Theme,
    pub keymap: Keymap,
    /// Show elapsed times (off in snapshot tests, which must not depend on the clock).
    pub live_clock: bool,
    pub size: Rect,
    /// Scope of the first view.
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a fuzzy filter; `before` comes back on Esc.
    Filter {
        input: LineInput,
        before: String,
    },
    Command(CommandLine),
    Help {
        offset: usize,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub input: LineInput,
    pub candidates: Vec<String>,
    pub choice: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub severity: Severity,
}

pub struct App {
    pub(super) lake: Lake,
    pub(super) worker: QueryWorker,
    pub(super) history: Vec<Page>,
    pub(super) current: usize,
    pub(super) mode: Mode,
    pub(super) status: Option<Status>,
    pub(super) keymap: Keymap,
    pub(super) theme: Theme,
    pub(super) live_clock: bool,
    pub(super) size: Rect,
    pub(super) known: Known,
    /// The last finished query: what and how long.
    pub(super) last_query: Option<(String, Duration)>,
    /// Bytes for the terminal itself (OSC 52 clipboard sequences).
    pub(super) outbox: Vec<String>,
    pub(super) quit: bool,
    problems_seen: usize,
    /// The latest replies dropped because their page was left.
    dropped: Vec<Dropped>,
    /// The clock `z` switches timelines to from UTC (`:tz` sets it).
    pub(super) other_zone: crate::lake::buckets::Zone,
    /// Watching the lake directory for new partitions (`lake_refresh.rs`).
    pub(super) refresh: super::lake_refresh::LakeRefresh,
}

/// How many dropped replies [`App::dropped_replies`] remembers.
const DROPPED_KEPT: usize = 32;

/// A reply that arrived for a page no longer waiting for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    pub id: u64,
    /// The worker never ran it, or stopped it (`LakeError::Cancelled`).
    pub cancelled: bool,
}

/// Accounts, regions and days of the lake's partitions, for completion.
pub(super) fn known_of(lake: &Lake) -> Known {
    let mut known = Known::default();
    for p in &lake.partitions(&Scope::default()) {
        known.accounts.extend(p.account.clone());
        known.regions.extend(p.region.clone());
        if let Some(d) = p.day.as_ref().filter(|d| d.len() == 8) {
            known.days.push(format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8]));
        }
    }
    for list in [&mut known.accounts, &mut known.regions, &mut known.days] {
        list.sort();
        list.dedup();
    }
    known
}

impl App {
    /// Start on the actors of the whole lake.
    pub fn new(lake: Lake, options: Options) -> Result<App, LakeError> {
        let worker = QueryWorker::spawn(&lake)?;
        let known = known_of(&lake);
        let mut app = App {
            lake,
            worker,
            history: Vec::new(),
            current: 0,
            mode: Mode::Normal,
            status: None,
            keymap: options.keymap,
            theme: options.theme,
            live_clock: options.live_clock,
            size: options.size,
            known,
            last_query: None,
            outbox: Vec::new(),
            quit: false,
            problems_seen: 0,
            dropped: Vec::new(),
            other_zone: crate::lake::buckets::Zone::Local,
            refresh: Default::default(),
        };
        app.push(Page::new(options.scope, View::Actors(ActorsView::default())));
        app.note_problems();
        Ok(app)
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn page(&self) -> &Page {
        &self.history[self.current]
    }

    pub(super) fn page_mut(&mut self) -> &mut Page {
        &mut self.history[self.current]
    }

    pub fn scope(&self) -> &Scope {
        &self.page().scope
    }

    /// Is the current page waiting for its query?
    pub fn is_loading(&self) -> bool {
        matches!(self.page().load, Load::Pending(_))
    }

    /// The latest replies dropped because their page was left (oldest first).
    pub fn dropped_replies(&self) -> &[Dropped] {
        &self.dropped
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// Sequences to write to the terminal as they are (clipboard).
    pub fn take_output(&mut self) -> Vec<String> {
        std::mem::take(&mut self.outbox)
    }

    pub(super) fn say(&mut self, severity: Severity, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            severity,
        });
    }

    /// Drain the worker's replies; a reply is kept only by the page that is
    /// showing and waiting for that id: results for views the user left are dropped.
    pub fn tick(&mut self) {
        self.poll_lake();
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
            let what = self.page().request().map(|r| r.describe()).unwrap_or_default();
            self.last_query = Some((what, reply.elapsed));
            if let Err(LakeError::Cancelled) = &reply.result {
                let again = self.keymap.hint(super::action::Action::Refresh);
                self.say(Severity::Warning, format!("query cancelled; {again} runs it again"));
            }
            self.page_mut().apply(reply.result);
            if let Load::Failed(message) = &self.page().load {
                let message = message.clone();
                self.say(Severity::Error, message);
            }
            self.learn();
        }
        self.note_problems();
        self.fix_scroll();
    }

    /// Unreadable files found by the engine are announced once each.
    fn note_problems(&mut self) {
        let problems = self.lake.problems();
        if problems.len() > self.problems_seen {
            let newest = &problems[problems.len() - 1];
            let name = newest
                .path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let text = format!(
                "skipped unreadable {name}: {} ({} in all; :problems lists them)",
                newest.problem,
                problems.len()
            );
            self.problems_seen = problems.len();
            tracing::warn!("{text}");
            self.say(Severity::Warning, text);
        }
    }

    /// Remember actors, IPs, keys and resources seen, for completion.
    fn learn(&mut self) {
        match &self.history[self.current].view {
            View::Actors(a) => self.known.actors = a.rows.iter().map(|r| r.arn.clone()).collect(),
            View::Report(r) => {
                let Some(report) = &r.report else { return };
                for row in report.sections.iter().flat_map(|s| s.rows.iter()) {
                    if let Some(Target::Open(subject)) = &row.target {
                        let list = match subject {
                            super::views::target::Subject::Actor(_) => &mut self.known.actors,
                            super::views::target::Subject::Ip(_) => &mut self.known.ips,
                            super::views::target::Subject::Key(_) => &mut self.known.keys,
                            super::views::target::Subject::Resource(_) => &mut self.known.resources,
                        };
                        if !list.iter().any(|v| v == subject.id()) {
                            list.push(subject.id().to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Open a page after the current one (dropping any forward history).
    pub(super) fn push(&mut self, page: Page) {
        self.leave();
        self.history.truncate(self.current + 1);
        self.history.push(page);
        self.current = self.history.len() - 1;
        self.arrive();
    }

    pub(super) fn back(&mut self) {
        if self.current == 0 {
            self.say(Severity::Info, "this is the first view");
            return;
        }
        self.leave();
        self.current -= 1;
        self.arrive();
    }

    pub(super) fn forward(&mut self) {
        if self.current + 1 >= self.history.len() {
            self.say(Severity::Info, "this is the last view");
            return;
        }
        self.leave();
        self.current += 1;
        self.arrive();
    }

    /// Leaving a page stops its query: its reply would be dropped anyway.
    fn leave(&mut self) {
        let Some(page) = self.history.get_mut(self.current) else {
            return;
        };
        if let Load::Pending(_) = page.load {
            // Everything submitted so far was for pages being left: none of
            // it may run (the page arrived at submits its own request after).
            self.worker.cancel_all();
            page.load = Load::Stale;
        }
    }

    /// A page shown again asks again for what it never received.
    fn arrive(&mut self) {
        self.status = None;
        if self.page().load == Load::Stale {
            self.reload();
        }
        self.fix_scroll();
    }

    /// (Re)run the current page's query.
    pub(super) fn reload(&mut self) {
        // A scope that admits no file has nothing to query: say so plainly.
        if !matches!(self.page().view, View::Partitions(_)) && self.lake.partitions(self.scope()).is_empty() {
            let text = format!("no file of the lake falls in scope {}", self.scope().describe());
            self.page_mut().load = Load::Failed(text.clone());
            self.say(Severity::Warning, text);
            return;
        }
        if let Load::Pending(_) = self.page().load {
            // A new request replaces the one still pending (another events page).
            self.worker.cancel_all();
        }
        match self.page().request() {
            Some(request) => {
                let id = self.worker.submit(request);
                self.page_mut().load = Load::Pending(id);
            }
            None => self.page_mut().load = Load::Ready,
        }
    }

    /// The scope changes by opening the same view again under it, so that
    /// back returns to the previous scope.
    pub(super) fn set_scope(&mut self, scope: Scope) {
        let view = match &self.page().view {
            View::Report(r) => View::Report(super::views::report::ReportView::new(r.subject.clone())),
            View::Events(e) => View::Events(super::views::events::EventsView::new(e.filter.clone())),
            View::Actors(a) => {
                let mut fresh = ActorsView::default();
                fresh.set_filter(&a.filter);
                View::Actors(fresh)
            }
            View::Timeline(t) => {
                let mut fresh = super::views::timeline::TimelineView::new(t.filter.clone(), t.lanes, t.columns);
                fresh.zone = t.zone;
                View::Timeline(fresh)
            }
            View::Config(c) => View::Config(super::views::resource_config::ResourceView::new(
                c.target.clone(),
                c.trail.clone(),
            )),
            View::Partitions(_) | View::Inspector(_) => View::Actors(ActorsView::default()),
        };
        let text = format!("scope: {}", scope.describe());
        self.push(Page::new(scope, view));
        self.say(Severity::Info, text);
    }

    pub(super) fn open_partitions(&mut self) {
        let view = PartitionsView::new(&self.lake.partitions(&Scope::default()));
        let scope = self.scope().clone();
        self.push(Page::new(scope, View::Partitions(view)));
    }

    /// Keep the cursor on screen after a move or a resize.
    pub(super) fn fix_scroll(&mut self) {
        let body = super::layout::areas(self.size).body;
        let rows = body.height.saturating_sub(1) as usize;
        match &mut self.history[self.current].view {
            View::Partitions(p) => p.list.reveal(p.list.cursor, rows),
            View::Actors(a) => a.list.reveal(a.list.cursor, rows),
            View::Events(e) => e.list.reveal(e.list.cursor, rows),
            View::Inspector(i) => i.list.reveal(i.list.cursor, rows),
            // Everything a timeline shows fits its body.
            View::Timeline(_) => {}
            // Its panes scroll themselves, each to its own cursor.
            View::Config(_) => {}
            View::Report(r) => {
                let line = r.cursor_line();
                // Show a section's heading with its first row.
                let report_lines = r.report.as_ref().map(|rep| rep.lines()).unwrap_or_default();
                let above = report_lines[..line.min(report_lines.len())]
                    .iter()
                    .rev()
                    .take_while(|l| matches!(l, Line::Columns(_) | Line::Heading(_) | Line::Blank))
                    .count();
                r.list.reveal(line.saturating_sub(above), body.height as usize);
                r.list.reveal(line, body.height as usize);
            }
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.fix_scroll();
    }
}
