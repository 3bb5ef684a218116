//! A page of the workbench's history: a screen, the scope it was opened
//! with, the state of its query, and what `/` left of its table. Narrowing
//! lives here (not in the app) because it belongs to the page: back and
//! forward find each page as it was left.

use super::input::LineInput;
use super::mode::Mode;
use super::narrow::Narrow;
use super::screen::{AnyScreen, Effect, Load, Severity};
use super::search;
use crate::case::Markable;
use crate::lake::{Scope, athena};

/// A page in the history: a screen, the scope it was opened with, and the
/// state of its query.
#[derive(Debug)]
pub struct Page {
    pub scope: Scope,
    pub screen: Box<dyn AnyScreen>,
    pub load: Load,
    /// `/` on a table: the rows left.
    pub narrow: Option<Narrow>,
    /// The row last under the cursor when an answer came: the cursor
    /// stands on it again in the next one (more days indexed, a refresh),
    /// even through an answer that had no rows.
    pub kept: Option<Markable>,
}

impl Page {
    pub fn new(scope: Scope, screen: Box<dyn AnyScreen>) -> Page {
        Page {
            scope,
            screen,
            load: Load::Stale,
            narrow: None,
            kept: None,
        }
    }

    /// Title for the breadcrumb line.
    pub fn title(&self) -> String {
        match &self.narrow {
            Some(n) => format!("{} /{}", self.screen.title(), crate::text::sanitize(&n.text)),
            None => self.screen.title(),
        }
    }
}

impl Page {
    /// `A`: the Athena SQL of the page's question, for the clipboard.
    pub fn athena_copy(&self) -> Effect {
        let Some(question) = self.screen.athena() else {
            let text = "no Athena form for this page yet (events, the unfiltered actors, reports and the UTC timeline without lanes have one)";
            return Effect::Say(Severity::Info, text.into());
        };
        let Some(region) = athena::region_from_env() else {
            let text = "set AWS_REGION to the Security Lake rollup region to name its Glue tables";
            return Effect::Say(Severity::Warning, text.into());
        };
        match athena::script(&athena::Tables::new(&region), &self.scope, &question) {
            Ok(sql) => Effect::Copy(sql),
            Err(e) => Effect::Say(Severity::Warning, e.to_string()),
        }
    }

    /// `/` on a screen without a fuzzy filter: the line to edit the
    /// narrowing (or the search) in place.
    pub fn search_mode(&self) -> Mode {
        let before = self.narrow.as_ref().map(|n| n.text.clone()).unwrap_or_default();
        Mode::Search {
            input: LineInput::with(&before),
            from: self.screen.list().cursor,
            before,
        }
    }

    /// The `/` line as typed: narrow to it (or, on a screen that keeps
    /// its lines, only jump), the cursor on the first match from `from`.
    pub fn search_typed(&mut self, text: &str, from: usize) {
        let view = self.screen.as_ref();
        let found = search::find(view, text, from, true);
        if view.narrows() {
            self.narrow = search::narrow(view, text);
        }
        self.screen.list_mut().cursor = found.unwrap_or(from);
    }

    /// Esc on the `/` line: the rows and the cursor from before.
    pub fn search_cancelled(&mut self, from: usize, before: &str) {
        if self.screen.narrows() {
            self.narrow = search::narrow(self.screen.as_ref(), before);
        }
        self.screen.list_mut().cursor = from;
    }

    /// The rows changed (a reply, a page, a fold): narrow them again, and
    /// keep the cursor on a row still shown.
    pub fn renarrow(&mut self) {
        let Some(text) = self.narrow.as_ref().map(|n| n.text.clone()) else {
            return;
        };
        let narrow = search::narrow(self.screen.as_ref(), &text);
        let cursor = self.screen.list().cursor;
        let hidden = narrow.as_ref().filter(|n| n.position(cursor).is_none());
        if let Some(row) = hidden.and_then(|n| n.step(cursor, 1)) {
            self.screen.list_mut().cursor = row;
        }
        self.narrow = narrow;
    }
}
