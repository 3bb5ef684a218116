//! The timeline screen: state and window arithmetic in `state.rs`, drawing
//! in `render.rs`; here its keys and its query.

mod render;
mod state;

use std::sync::Arc;

use crate::lake::athena::engine::{self as athena_engine, Engine};
use ratatui::Frame;
use ratatui::layout::Rect;

pub use self::state::TimelineScreen;
use crate::lake::EventCriteria;
use crate::lake::athena::Question;
use crate::lake::buckets::Zone;
use crate::lake::findings::FindingCriteria;
use crate::lake::network::FlowCriteria;
use crate::lake::worker::Query;
use crate::lake::{LaneBy, Scope, Timeline, format_ms};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, Severity, View, copy};
use crate::tui::target::{Subject, Target, flows_of_resource};

impl TimelineScreen {
    /// A timeline as wide as a body `width` cells wide allows.
    pub fn fitting(filter: EventCriteria, lanes: Option<LaneBy>, width: u16) -> TimelineScreen {
        let label = render::label_width(width);
        let columns = (width as usize).saturating_sub(label + 1);
        TimelineScreen::new(filter, lanes, columns)
    }

    /// Enter: the events of the cursor's bucket (or the selected range, and
    /// the selected lane) in a page whose scope is that time range, so that
    /// further pivots keep it.
    fn open_events(&self, scope: &Scope) -> Effect {
        match self.events_of_selection(scope) {
            Some((scope, filter)) => {
                let target = self.source_lane(&filter).unwrap_or(Target::Events(filter));
                Effect::Go(target, Some(scope))
            }
            None => Effect::Say(Severity::Info, "no bucket under the cursor yet".into()),
        }
    }

    /// With lanes by source, a lane other than the API calls has no
    /// events: it leads to its own records in the same window (the flows,
    /// the findings, or the report whose DNS and HTTP sections list them).
    fn source_lane(&self, filter: &EventCriteria) -> Option<Target> {
        if self.lanes != Some(LaneBy::Source) {
            return None;
        }
        let subject = [
            filter.ip.clone().map(Subject::Ip),
            filter.resource.clone().map(Subject::Resource),
            filter.key.clone().map(Subject::Key),
            filter.actor.clone().map(Subject::Actor),
        ]
        .into_iter()
        .flatten()
        .next()?;
        match self.selected_lane()? {
            "flows" => Some(Target::Flows(match &subject {
                Subject::Ip(ip) => FlowCriteria {
                    ip: Some(ip.clone()),
                    ..FlowCriteria::default()
                },
                Subject::Resource(id) => flows_of_resource(id)?,
                _ => return None,
            })),
            "findings" => Some(Target::Findings(FindingCriteria {
                names: Some(subject.id().to_string()),
                ..FindingCriteria::default()
            })),
            "DNS" | "HTTP" => Some(Target::Open(subject)),
            _ => None,
        }
    }

    /// Zoom, pan, mark, lanes and clock: a new query, a note, or neither.
    fn window_action(&mut self, action: Action, other_zone: Zone) -> Effect {
        let note = |text: &str| Effect::Say(Severity::Info, text.into());
        let reload = |changed: bool, otherwise: &str| if changed { Effect::Reload } else { note(otherwise) };
        match action {
            Action::ZoomIn => reload(self.zoom(true), "one-minute buckets are the finest"),
            Action::ZoomOut => reload(self.zoom(false), "one-day buckets are the coarsest"),
            Action::PanLeft | Action::PanRight => {
                reload(self.pan(action == Action::PanRight), "at the edge of the data")
            }
            Action::Mark => {
                self.toggle_mark();
                Effect::None
            }
            Action::Lanes => {
                self.lanes = LaneBy::cycle(self.lanes);
                self.list = Default::default();
                Effect::Reload
            }
            Action::Clock => {
                let zone = match self.zone {
                    Zone::Utc => other_zone,
                    _ => Zone::Utc,
                };
                self.set_zone(zone);
                Effect::Reload
            }
            _ => Effect::Unhandled,
        }
    }
}

impl View for TimelineScreen {
    fn title(&self) -> String {
        if self.filter == Default::default() {
            "Timeline (all in scope)".into()
        } else {
            format!("Timeline {}", crate::tui::target::describe(&self.filter))
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Collapse | Action::Expand => {
                let delta = if action == Action::Expand { 1 } else { -1 };
                match self.move_cursor(delta) {
                    true => Effect::Reload,
                    false => Effect::None,
                }
            }
            Action::Select | Action::EventsOfSelection => self.open_events(ctx.scope),
            Action::Timeline => Effect::Go(Target::Timeline(self.filter.clone(), self.lanes), None),
            Action::ZoomIn
            | Action::ZoomOut
            | Action::PanLeft
            | Action::PanRight
            | Action::Mark
            | Action::Lanes
            | Action::Clock => self.window_action(action, ctx.other_zone),
            Action::Copy | Action::CopyAll => copy(self.selected_lane().map(str::to_string).or_else(|| {
                self.selection()
                    .map(|(a, b)| format!("{} {}", format_ms(a), format_ms(b)))
            })),
            _ if ctx.is_move(action) => {
                let rows = self.rows();
                self.list.move_by(ctx.step(action), rows);
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        render::render(self, ctx, frame, area)
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    /// Row 0 is the total, rows 1.. the lanes.
    fn rows(&self) -> usize {
        self.timeline.as_ref().map_or(0, |t| t.lanes.len() + 1)
    }

    /// The buckets on screen, in UTC without lanes.
    fn athena(&self) -> Option<Question> {
        if self.lanes.is_some() || self.zone != Zone::Utc {
            return None;
        }
        let w = self.window?;
        let range = (w.from, w.from + self.columns as i64 * w.width.ms());
        Some(Question::Timeline(self.filter.clone(), w.width.ms(), Some(range)))
    }

    /// Lanes stay drawn against the total: `/` jumps between them.
    fn narrows(&self) -> bool {
        false
    }

    /// Row 0 is the total; the lanes by name.
    fn row_text(&self, row: usize) -> Option<String> {
        let t = self.timeline.as_ref()?;
        match row {
            0 => Some("all".into()),
            _ => t.lanes.get(row - 1).map(|l| l.name.clone().unwrap_or_default()),
        }
    }

    /// Everything a timeline shows fits its body.
    fn reveal(&mut self, _body: Rect) {}

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        let mut fresh = TimelineScreen::new(self.filter.clone(), self.lanes, self.columns);
        fresh.zone = self.zone;
        Some(Box::new(fresh))
    }

    /// Local days and hours have other edges: start again from the same
    /// width and cursor time.
    fn set_zone(&mut self, zone: Zone) -> bool {
        self.zone = zone;
        self.focus = self.bucket_range(self.cursor).map(|(s, _)| s);
        true
    }
}

impl Screen for TimelineScreen {
    type Reply = Timeline;

    fn request(&self, scope: &Scope) -> Option<Query<Timeline>> {
        Some(Query::timeline(scope.clone(), self.query()))
    }

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Timeline>> {
        Some(athena_engine::timeline(engine.clone(), scope.clone(), self.query()))
    }

    fn apply(&mut self, timeline: Timeline) -> Result<(), String> {
        self.set_timeline(timeline);
        Ok(())
    }
}
