//! The actors table: sortable, with a live fuzzy filter whose matched
//! characters are kept for highlighting.

use std::sync::Arc;

use crate::lake::athena::engine::{self as athena_engine, Engine};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::case::{MarkKind, Markable};
use crate::lake::EventCriteria;
use crate::lake::athena::Question;
use crate::lake::worker::Query;
use crate::lake::{ActorRow, LaneBy, Scope};
use crate::tui::action::Action;
use crate::tui::command::Known;
use crate::tui::list::ListState;
use crate::tui::render::cells::highlighted;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, Severity, View, copy};
use crate::tui::target::{Subject, Target, short_time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Events,
    Errors,
    FirstSeen,
    LastSeen,
    Ips,
    Actor,
}

impl SortKey {
    pub const ORDER: [SortKey; 6] = [
        SortKey::Events,
        SortKey::Errors,
        SortKey::FirstSeen,
        SortKey::LastSeen,
        SortKey::Ips,
        SortKey::Actor,
    ];

    pub fn next(self) -> SortKey {
        let i = SortKey::ORDER.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ORDER[(i + 1) % SortKey::ORDER.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Events => "events",
            SortKey::Errors => "errors",
            SortKey::FirstSeen => "first seen",
            SortKey::LastSeen => "last seen",
            SortKey::Ips => "IPs",
            SortKey::Actor => "actor",
        }
    }
}

/// One visible row: which actor, and which characters of its ARN matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub index: usize,
    pub matched: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ActorsScreen {
    pub rows: Vec<ActorRow>,
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    pub shown: Vec<Shown>,
    pub list: ListState,
}

impl Default for ActorsScreen {
    fn default() -> Self {
        ActorsScreen {
            rows: Vec::new(),
            filter: String::new(),
            sort: SortKey::Events,
            descending: true,
            shown: Vec::new(),
            list: ListState::default(),
        }
    }
}

impl ActorsScreen {
    pub fn set_rows(&mut self, rows: Vec<ActorRow>) {
        self.rows = rows;
        self.refresh();
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.list = ListState::default();
        self.refresh();
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        // Text sorts read best A→Z; counts and times biggest/latest first.
        self.descending = self.sort != SortKey::Actor;
        self.refresh();
    }

    pub fn reverse_sort(&mut self) {
        self.descending = !self.descending;
        self.refresh();
    }

    pub fn selected(&self) -> Option<&ActorRow> {
        self.shown.get(self.list.cursor).and_then(|s| self.rows.get(s.index))
    }

    /// Recompute the visible rows: filter matches best first, else the sort order.
    fn refresh(&mut self) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let key = self.sort;
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.rows[a], &self.rows[b]);
            let o = match key {
                SortKey::Events => a.events.cmp(&b.events),
                SortKey::Errors => a.errors.cmp(&b.errors),
                SortKey::FirstSeen => a.first_seen.cmp(&b.first_seen),
                SortKey::LastSeen => a.last_seen.cmp(&b.last_seen),
                SortKey::Ips => a.ip_count.cmp(&b.ip_count),
                SortKey::Actor => a.arn.cmp(&b.arn),
            };
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| a.arn.cmp(&b.arn))
        });
        let terms: Vec<&str> = self.filter.split_whitespace().collect();
        self.shown = if terms.is_empty() {
            order
                .into_iter()
                .map(|index| Shown {
                    index,
                    matched: Vec::new(),
                })
                .collect()
        } else {
            let matcher = SkimMatcherV2::default().ignore_case();
            let mut scored: Vec<(i64, usize, Shown)> = order
                .into_iter()
                .enumerate()
                .filter_map(|(rank, index)| {
                    let (score, matched) = match_terms(&matcher, &self.rows[index].arn, &terms)?;
                    Some((score, rank, Shown { index, matched }))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            scored.into_iter().map(|(_, _, s)| s).collect()
        };
        self.list.clamp(self.shown.len());
    }
}

/// fzf-like: every term must match; scores add up; matched character
/// positions (char indices) are merged.
pub fn match_terms(matcher: &SkimMatcherV2, text: &str, terms: &[&str]) -> Option<(i64, Vec<usize>)> {
    let mut total = 0;
    let mut all = Vec::new();
    for term in terms {
        let (score, indices) = matcher.fuzzy_indices(text, term)?;
        total += score;
        all.extend(indices);
    }
    all.sort_unstable();
    all.dedup();
    Some((total, all))
}

