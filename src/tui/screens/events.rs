//! The events table, one page of `EventQuery` at a time: a 10M-event scope
//! never sits in memory, only the page on screen.

use std::sync::Arc;

use crate::lake::athena::engine::{self as athena_engine, Engine};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::inspector::InspectorScreen;
use crate::case::Markable;
use crate::lake::athena::Question;
use crate::lake::config::ConfigTarget;
use crate::lake::worker::Query;
use crate::lake::{EventCriteria, EventRow, Page, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Target, short_time};
use crate::tui::target::{criteria_args, event_markable};

/// Rows per page fetched from the engine.
pub const PAGE: u64 = 200;

#[derive(Debug, Clone)]
pub struct EventsScreen {
    pub filter: EventCriteria,
    /// Offset of the page in `rows`.
    pub offset: u64,
    pub rows: Vec<EventRow>,
    pub list: ListState,
    /// Put the cursor on the last row when the page arrives (paging up).
    pub land_at_end: bool,
}

impl EventsScreen {
    pub fn new(filter: EventCriteria) -> EventsScreen {
        EventsScreen {
            filter,
            offset: 0,
            rows: Vec::new(),
            list: ListState::default(),
            land_at_end: false,
        }
    }

    pub fn set_rows(&mut self, rows: Vec<EventRow>) {
        self.rows = rows;
        if self.land_at_end {
            self.list.to_end(self.rows.len());
            self.land_at_end = false;
        } else {
            self.list = ListState::default();
        }
        self.list.clamp(self.rows.len());
    }

    /// A full page may have a successor.
    pub fn has_next(&self) -> bool {
        self.rows.len() as u64 == PAGE
    }

    /// Offset of the next page, if moving down past the end should load one.
    pub fn next_page(&mut self) -> Option<u64> {
        self.has_next().then(|| {
            self.offset += PAGE;
            self.offset
        })
    }

    pub fn previous_page(&mut self, land_at_end: bool) -> Option<u64> {
        (self.offset > 0).then(|| {
            self.offset = self.offset.saturating_sub(PAGE);
            self.land_at_end = land_at_end;
            self.offset
        })
    }

    pub fn selected(&self) -> Option<&EventRow> {
        self.rows.get(self.list.cursor)
    }

    fn inspect(&self) -> Effect {
        self.selected().map_or(Effect::None, inspect_event)
    }

    /// The AWS Config view of the selected event's resources.
    fn config(&self) -> Effect {
        let Some(row) = self.selected() else {
            return Effect::Unhandled;
        };
        let Some(event_uid) = row.event_id.clone() else {
            return Effect::Unhandled;
        };
        // The event's own account and second: a scan of one day's files.
        let narrow = Scope {
            accounts: row.account.iter().cloned().collect(),
            regions: Vec::new(),
            from_ms: row.time.map(|t| t.0),
            to_ms: row.time.map(|t| t.0 + 1),
        };
        let target = ConfigTarget::Event {
            event_uid,
            scope: narrow,
        };
        Effect::Go(Target::Config(target, Vec::new()), None)
    }

    /// Moving past the end of a page loads the next; past its start, the previous.
    fn move_by(&mut self, step: isize, narrow: Option<&Narrow>) -> Effect {
        let at_end = self.list.cursor + 1 >= self.rows.len();
        let at_start = self.list.cursor == 0;
        let paging = (step > 0 && step < isize::MAX / 2 && at_end && self.next_page().is_some())
            || (step < 0 && step > isize::MIN / 2 && at_start && self.previous_page(true).is_some());
        if paging {
            Effect::Reload
        } else {
            self.list.move_among(step, self.rows.len(), narrow);
            Effect::None
        }
    }
}

