//! What a screen is: its state, the one typed query that fills it, the
//! actions it handles (turned into [`Effect`]s the app applies) and how it
//! draws. Modelled on gitui's `Component`/`DrawableComponent` and its async
//! jobs, with the query's reply typed: a screen receives only what its own
//! query returns.
//!
//! A screen implements [`View`] (everything but the query) and [`Screen`]
//! (the query). The history holds them as `Box<dyn AnyScreen>`, which every
//! `Screen` is, with its reply type erased.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::command::Known;
use super::keymap::Keymap;
use super::list::ListState;
use super::narrow::Narrow;
use super::target::Target;
use super::theme::Theme;
use crate::case::Markable;
use crate::lake::athena::Question;
use crate::lake::athena::engine::Engine;
use crate::lake::buckets::Zone;
use crate::lake::worker::{Query, QueryWorker};
use crate::lake::{Lake, LakeError, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Nothing to load, or loaded.
    Ready,
    /// Waiting for the worker's reply with this id.
    Pending(u64),
    /// The reply was dropped (the user left); ask again when shown.
    Stale,
    Failed(String),
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a screen asks the app to do after an action.
#[derive(Debug)]
pub enum Effect {
    /// Done, nothing else to do.
    None,
    /// This screen does not handle the action: the app says what does.
    Unhandled,
    Say(Severity, String),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Run this screen's query again.
    Reload,
    /// Open this screen's kind again under another scope.
    SetScope(Scope),
    /// Open a screen built here, under the current scope.
    Open(Box<dyn AnyScreen>),
    /// Go where a row leads (a pivot): `screens::open` builds the screen,
    /// under the given scope or the current one.
    Go(Target, Option<Scope>),
}

/// What a screen may read while handling an action.
pub struct Context<'a> {
    pub scope: &'a Scope,
    pub keymap: &'a Keymap,
    /// The body area (below the title line, above the status line).
    pub body: Rect,
    /// The clock `z` switches timelines to from UTC (`:tz` sets it).
    pub other_zone: Zone,
    /// `/` narrowing the screen's main list.
    pub narrow: Option<&'a Narrow>,
}

impl Context<'_> {
    /// Move the main list's cursor for `action` among its `len` rows, or
    /// among those `/` left.
    pub fn move_cursor(&self, list: &mut ListState, action: Action, len: usize) {
        list.move_among(self.step(action), len, self.narrow);
    }

    /// Is this a cursor movement (up, down, a page, to either end)?
    pub fn is_move(&self, action: Action) -> bool {
        self.step(action) != 0
    }

    /// Rows a cursor action moves by: one, a page, or to either end.
    pub fn step(&self, action: Action) -> isize {
        let page = (self.body.height.saturating_sub(2)).max(1) as isize;
        match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => 0,
        }
    }
}

/// Copy `text`, or say there is nothing to copy.
pub fn copy(text: Option<String>) -> Effect {
    match text {
        Some(text) => Effect::Copy(text),
        None => Effect::Say(Severity::Info, "nothing to copy here".into()),
    }
}

/// What the app does with an action the screen shown has no use for:
/// say what does it, or where.
pub fn unhandled(action: Action, keymap: &Keymap) -> Effect {
    let text = match action {
        Action::Sort | Action::ReverseSort => "sorting works on the actors table".to_string(),
        Action::ZoomIn
        | Action::ZoomOut
        | Action::PanLeft
        | Action::PanRight
        | Action::Mark
        | Action::Lanes
        | Action::Clock => {
            let hint = keymap.hint(Action::Timeline);
            format!("zoom, pan and lanes work on a timeline ({hint} opens one)")
        }
        Action::Select => "nothing to open on this row".into(),
        Action::Flows => "flows open from an IP, instance or interface report (or :flows ip=…)".into(),
        Action::Findings => return Effect::Go(Target::Findings(Default::default()), None),
        Action::Hunts => return Effect::Go(Target::Hunts, None),
        Action::EventsOfSelection => "no events to open from here".into(),
        Action::ConfigResource => {
            "select an event, a resource row or a relationship to open its AWS Config view".into()
        }
        // The timeline of the whole scope.
        Action::Timeline => return Effect::Go(Target::Timeline(Default::default(), None), None),
        _ => return Effect::None,
    };
    Effect::Say(Severity::Info, text)
}

/// What a screen may read while drawing.
pub struct Draw<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    /// The state of the screen's query.
    pub load: &'a Load,
    /// `/` narrowing the screen's main list (the list, to know it by).
    pub narrow: Option<(&'a ListState, &'a Narrow)>,
    /// Whether a row of the main list is marked in the case (None: the
    /// case has no marks, and tables draw no marker column).
    pub marked: Option<(&'a ListState, &'a dyn Fn(usize) -> bool)>,
}

impl<'a> Draw<'a> {
    /// The rows `/` leaves in the table of `list`, when it narrows that
    /// list (a screen with several lists narrows the one the cursor is in).
    pub fn narrow(&self, list: &ListState) -> Option<&'a Narrow> {
        self.narrow
            .filter(|(focus, _)| std::ptr::eq(*focus, list))
            .map(|(_, n)| n)
    }

    /// Which rows of `list`'s table are marked in the case.
    pub fn marked(&self, list: &ListState) -> Option<&'a dyn Fn(usize) -> bool> {
        self.marked
            .filter(|(focus, _)| std::ptr::eq(*focus, list))
            .map(|(_, m)| m)
    }
}

