//! A resource's AWS Config view: its state and panes in `state.rs`,
//! drawing in `render.rs`; here its keys and its query.

mod render;
mod state;

use ratatui::Frame;
use ratatui::layout::Rect;

pub use self::state::{ConfigScreen, Pane};
use crate::lake::EventCriteria;
use crate::lake::config::{ConfigTarget, ResourceConfig};
use crate::lake::worker::Query;
use crate::lake::{LaneBy, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, Severity, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Subject, Target};

impl ConfigScreen {
    /// The Config view of the selected relationship, with this resource
    /// added to the breadcrumb.
    fn open_neighbour(&self) -> Effect {
        if self.focus != Pane::Graph {
            return Effect::Unhandled;
        }
        let say = |text: &str| Effect::Say(Severity::Info, text.into());
        match self.selected_node() {
            Some(node) if node.key.is_some() && node.parent.is_some() => {
                let id = node.key.as_ref().map(|k| k.resource_id.clone()).unwrap_or_default();
                let mut trail = self.trail.clone();
                if let Some(d) = &self.data {
                    trail.push(d.key.resource_id.clone());
                }
                Effect::Go(Target::Config(ConfigTarget::Resource(id), trail), None)
            }
            Some(node) if node.parent.is_none() => say("this is the resource shown"),
            Some(_) => say("AWS Config recorded no item for this resource"),
            None => Effect::Unhandled,
        }
    }

    fn select(&mut self) -> Effect {
        match self.focus {
            Pane::Timeline => {
                self.focus = Pane::Events;
                Effect::None
            }
            Pane::Events => match self.selected_event() {
                Some(e) => Effect::Go(Target::Open(Subject::Actor(e.actor.clone())), None),
                None => Effect::Unhandled,
            },
            Pane::Graph => self.open_neighbour(),
        }
    }
}

impl View for ConfigScreen {
    fn title(&self) -> String {
        format!("Config {}", self.label())
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        let events = self.events_resource().map(|r| Subject::Resource(r).events());
        match action {
            Action::Select => self.select(),
            Action::ConfigResource => self.open_neighbour(),
            Action::EventsOfSelection => match events {
                Some(filter) => Effect::Go(Target::Events(filter), None),
                None => Effect::Unhandled,
            },
            Action::Timeline => match events {
                Some(filter) => Effect::Go(Target::Timeline(filter, Some(LaneBy::Actor)), None),
                None => Effect::Go(Target::Timeline(EventCriteria::default(), None), None),
            },
            // Zooming is about the cause window here: in is narrower.
            Action::ZoomIn | Action::ZoomOut => {
                self.adjust_window(action == Action::ZoomOut);
                let text = format!("window before each change: {} min", self.window_ms / 60_000);
                Effect::Say(Severity::Info, text)
            }
            Action::Copy | Action::CopyAll => copy(self.selected_text()),
            Action::NextSection | Action::PrevSection | Action::Expand | Action::Collapse => {
                self.navigate(action, 0, None);
                Effect::None
            }
            _ if ctx.is_move(action) => {
                self.navigate(action, ctx.step(action), ctx.narrow);
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

    fn rows(&self) -> usize {
        self.items_len()
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.data.as_ref()?.items.get(row).and_then(row_words)
    }

    /// Its panes scroll themselves, each to its own cursor.
    fn reveal(&mut self, _body: Rect) {}

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(ConfigScreen::new(self.target.clone(), self.trail.clone())))
    }
}

impl Screen for ConfigScreen {
    type Reply = ResourceConfig;

    fn request(&self, _scope: &Scope) -> Option<Query<ResourceConfig>> {
        Some(Query::config(self.target.clone()))
    }

    fn apply(&mut self, data: ResourceConfig) -> Result<(), String> {
        self.set_data(data);
        Ok(())
    }
}
