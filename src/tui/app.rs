//! The application: a browser-like history of pages (a screen, the scope it
//! was opened with, the state of its query), the query worker, what the user
//! is typing, and the status line. Keys become actions; the app handles the
//! ones about the history and the modes, hands the rest to the screen
//! shown, and applies the [`Effect`] it returns.

use std::path::PathBuf;
use std::time::Duration;

use ratatui::layout::Rect;

mod commands;
mod draw;
mod mouse;
mod tick;

use super::action::Action;
use super::athena_desk::AthenaDesk;
use super::case_desk::{CaseDesk, mark_selected};
use super::clipboard::osc52;
use super::command::Known;
use super::history::CommandHistory;
use super::input::LineInput;
use super::keymap::Keymap;
use super::lake_refresh::LakeRefresh;
use super::layout::areas;
use super::mode::{CommandLine, Mode, Status};
use super::page::Page;
use super::screen::{Context, Effect, Load, Severity, View, unhandled};
use super::screens::{self, case::CaseScreen, partitions::PartitionsScreen};
use super::search;
use super::target::Target;
use super::theme::Theme;
use crate::lake::EventCriteria;
use crate::lake::buckets::Zone;
use crate::lake::prepare::Preparation;
use crate::lake::worker::QueryWorker;
use crate::lake::{Lake, LakeError, Scope};

pub struct Options {
    pub theme: Theme,
    pub keymap: Keymap,
    /// Show elapsed times (off in snapshot tests, which must not depend on the clock).
    pub live_clock: bool,
    pub size: Rect,
    /// Scope of the first view.
    pub scope: Scope,
    /// Write the lake's event store on a thread, answering from the days
    /// done meanwhile (see [`App::prepare_in_background`]).
    pub index_in_background: bool,
    /// Where cases are kept ([`crate::case::store::default_dir`]); None: no case.
    pub cases: Option<PathBuf>,
    /// `--engine athena`: pages with an Athena form are asked of it.
    pub athena: Option<AthenaDesk>,
}

pub struct App {
    lake: Lake,
    worker: QueryWorker,
    history: Vec<Page>,
    current: usize,
    mode: Mode,
    status: Option<Status>,
    keymap: Keymap,
    theme: Theme,
    live_clock: bool,
    size: Rect,
    known: Known,
    /// The last finished query: what and how long.
    last_query: Option<(String, Duration)>,
    /// Bytes for the terminal itself (OSC 52 clipboard sequences).
    outbox: Vec<String>,
    quit: bool,
    problems_seen: usize,
    /// The latest replies dropped because their page was left.
    dropped: Vec<Dropped>,
    /// The clock `z` switches timelines to from UTC (`:tz` sets it).
    other_zone: Zone,
    /// The last `/` search kept (Enter), for `n`/`N`.
    search: String,
    /// Commands run, for ↑/↓ on the command line.
    commands: CommandHistory,
    /// Watching the lake directory for new partitions.
    refresh: LakeRefresh,
    /// The event store being written beside the queries, if it is.
    preparation: Option<Preparation>,
    /// The partial answers the current page was last asked under.
    seen_partial: Option<u64>,
    /// The case marks go to (None: no data directory).
    case: Option<CaseDesk>,
    pub(crate) athena: Option<AthenaDesk>,
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

impl App {
    /// Start on the actors of the whole lake.
    pub fn new(lake: Lake, options: Options) -> Result<App, LakeError> {
        let worker = QueryWorker::spawn(&lake)?;
        let known = Known::of(&lake);
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
            other_zone: Zone::Local,
            search: String::new(),
            commands: CommandHistory::default(),
            refresh: Default::default(),
            preparation: None,
            seen_partial: None,
            case: None,
            athena: options.athena,
        };
        match options.cases.as_deref().map(|dir| CaseDesk::open(dir, app.lake.root())) {
            Some(Ok(desk)) => app.case = Some(desk),
            Some(Err(err)) => app.say(Severity::Error, format!("no case: {err}")),
            None => {}
        }
        if options.index_in_background {
            // Before the first question, which would otherwise write it.
            match Preparation::start(&app.lake) {
                Ok(preparation) => app.preparation = preparation,
                Err(err) => app.say(Severity::Error, format!("cannot index the lake: {err}")),
            }
        }
        app.push(Page::new(options.scope, screens::open(Target::Actors, app.size.width)));
        app.note_problems();
        Ok(app)
    }

    /// Keep the command line's history in `file` between runs (the
    /// binary: [`CommandHistory::default_file`]).
    pub fn keep_history(&mut self, file: PathBuf) {
        match CommandHistory::open(file.clone()) {
            Ok(history) => self.commands = history,
            Err(err) => self.say(
                Severity::Warning,
                format!("command history {} unreadable: {err}", file.display()),
            ),
        }
    }

    fn remember(&mut self, line: &str) {
        if let Err(err) = self.commands.push(line) {
            self.say(Severity::Warning, format!("command history not saved: {err}"));
        }
    }