/// Everything a screen does except its query (object safe).
pub trait View: Debug + Any {
    /// Title for the breadcrumb line.
    fn title(&self) -> String;

    /// An action (a key, the mouse, a click on a row) into an effect.
    fn handle(&mut self, action: Action, ctx: &Context) -> Effect;

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect);

    /// Does the screen take this action before the app's global meaning
    /// of it (`a` on a hunt: its actor, not the actors table)?
    fn claims(&self, _action: Action) -> bool {
        false
    }

    /// The cursor and scroll of the screen's main list.
    fn list(&self) -> &ListState;
    fn list_mut(&mut self) -> &mut ListState;

    /// How many rows the cursor can be on.
    fn rows(&self) -> usize;

    /// The row index under body line `dy` (a click). Tables have a column
    /// header line above their rows.
    fn row_at(&self, dy: usize, narrow: Option<&Narrow>) -> Option<usize> {
        let line = dy.checked_sub(1)?;
        match narrow {
            Some(narrow) => narrow.at_line(line),
            None => Some(self.list().offset + line),
        }
    }

    /// Whether `/` narrows the table to its matches (false: the screen's
    /// lines are not rows to hide, and `/` jumps between matches).
    fn narrows(&self) -> bool {
        self.row_text(0).is_some()
    }

    /// Scroll so that the cursor shows in a body of `body` (after a move or a resize).
    fn reveal(&mut self, body: Rect) {
        let rows = body.height.saturating_sub(1) as usize;
        let list = self.list_mut();
        list.reveal(list.cursor, rows);
    }

    /// The same screen, fresh, for another scope; `None`: the actors.
    fn rescoped(&self) -> Option<Box<dyn AnyScreen>>;

    /// Remember actors, IPs, keys and resources shown, for completion.
    fn learn(&self, _known: &mut Known) {}

    /// The screen covers the whole lake whatever the scope, and draws its
    /// own rows while its query runs (the partitions tree).
    fn whole_lake(&self) -> bool {
        false
    }

    /// The text `/` searches in row `row` (see [`crate::tui::search`]);
    /// None: the screen has no rows to search.
    fn row_text(&self, _row: usize) -> Option<String> {
        None
    }

    /// What row `row` stands for in a case (`m` marks it); None: nothing
    /// to mark there.
    fn markable(&self, _row: usize) -> Option<Markable> {
        None
    }

    /// The page's question as `lakescope` arguments (after `--lake DIR`
    /// and the scope), kept in a mark's path so a reviewer can ask it again.
    fn question(&self) -> Option<String> {
        None
    }

    /// The page's question in a form Athena can be asked (`A` copies its
    /// SQL); None: no Athena form yet.
    fn athena(&self) -> Option<Question> {
        None
    }

    /// The fuzzy filter, if the screen has one.
    fn fuzzy_filter(&self) -> Option<&str> {
        None
    }

    fn set_fuzzy_filter(&mut self, _text: &str) {}

    /// `:tz`: use this clock. Returns whether the query must run again.
    fn set_zone(&mut self, _zone: Zone) -> bool {
        false
    }

    /// The lake was reopened with new files.
    fn lake_reopened(&mut self, _lake: &Lake) {}
}

/// A screen: a view filled by one typed query.
pub trait Screen: View {
    /// What its query returns.
    type Reply: Send + 'static;

    /// The query that fills it under `scope`; `None`: nothing to load.
    fn request(&self, scope: &Scope) -> Option<Query<Self::Reply>>;

    /// The same question asked of Athena (`--engine athena`); `None`: the
    /// page has no Athena form and is answered from the lake on disk.
    fn athena_request(&self, _scope: &Scope, _engine: &Arc<Engine>) -> Option<Query<Self::Reply>> {
        None
    }

    /// Take the reply in; `Err` is shown as the screen's failure.
    fn apply(&mut self, reply: Self::Reply) -> Result<(), String>;

    /// The query failed (the app shows the error).
    fn failed(&mut self, _error: &LakeError) {}
}

/// A [`Screen`] with its reply type erased, as the history holds it.
pub trait AnyScreen: View {
    /// Submit the screen's query (to Athena when `athena` is given and the
    /// page has an Athena form); `None`: nothing to load.
    fn submit(&self, scope: &Scope, worker: &mut QueryWorker, athena: Option<&Arc<Engine>>) -> Option<u64>;

    /// A reply to the query [`AnyScreen::submit`] sent.
    fn apply_reply(&mut self, reply: Box<dyn Any + Send>) -> Result<(), String>;

    fn failed_reply(&mut self, error: &LakeError);

    fn as_any(&self) -> &dyn Any;
}

impl<S: Screen> AnyScreen for S {
    fn submit(&self, scope: &Scope, worker: &mut QueryWorker, athena: Option<&Arc<Engine>>) -> Option<u64> {
        match athena.and_then(|engine| self.athena_request(scope, engine)) {
            Some(query) => Some(worker.submit(query)),
            None => self.request(scope).map(|query| worker.submit(query)),
        }
    }

    fn apply_reply(&mut self, reply: Box<dyn Any + Send>) -> Result<(), String> {
        match reply.downcast::<S::Reply>() {
            Ok(reply) => self.apply(*reply),
            // Replies are matched to their screen by id: this cannot happen.
            Err(_) => Err("unexpected reply from the query worker".into()),
        }
    }

    fn failed_reply(&mut self, error: &LakeError) {
        self.failed(error)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
