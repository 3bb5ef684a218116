//! The Hunts page: the built-in hunts and the user's own run over the
//! scope, one row per hunt that hit (most severe first). Enter lists the
//! hunt's events, `a` opens the dossier of its (first) actor, `t` that
//! actor's timeline with the hits selected.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::hunt_hits::{HuntHitsScreen, actor_timeline, severity_style};
use crate::case::{MarkKind, Markable};
use crate::lake::hunts::{Hunt, HuntEvent, HuntHit, HuntReport, RefusedHunt, library};
use crate::lake::worker::Query;
use crate::lake::{Millis, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::cells::fit;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Subject, Target, short_time};

#[derive(Debug, Clone)]
pub struct HuntsScreen {
    pub hunts: Vec<Hunt>,
    /// The user's hunt files that could not be read.
    pub refused: Vec<RefusedHunt>,
    pub report: Option<HuntReport>,
    pub list: ListState,
}

impl HuntsScreen {
    /// The built-in hunts, the user's folder (`hunts/` in the config dir,
    /// or `$LAKESCOPE_HUNTS`) and Sigma rules (`rules/`, `$LAKESCOPE_RULES`).
    pub fn from_library() -> HuntsScreen {
        let book = library::load_users();
        HuntsScreen::new(book.hunts, book.refused)
    }

    pub fn new(hunts: Vec<Hunt>, refused: Vec<RefusedHunt>) -> HuntsScreen {
        HuntsScreen {
            hunts,
            refused,
            report: None,
            list: ListState::default(),
        }
    }

    fn hits(&self) -> &[HuntHit] {
        self.report.as_ref().map(|r| r.hits.as_slice()).unwrap_or_default()
    }

    pub fn selected(&self) -> Option<&HuntHit> {
        self.hits().get(self.list.cursor)
    }

    fn events_of(&self, hit: &HuntHit) -> Vec<HuntEvent> {
        self.report
            .as_ref()
            .map(|r| r.events_of(&hit.id).cloned().collect())
            .unwrap_or_default()
    }
}

impl View for HuntsScreen {
    fn title(&self) -> String {
        match &self.report {
            Some(r) => format!("Hunts: {} of {} hit", r.hits.len(), r.hunts),
            None => format!("Hunts ({})", self.hunts.len()),
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        let Some(hit) = self.selected().cloned() else {
            return match ctx.is_move(action) {
                true => Effect::None,
                false => Effect::Unhandled,
            };
        };
        match action {
            Action::Select | Action::EventsOfSelection => {
                let events = self.events_of(&hit);
                Effect::Open(Box::new(HuntHitsScreen::new(hit, events)))
            }
            Action::Actors => match hit.actors.first() {
                Some(actor) => Effect::Go(Target::Open(Subject::Actor(actor.clone())), None),
                None => Effect::Unhandled,
            },
            Action::Timeline => match hit.actors.first() {
                Some(actor) => actor_timeline(actor, &hit, &self.events_of(&hit), ctx.body.width),
                None => Effect::Unhandled,
            },
            Action::Copy => copy(Some(hit.id.clone())),
            Action::CopyAll => copy(serde_json::to_string_pretty(&hit).ok()),
            _ if ctx.is_move(action) => {
                let n = self.hits().len();
                ctx.move_cursor(&mut self.list, action, n);
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn claims(&self, action: Action) -> bool {
        action == Action::Actors && self.selected().is_some()
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        let [table_area, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let theme = ctx.theme;
        // The title matters most: the times and the tactic give way first.
        let (times, tactic) = (area.width >= 100, area.width >= 150);
        let mut columns = vec![
            ("SEVERITY".to_string(), Some(8)),
            ("HUNT".to_string(), None),
            ("TECHNIQUE".to_string(), Some(9)),
        ];
        if tactic {
            columns.push(("TACTIC".to_string(), Some(20)));
        }
        columns.push(("EVENTS".to_string(), Some(6)));
        columns.push(("ACTORS".to_string(), Some(if times { 20 } else { 14 })));
        if times {
            columns.push(("FIRST".to_string(), Some(16)));
        }
        if tactic {
            columns.push(("LAST".to_string(), Some(16)));
        }
        let rows = Rows::of(self.hits(), |h| {
            // A title reads from its start: cut at the end, not the middle.
            let (title, style) = (h.title.clone(), theme.text);
            let mut cells = vec![
                Cell::Text(h.severity.to_string(), severity_style(h.severity, theme)),
                Cell::Spans(Box::new(move |w| vec![Span::styled(fit(&title, w), style)])),
                Cell::Text(h.technique.clone(), theme.muted),
            ];
            if tactic {
                cells.push(Cell::Text(h.tactic.clone(), theme.muted));
            }
            cells.push(Cell::Text(h.events.to_string(), theme.text));
            cells.push(Cell::Text(actors(&h.actors), theme.text));
            if times {
                cells.push(Cell::Text(minutes(h.first_seen), theme.muted));
            }
            if tactic {
                cells.push(Cell::Text(minutes(h.last_seen), theme.muted));
            }
            cells
        });
        Table {
            columns,
            rows,
            list: &self.list,
            narrow: ctx.narrow(&self.list),
            marked: ctx.marked(&self.list),
            empty: format!("none of the {} hunts hit in this scope", self.hunts.len()),
        }
        .render(frame, table_area, theme);
        let keys = |a: Action| ctx.keymap.keys_of(a).join("/");
        let mut text = format!(
            "{} events · {} dossier · {} timeline",
            keys(Action::Select),
            keys(Action::Actors),
            keys(Action::Timeline)
        );
        if !self.refused.is_empty() {
            let names: Vec<String> = self
                .refused
                .iter()
                .map(|r| format!("{}: {}", r.file, r.reason))
                .collect();
            text = format!("refused {}", names.join("; "));
        }
        let style = match self.refused.is_empty() {
            true => theme.muted,
            false => theme.warning,
        };
        frame.render_widget(Paragraph::new(crate::text::sanitize(&text)).style(style), footer);
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn rows(&self) -> usize {
        self.hits().len()
    }

    fn markable(&self, row: usize) -> Option<Markable> {
        let hit = self.hits().get(row)?;
        Some(Markable {
            time_ms: hit.first_seen.map(|t| t.0),
            summary: Some(hit.title.clone()),
            ..Markable::new(MarkKind::Hunt, &hit.id)
        })
    }

    fn question(&self) -> Option<String> {
        Some("hunt".into())
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.hits().get(row).and_then(row_words)
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(HuntsScreen::new(self.hunts.clone(), self.refused.clone())))
    }
}

/// `2024-05-05 02:13`: a hit's time to the minute.
fn minutes(t: Option<Millis>) -> String {
    let mut text = short_time(t);
    text.truncate(16);
    text
}

/// The short names of the actors (the last part of their ARN), and how
/// many more.
fn actors(all: &[String]) -> String {
    let short = |a: &String| a.rsplit(['/', ':']).next().unwrap_or(a).to_string();
    match all {
        [] => "-".into(),
        [one] => short(one),
        [first, rest @ ..] => format!("{} +{}", short(first), rest.len()),
    }
}

impl Screen for HuntsScreen {
    type Reply = HuntReport;

    fn request(&self, scope: &Scope) -> Option<Query<HuntReport>> {
        Some(Query::hunts(scope.clone(), self.hunts.clone()))
    }

    fn apply(&mut self, report: HuntReport) -> Result<(), String> {
        self.report = Some(report);
        self.list.clamp(self.hits().len());
        Ok(())
    }
}