    /// What the user is doing: moving around, typing, reading the help.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn page(&self) -> &Page {
        &self.history[self.current]
    }

    /// The screen shown, if it is an `S`.
    pub fn screen<S: View>(&self) -> Option<&S> {
        self.page().screen.as_any().downcast_ref::<S>()
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

    fn page_mut(&mut self) -> &mut Page {
        &mut self.history[self.current]
    }

    fn say(&mut self, severity: Severity, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            severity,
        });
    }

    /// The refresh key: reopen the lake if it changed, else rerun the view.
    fn refresh(&mut self) {
        if !self.refresh.changed() {
            return self.reload();
        }
        if self.refresh.reopen(self.lake.root().to_path_buf()) {
            self.say(Severity::Info, "reopening the lake…");
        }
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

    /// Open a page after the current one (dropping any forward history).
    fn push(&mut self, page: Page) {
        self.leave();
        self.history.truncate(self.current + 1);
        self.history.push(page);
        self.current = self.history.len() - 1;
        self.arrive();
    }

    fn back(&mut self) {
        if self.current == 0 {
            return self.say(Severity::Info, "this is the first view");
        }
        self.leave();
        self.current -= 1;
        self.arrive();
    }

    fn forward(&mut self) {
        if self.current + 1 >= self.history.len() {
            return self.say(Severity::Info, "this is the last view");
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
    fn reload(&mut self) {
        // A scope that admits no file has nothing to query: say so plainly.
        let local = self.athena.is_none();
        if local && !self.page().screen.whole_lake() && self.lake.partitions(self.scope()).is_empty() {
            let text = format!("no file of the lake falls in scope {}", self.scope().describe());
            self.page_mut().load = Load::Failed(text.clone());
            return self.say(Severity::Warning, text);
        }
        if let Load::Pending(_) = self.page().load {
            // A new request replaces the one still pending (another events page).
            self.worker.cancel_all();
        }
        let page = &mut self.history[self.current];
        let athena = self.athena.as_ref().map(|d| &d.engine);
        page.load = match page.screen.submit(&page.scope, &mut self.worker, athena) {
            Some(id) => Load::Pending(id),
            None => Load::Ready,
        };
    }

    /// The scope changes by opening the same screen again under it, so
    /// that back returns to the previous scope.
    fn set_scope(&mut self, scope: Scope) {
        let screen = (self.page().screen.rescoped()).unwrap_or_else(|| screens::open(Target::Actors, self.size.width));
        let text = format!("scope: {}", scope.describe());
        self.push(Page::new(scope, screen));
        self.say(Severity::Info, text);
    }

    fn open_partitions(&mut self) {
        let screen = PartitionsScreen::new(&self.lake.partitions(&Scope::default()));
        self.push(Page::new(self.scope().clone(), Box::new(screen)));
    }

    /// Keep the cursor on screen after a move or a resize.
    fn fix_scroll(&mut self) {
        let body = areas(self.size).body;
        self.page_mut().screen.reveal(body);
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.fix_scroll();
    }

    /// Do what a screen asked; `action` is what it was asked to do.
    fn apply(&mut self, effect: Effect, action: Action) {
        match effect {
            Effect::None => {}
            Effect::Unhandled => {
                let effect = unhandled(action, &self.keymap);
                self.apply(effect, action)
            }
            Effect::Say(severity, text) => self.say(severity, text),
            Effect::Copy(text) => {
                self.outbox.push(osc52(&text));
                self.say(
                    Severity::Info,
                    format!("copied {} characters (OSC 52)", text.chars().count()),
                );
            }
            Effect::Reload => self.reload(),
            Effect::SetScope(scope) => self.set_scope(scope),
            Effect::Open(screen) => self.push(Page::new(self.scope().clone(), screen)),
            Effect::Go(target, scope) => {
                let scope = scope.unwrap_or_else(|| self.scope().clone());
                self.push(Page::new(scope, screens::open(target, self.size.width)));
            }
        }
    }

    /// `:mark`/`:note`: see [`mark_selected`].
    fn mark(&mut self, tag: Option<String>, note: Option<String>) {
        let root = self.lake.root().to_path_buf();
        let (ok, message) = mark_selected(self.case.as_mut(), &mut self.history, self.current, &root, tag, note);
        self.say(if ok { Severity::Info } else { Severity::Warning }, message);
    }

    /// `:case NAME`: switch to that case (made if new), then show it.
    fn open_case_named(&mut self, name: Option<String>) {
        if let (Some(name), Some(desk)) = (name, self.case.as_mut())
            && let Err(e) = desk.switch(&name)
        {
            return self.say(Severity::Warning, e.to_string());
        }
        self.open_case();
    }

    fn open_case(&mut self) {
        match &self.case {
            Some(desk) => self.apply(Effect::Open(Box::new(CaseScreen::new(&desk.case))), Action::Case),
            None => self.say(Severity::Warning, "no case: cases need a data directory"),
        }
    }

    /// `B`: the `:` line with `sync-back DIR` typed, DIR proposed.
    fn propose_sync_back(&mut self) {
        let proposed = match &self.athena {
            Some(desk) => desk.proposed_dest().ok_or(super::athena_desk::NO_BUCKET),
            None => Err(super::athena_desk::NOT_ON_ATHENA),
        };
        match proposed {
            Ok(dest) => self.type_command(&format!("sync-back {}", dest.display())),
            Err(why) => self.say(Severity::Warning, why),
        }
    }

    /// The `:` line with `text` already typed (`m`: "mark ", `M`: "note ").
    fn type_command(&mut self, text: &str) {
        let mut line = CommandLine::with_history(self.commands.lines().to_vec());
        line.input.set(text);
        self.mode = Mode::Command(line);
    }

    /// `:tz`: the clock of the timeline shown, and of those `z` switches to.
    fn set_zone(&mut self, zone: Zone) {
        if zone != Zone::Utc {
            self.other_zone = zone;
        }
        // The offset in force now, not at the epoch (local time has DST).
        let label = zone.label(chrono::Utc::now().timestamp_millis());
        if self.page_mut().screen.set_zone(zone) {
            self.reload();
        } else {
            self.say(Severity::Info, format!("timelines will use {label}"));
        }
    }

    pub fn act(&mut self, action: Action) {
        let claimed = self.page().screen.claims(action);
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.mode = Mode::Help { offset: 0 },
            Action::Back => self.back(),
            Action::Forward => self.forward(),
            Action::Filter => match self.page().screen.fuzzy_filter() {
                Some(filter) => {
                    self.mode = Mode::Filter {
                        input: LineInput::with(filter),
                        before: filter.to_string(),
                    }
                }
                None if self.page().screen.row_text(0).is_some() => self.mode = self.page().search_mode(),
                None => self.say(Severity::Info, "nothing to search on this page"),
            },
            Action::NextMatch | Action::PrevMatch => self.next_match(action == Action::NextMatch),
            Action::Command => self.mode = Mode::Command(CommandLine::with_history(self.commands.lines().to_vec())),
            Action::Cancel => self.cancel(),
            Action::Partitions => self.open_partitions(),
            Action::Actors if !claimed => self.apply(Effect::Go(Target::Actors, None), action),
            Action::Events => self.apply(Effect::Go(Target::Events(EventCriteria::default()), None), action),
            Action::Refresh => self.refresh(),
            Action::CaseMark => self.type_command("mark "),
            Action::CaseNote => self.type_command("note "),
            Action::Case => self.open_case(),
            Action::CopyAthena => self.apply(self.page().athena_copy(), action),
            Action::SyncBack => self.propose_sync_back(),
            _ => self.screen_action(action),
        }
    }

    /// Enter on the `/` line: `n`/`N` go on with it; empty shows every row.
    fn search_kept(&mut self, text: String) {
        let empty = text.is_empty();
        self.search = text;
        if !empty {
            return self.say_match();
        }
        self.page_mut().narrow = None;
        if self.page().screen.narrows() {
            self.say(Severity::Info, "every row shown");
        }
    }

    /// `n`/`N`: the cursor to the next (previous) row holding the search.
    fn next_match(&mut self, forward: bool) {
        if self.search.is_empty() {
            return self.say(Severity::Info, "no search yet: / first");
        }
        let view = self.page().screen.as_ref();
        let rows = view.rows().max(1);
        let cursor = view.list().cursor;
        let from = match forward {
            true => (cursor + 1) % rows,
            false => (cursor + rows - 1) % rows,
        };
        if let Some(row) = search::find(view, &self.search, from, forward) {
            self.page_mut().screen.list_mut().cursor = row;
        }
        self.say_match();
    }

    /// Where the cursor stands among the rows holding the search.
    fn say_match(&mut self) {
        let view = self.page().screen.as_ref();
        let (at, of) = search::rank(view, &self.search, view.list().cursor);
        let text = crate::text::sanitize(&self.search);
        match of {
            0 => self.say(Severity::Warning, format!("no row holds /{text}")),
            _ => self.say(Severity::Info, format!("/{text}: match {at} of {of}")),
        }
    }

    /// Hand an action to the screen shown, and apply what it asks.
    fn screen_action(&mut self, action: Action) {
        let page = &mut self.history[self.current];
        let ctx = Context {
            scope: &page.scope,
            keymap: &self.keymap,
            body: areas(self.size).body,
            other_zone: self.other_zone,
            narrow: page.narrow.as_ref(),
        };
        let moved = ctx.is_move(action);
        let effect = page.screen.handle(action, &ctx);
        self.apply(effect, action);
        // A move leaves the rows as they were; anything else may change them.
        if !moved {
            self.page_mut().renarrow();
        }
    }

    /// Esc: stop the query of this page; with none, the screen's own cancel.
    fn cancel(&mut self) {
        if let Load::Pending(id) = self.page().load {
            if self.worker.running().is_some_and(|r| r.id == id) {
                self.worker.cancel();
                self.say(Severity::Warning, "cancelling…");
            } else {
                // Still queued: forget it; its reply will be dropped.
                self.page_mut().load = Load::Cancelled;
                self.say(Severity::Warning, "query cancelled before it started");
            }
            return;
        }
        self.screen_action(Action::Cancel);
    }
}
