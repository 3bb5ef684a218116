//! The conversations of an IP, instance or interface (VPC flows
//! aggregated by peer and service port, most bytes first), a page at a
//! time like the events table; Enter opens the peer's IP report.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::events::PAGE;
use std::sync::Arc;

use crate::lake::athena::Question;
use crate::lake::athena::engine::{self as athena_engine, Engine};
use crate::lake::network::FlowCriteria;
use crate::lake::worker::Query;
use crate::lake::{FlowRow, Page, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::render::cells::{bytes, direction, port_protocol};
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Subject, Target, describe_flows, short_time};

#[derive(Debug, Clone)]
pub struct FlowsScreen {
    pub criteria: FlowCriteria,
    /// Offset of the page in `rows`.
    pub offset: u64,
    pub rows: Vec<FlowRow>,
    pub list: ListState,
    /// Put the cursor on the last row when the page arrives (paging up).
    land_at_end: bool,
}

impl FlowsScreen {
    pub fn new(criteria: FlowCriteria) -> FlowsScreen {
        FlowsScreen {
            criteria,
            offset: 0,
            rows: Vec::new(),
            list: ListState::default(),
            land_at_end: false,
        }
    }

    pub fn selected(&self) -> Option<&FlowRow> {
        self.rows.get(self.list.cursor)
    }

    /// A full page may have a successor.
    pub fn has_next(&self) -> bool {
        self.rows.len() as u64 == PAGE
    }

    /// Moving past the end of a page loads the next; past its start, the previous.
    fn move_by(&mut self, step: isize, narrow: Option<&Narrow>) -> Effect {
        let at_end = self.list.cursor + 1 >= self.rows.len();
        let at_start = self.list.cursor == 0;
        let (down, up) = (step > 0 && step < isize::MAX / 2, step < 0 && step > isize::MIN / 2);
        if down && at_end && self.has_next() {
            self.offset += PAGE;
            return Effect::Reload;
        }
        if up && at_start && self.offset > 0 {
            self.offset = self.offset.saturating_sub(PAGE);
            self.land_at_end = true;
            return Effect::Reload;
        }
        self.list.move_among(step, self.rows.len(), narrow);
        Effect::None
    }
}

impl FlowsScreen {
    fn page(&self) -> Page {
        Page {
            limit: PAGE,
            offset: self.offset,
        }
    }
}

impl View for FlowsScreen {
    fn title(&self) -> String {
        format!("Flows {}", describe_flows(&self.criteria))
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Select => match self.selected().and_then(|f| f.peer.clone()) {
                Some(peer) => Effect::Go(Target::Open(Subject::Ip(peer)), None),
                None => Effect::Unhandled,
            },
            Action::Copy => copy(self.selected().and_then(|f| f.peer.clone())),
            Action::CopyAll => copy(self.selected().and_then(|f| serde_json::to_string_pretty(f).ok())),
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

    fn row_text(&self, row: usize) -> Option<String> {
        self.rows.get(row).and_then(row_words)
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(FlowsScreen::new(self.criteria.clone())))
    }

    fn athena(&self) -> Option<Question> {
        Some(Question::Flows(self.criteria.clone(), self.page()))
    }
}

impl Screen for FlowsScreen {
    type Reply = Vec<FlowRow>;

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Vec<FlowRow>>> {
        Some(athena_engine::flows(
            engine.clone(),
            scope.clone(),
            self.criteria.clone(),
            self.page(),
        ))
    }

    fn request(&self, scope: &Scope) -> Option<Query<Vec<FlowRow>>> {
        Some(Query::flows(scope.clone(), self.criteria.clone(), self.page()))
    }

    fn apply(&mut self, rows: Vec<FlowRow>) -> Result<(), String> {
        self.rows = rows;
        if std::mem::take(&mut self.land_at_end) {
            self.list.to_end(self.rows.len());
        } else {
            self.list = ListState::default();
        }
        self.list.clamp(self.rows.len());
        Ok(())
    }
}

fn render(view: &FlowsScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let [table_area, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let theme = ctx.theme;
    let wide = area.width >= 110;
    // The subject's own address matters when an instance has several.
    let mut columns = vec![("LOCAL".to_string(), Some(15)), ("PEER".to_string(), None)];
    columns.extend(
        [
            ("PORT", 9),
            ("DIR", 3),
            ("OUT", 8),
            ("IN", 8),
            ("ACC/REJ", 7),
            ("NEW", 3),
            ("PACKETS", 7),
        ]
        .map(|(t, w)| (t.to_string(), Some(w))),
    );
    if wide {
        columns.push(("FIRST SEEN".to_string(), Some(19)));
        columns.push(("LAST SEEN".to_string(), Some(19)));
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows = Rows::of(&view.rows, |f| {
        let rejected = if f.rejected > 0 { theme.error } else { theme.text };
        let port = port_protocol(f.port, f.protocol);
        let mut cells = vec![
            Cell::Text(opt(&f.ip), theme.muted),
            Cell::Text(opt(&f.peer), theme.link),
            Cell::Text(port, theme.text),
            Cell::Text(direction(f.direction).to_string(), theme.muted),
            Cell::Text(bytes(f.bytes_out), theme.text),
            Cell::Text(bytes(f.bytes_in), theme.text),
            Cell::Text(format!("{}/{}", f.accepted, f.rejected), rejected),
            Cell::Text(if f.new { "new" } else { "" }.to_string(), theme.warning),
            Cell::Text((f.packets_out + f.packets_in).to_string(), theme.text),
        ];
        if wide {
            cells.push(Cell::Text(short_time(f.first_seen), theme.muted));
            cells.push(Cell::Text(short_time(f.last_seen), theme.muted));
        }
        cells
    });
    Table {
        columns,
        rows,
        list: &view.list,
        narrow: ctx.narrow(&view.list),
        marked: ctx.marked(&view.list),
        empty: "no flows match".into(),
    }
    .render(frame, table_area, theme);
    let more = if view.has_next() { " · more below" } else { " · end" };
    let text = if view.rows.is_empty() {
        String::new()
    } else {
        let (first, last) = (view.offset + 1, view.offset + view.rows.len() as u64);
        format!("conversations {first}–{last}{more} · enter opens the peer · pages of {PAGE}")
    };
    frame.render_widget(Paragraph::new(text).style(theme.muted), footer);
}