impl View for ActorsScreen {
    fn title(&self) -> String {
        if self.filter.is_empty() {
            "Actors".into()
        } else {
            format!("Actors /{}", self.filter)
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        let selected = self.selected().map(|r| Subject::Actor(r.arn.clone()));
        match action {
            Action::Select => match selected {
                Some(actor) => Effect::Go(Target::Open(actor), None),
                None => Effect::Unhandled,
            },
            Action::EventsOfSelection => match selected {
                Some(actor) => Effect::Go(Target::Events(actor.events()), None),
                None => Effect::Unhandled,
            },
            Action::Timeline => match selected {
                Some(actor) => Effect::Go(Target::Timeline(actor.events(), Some(LaneBy::Ip)), None),
                None => Effect::Go(Target::Timeline(EventCriteria::default(), None), None),
            },
            Action::Copy | Action::CopyAll => copy(self.selected().map(|r| r.arn.clone())),
            Action::Sort | Action::ReverseSort => {
                if action == Action::Sort {
                    self.cycle_sort()
                } else {
                    self.reverse_sort()
                }
                Effect::Say(Severity::Info, format!("sorted by {}", self.sort.label()))
            }
            Action::Cancel if !self.filter.is_empty() => {
                self.set_filter("");
                Effect::Say(Severity::Info, "filter cleared".into())
            }
            Action::Cancel => Effect::None,
            _ if ctx.is_move(action) => {
                self.list.move_by(ctx.step(action), self.shown.len());
                Effect::None
            }
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
        self.shown.len()
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        let mut fresh = ActorsScreen::default();
        fresh.set_filter(&self.filter);
        Some(Box::new(fresh))
    }

    fn learn(&self, known: &mut Known) {
        known.actors = self.rows.iter().map(|r| r.arn.clone()).collect();
    }

    fn markable(&self, row: usize) -> Option<Markable> {
        let actor = self.shown.get(row).and_then(|s| self.rows.get(s.index))?;
        Some(Markable::new(MarkKind::Actor, &actor.arn))
    }

    fn question(&self) -> Option<String> {
        Some("actors".into())
    }

    /// Without the fuzzy filter, which Athena cannot say exactly.
    fn athena(&self) -> Option<Question> {
        self.filter.is_empty().then_some(Question::Actors)
    }

    fn fuzzy_filter(&self) -> Option<&str> {
        Some(&self.filter)
    }

    fn set_fuzzy_filter(&mut self, text: &str) {
        self.set_filter(text);
    }
}

impl Screen for ActorsScreen {
    type Reply = Vec<ActorRow>;

    fn request(&self, scope: &Scope) -> Option<Query<Vec<ActorRow>>> {
        Some(Query::actors(scope.clone(), None))
    }

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Vec<ActorRow>>> {
        Some(athena_engine::actors(engine.clone(), scope.clone()))
    }

    fn apply(&mut self, rows: Vec<ActorRow>) -> Result<(), String> {
        self.set_rows(rows);
        Ok(())
    }
}

/// The table, with fuzzy matches highlighted in the ARN.
fn render(view: &ActorsScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 110;
    let arrow = if view.descending { "▼" } else { "▲" };
    let title = |name: &str, key: SortKey| {
        if view.sort == key {
            format!("{name}{arrow}")
        } else {
            name.to_string()
        }
    };
    let mut columns = vec![(title("ACTOR", SortKey::Actor), None)];
    if wide {
        columns.push(("TYPE".to_string(), Some(12)));
    }
    columns.push((title("EVENTS", SortKey::Events), Some(7)));
    columns.push((title("ERRORS", SortKey::Errors), Some(7)));
    if wide {
        columns.push((title("FIRST SEEN", SortKey::FirstSeen), Some(19)));
    }
    columns.push((title("LAST SEEN", SortKey::LastSeen), Some(19)));
    columns.push((title("IPS", SortKey::Ips), Some(4)));
    let theme = ctx.theme.clone();
    let rows = Rows::of(&view.shown, |shown| {
        let Some(r) = view.rows.get(shown.index) else {
            return Vec::new();
        };
        let (arn, matched) = (r.arn.clone(), shown.matched.clone());
        let (base, hit) = (theme.text, theme.matched);
        let mut cells = vec![Cell::Spans(Box::new(move |w| {
            highlighted(&arn, &matched, w, base, hit)
        }))];
        if wide {
            cells.push(Cell::Text(r.actor_type.clone().unwrap_or_default(), theme.muted));
        }
        cells.push(Cell::Text(r.events.to_string(), theme.text));
        let err_style = if r.errors > 0 { theme.error } else { theme.muted };
        cells.push(Cell::Text(r.errors.to_string(), err_style));
        if wide {
            cells.push(Cell::Text(short_time(r.first_seen), theme.muted));
        }
        cells.push(Cell::Text(short_time(r.last_seen), theme.muted));
        cells.push(Cell::Text(r.ip_count.to_string(), theme.text));
        cells
    });
    let empty = if view.rows.is_empty() {
        "no events in this scope".to_string()
    } else {
        format!("no actor matches /{}", crate::text::sanitize(&view.filter))
    };
    Table {
        columns,
        rows,
        list: &view.list,
        narrow: ctx.narrow(&view.list),
        marked: ctx.marked(&view.list),
        empty,
    }
    .render(frame, area, ctx.theme);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::Millis;

    fn actor(arn: &str, events: u64) -> ActorRow {
        ActorRow {
            arn: arn.into(),
            actor_type: None,
            account: None,
            events,
            errors: 0,
            first_seen: Some(Millis(events as i64)),
            last_seen: None,
            ip_count: 0,
        }
    }

    #[test]
    fn filter_keeps_matches_best_first_with_positions() {
        let mut view = ActorsScreen::default();
        view.set_rows(vec![
            actor("arn:aws:iam::1:user/alice", 5),
            actor("arn:aws:iam::1:user/ci-deploy", 3),
        ]);
        assert_eq!(view.shown.len(), 2);
        view.set_filter("cidep");
        assert_eq!(view.shown.len(), 1);
        assert_eq!(view.selected().unwrap().arn, "arn:aws:iam::1:user/ci-deploy");
        let arn: Vec<char> = view.selected().unwrap().arn.chars().collect();
        let picked: String = view.shown[0].matched.iter().map(|&i| arn[i]).collect();
        assert_eq!(picked.to_lowercase(), "cidep");
        view.set_filter("zzz");
        assert!(view.shown.is_empty());
        assert!(view.selected().is_none());
    }

    #[test]
    fn sort_cycles_and_reverses() {
        let mut view = ActorsScreen::default();
        view.set_rows(vec![actor("b", 1), actor("a", 9)]);
        assert_eq!(view.selected().unwrap().arn, "a");
        view.reverse_sort();
        assert_eq!(view.selected().unwrap().arn, "b");
        view.cycle_sort(); // errors, descending; ties by ARN
        assert_eq!(view.sort, SortKey::Errors);
        assert_eq!(view.selected().unwrap().arn, "a");
    }
}