impl View for EventsScreen {
    fn title(&self) -> String {
        if self.filter == Default::default() {
            "Events (all in scope)".into()
        } else {
            format!("Events {}", crate::tui::target::describe(&self.filter))
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Select => self.inspect(),
            Action::ConfigResource => self.config(),
            Action::Timeline => Effect::Go(Target::Timeline(self.filter.clone(), None), None),
            Action::Copy | Action::CopyAll => {
                copy(self.selected().and_then(|row| serde_json::to_string_pretty(row).ok()))
            }
            _ if ctx.is_move(action) => self.move_by(ctx.step(action), ctx.narrow),
            _ => Effect::Unhandled,
        }
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        render(self, ctx, frame, area)
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn markable(&self, row: usize) -> Option<Markable> {
        self.rows.get(row).and_then(event_markable)
    }

    fn athena(&self) -> Option<Question> {
        let page = Page {
            limit: PAGE,
            offset: self.offset,
        };
        Some(Question::Events(self.filter.clone(), page))
    }

    fn question(&self) -> Option<String> {
        Some(format!("events{}", criteria_args(&self.filter)))
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.rows.get(row).and_then(row_words)
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(EventsScreen::new(self.filter.clone())))
    }
}

impl Screen for EventsScreen {
    type Reply = Vec<EventRow>;

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Vec<EventRow>>> {
        let page = Page {
            limit: PAGE,
            offset: self.offset,
        };
        Some(athena_engine::events(
            engine.clone(),
            scope.clone(),
            self.filter.clone(),
            page,
        ))
    }

    fn request(&self, scope: &Scope) -> Option<Query<Vec<EventRow>>> {
        Some(Query::events(
            scope.clone(),
            self.filter.clone(),
            Page {
                limit: PAGE,
                offset: self.offset,
            },
        ))
    }

    fn apply(&mut self, rows: Vec<EventRow>) -> Result<(), String> {
        self.set_rows(rows);
        Ok(())
    }
}

/// The inspector of an event: its original record is asked for when the
/// page opens; the event's fields stand in until it comes (or if it cannot).
pub fn inspect_event(row: &EventRow) -> Effect {
    let title = format!("Event {}", row.event_id.clone().unwrap_or_else(|| "(no id)".into()));
    let value = serde_json::to_value(row).unwrap_or_default();
    let record = row.file.clone().zip(row.event_id.clone());
    let note = match record {
        Some(_) => "original record",
        None => "event fields (no file or id to find the original record)",
    };
    let mut view = InspectorScreen::new(title, note, value);
    view.record = record;
    Effect::Open(Box::new(view))
}

/// One page of events, and where it is in the whole.
fn render(view: &EventsScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let [table_area, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let wide = area.width >= 110;
    // At 80 columns the account and region give way to the operation.
    let mut columns = vec![("TIME".to_string(), Some(19))];
    if wide {
        columns.push(("ACCOUNT".to_string(), Some(12)));
        columns.push(("REGION".to_string(), Some(14)));
    }
    columns.push(("ACTOR".to_string(), None));
    columns.push(("SOURCE IP".to_string(), Some(15)));
    columns.push(("OPERATION".to_string(), Some(if wide { 26 } else { 24 })));
    if wide {
        columns.push(("ERROR".to_string(), Some(18)));
    }
    let theme = ctx.theme;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows = Rows::of(&view.rows, |r| {
        let mut cells = vec![Cell::Text(short_time(r.time), theme.muted)];
        if wide {
            cells.push(Cell::Text(opt(&r.account), theme.text));
            cells.push(Cell::Text(opt(&r.region), theme.muted));
        }
        cells.push(Cell::Text(r.actor.clone(), theme.text));
        cells.push(Cell::Text(opt(&r.source_ip), theme.text));
        let op_style = if r.error_code.is_some() {
            theme.error
        } else {
            theme.text
        };
        cells.push(Cell::Text(opt(&r.operation), op_style));
        if wide {
            cells.push(Cell::Text(r.error_code.clone().unwrap_or_default(), theme.error));
        }
        cells
    });
    Table {
        columns,
        rows,
        list: &view.list,
        narrow: ctx.narrow(&view.list),
        marked: ctx.marked(&view.list),
        empty: "no events match".into(),
    }
    .render(frame, table_area, theme);
    let first = view.offset + 1;
    let last = view.offset + view.rows.len() as u64;
    let more = if view.has_next() { " · more below" } else { " · end" };
    let text = if view.rows.is_empty() {
        String::new()
    } else {
        format!("rows {first}–{last}{more} · enter inspects · pages of {PAGE}")
    };
    frame.render_widget(Paragraph::new(text).style(theme.muted), footer);
}
