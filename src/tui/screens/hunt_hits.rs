//! The events one hunt hit (as the run kept them, oldest first; for a
//! sequence, the chain with the step each event took): Enter
//! inspects one, `a` opens its actor's dossier, `t` the actor's timeline
//! with the hunt's hits selected.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::events::inspect_event;
use super::timeline::TimelineScreen;
use crate::case::Markable;
use crate::lake::hunts::{EVENTS_PER_HUNT, HuntEvent, HuntHit, Severity};
use crate::lake::worker::Query;
use crate::lake::{EventCriteria, EventRow, LaneBy, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::render::cells::fit;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::event_markable;
use crate::tui::target::{Subject, Target, short_time};
use crate::tui::theme::Theme;

#[derive(Debug, Clone)]
pub struct HuntHitsScreen {
    pub hit: HuntHit,
    pub rows: Vec<HuntEvent>,
    pub list: ListState,
}

impl HuntHitsScreen {
    pub fn new(hit: HuntHit, rows: Vec<HuntEvent>) -> HuntHitsScreen {
        HuntHitsScreen {
            hit,
            rows,
            list: ListState::default(),
        }
    }

    pub fn selected(&self) -> Option<&EventRow> {
        self.rows.get(self.list.cursor).map(|e| &e.event)
    }
}

/// High and critical stand out; medium is a warning.
pub fn severity_style(severity: Severity, theme: &Theme) -> Style {
    match severity {
        Severity::High | Severity::Critical => theme.error,
        Severity::Medium => theme.warning,
        _ => theme.muted,
    }
}

/// The timeline of `actor` (lanes by operation) with the cursor on the
/// hunt's first hit, the range up to its last selected, and the buckets of
/// the actor's kept hits (`events`) marked.
pub fn actor_timeline(actor: &str, hit: &HuntHit, events: &[HuntEvent], width: u16) -> Effect {
    let criteria = EventCriteria {
        actor: Some(actor.to_string()),
        ..EventCriteria::default()
    };
    let mut view = TimelineScreen::fitting(criteria, Some(LaneBy::Operation), width);
    view.marked = hit.first_seen.zip(hit.last_seen).map(|(a, b)| (a.0, b.0));
    view.hits = events
        .iter()
        .filter(|e| e.event.actor == actor)
        .filter_map(|e| e.event.time.map(|t| t.0))
        .collect();
    Effect::Open(Box::new(view))
}

impl View for HuntHitsScreen {
    fn title(&self) -> String {
        let kept = match self.hit.events as usize > self.rows.len() {
            true => format!(" (first {EVENTS_PER_HUNT})"),
            false => String::new(),
        };
        format!("Hunt {}: {} events{kept}", self.hit.id, self.hit.events)
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Select => self.selected().map_or(Effect::None, inspect_event),
            Action::Actors => match self.selected() {
                Some(row) => Effect::Go(Target::Open(Subject::Actor(row.actor.clone())), None),
                None => Effect::Unhandled,
            },
            Action::Timeline => match self.selected() {
                Some(row) => actor_timeline(&row.actor, &self.hit, &self.rows, ctx.body.width),
                None => Effect::Unhandled,
            },
            Action::Copy | Action::CopyAll => {
                copy(self.selected().and_then(|row| serde_json::to_string_pretty(row).ok()))
            }
            _ if ctx.is_move(action) => {
                ctx.move_cursor(&mut self.list, action, self.rows.len());
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn claims(&self, action: Action) -> bool {
        action == Action::Actors && self.selected().is_some()
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        let [head, table_area] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
        let theme = ctx.theme;
        let hit = &self.hit;
        let about = format!("{} · {} · {} {}", hit.severity, hit.title, hit.tactic, hit.technique);
        // The first sentence of why the hunt matters, on one line.
        let prose = hit.description.split_whitespace().collect::<Vec<_>>().join(" ");
        let why = prose
            .split_inclusive(". ")
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let lines = vec![
            Line::styled(crate::text::sanitize(&about), severity_style(hit.severity, theme)),
            Line::styled(fit(&why, area.width as usize), theme.muted),
        ];
        frame.render_widget(Paragraph::new(lines), head);
        let wide = area.width >= 110;
        let steps = self.rows.iter().any(|e| e.step.is_some());
        let mut columns = vec![("TIME".to_string(), Some(19))];
        if steps {
            columns.push(("STEP".to_string(), Some(if wide { 40 } else { 20 })));
        }
        if wide && !steps {
            columns.push(("ACCOUNT".to_string(), Some(12)));
            columns.push(("REGION".to_string(), Some(14)));
        }
        columns.push(("ACTOR".to_string(), None));
        // A narrow chain gives its source IP way to the operation.
        let ip = wide || !steps;
        if ip {
            columns.push(("SOURCE IP".to_string(), Some(15)));
        }
        columns.push(("OPERATION".to_string(), Some(if wide { 26 } else { 20 })));
        if wide {
            columns.push(("ERROR".to_string(), Some(18)));
        }
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let rows = Rows::of(&self.rows, |e| {
            let r = &e.event;
            let mut cells = vec![Cell::Text(short_time(r.time), theme.muted)];
            if steps {
                cells.push(Cell::Text(e.step.clone().unwrap_or_default(), theme.warning));
            }
            if wide && !steps {
                cells.push(Cell::Text(opt(&r.account), theme.text));
                cells.push(Cell::Text(opt(&r.region), theme.muted));
            }
            cells.push(Cell::Text(r.actor.clone(), theme.text));
            if ip {
                cells.push(Cell::Text(opt(&r.source_ip), theme.text));
            }
            let style = match r.error_code.is_some() {
                true => theme.error,
                false => theme.text,
            };
            cells.push(Cell::Text(opt(&r.operation), style));
            if wide {
                cells.push(Cell::Text(r.error_code.clone().unwrap_or_default(), theme.error));
            }
            cells
        });
        Table {
            columns,
            rows,
            list: &self.list,
            narrow: ctx.narrow(&self.list),
            marked: ctx.marked(&self.list),
            empty: "no events kept for this hunt".into(),
        }
        .render(frame, table_area, theme);
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
        self.rows.get(row).and_then(|r| event_markable(&r.event))
    }

    fn question(&self) -> Option<String> {
        Some(format!("hunt --hunt {}", crate::tui::target::quote(&self.hit.id)))
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.rows.get(row).and_then(row_words)
    }

    /// Its rows come from one run of the hunts under the old scope: another
    /// scope goes back to the Hunts page.
    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(super::open(Target::Hunts, 0))
    }

    /// Rows start below the two lines about the hunt and the column header.
    fn row_at(&self, dy: usize, narrow: Option<&Narrow>) -> Option<usize> {
        let line = dy.checked_sub(3)?;
        match narrow {
            Some(narrow) => narrow.at_line(line),
            None => Some(self.list.offset + line),
        }
    }

    fn reveal(&mut self, body: Rect) {
        let rows = body.height.saturating_sub(3) as usize;
        self.list.reveal(self.list.cursor, rows);
    }
}

impl Screen for HuntHitsScreen {
    /// Nothing to ask: the rows came with the hunts' run.
    type Reply = ();

    fn request(&self, _scope: &Scope) -> Option<Query<()>> {
        None
    }

    fn apply(&mut self, _reply: ()) -> Result<(), String> {
        Ok(())
    }
}
