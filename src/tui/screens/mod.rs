//! The screens, one module each; each owns its state, its query, its keys
//! and its drawing (see `crate::tui::screen`). A new screen is a new module
//! here, registered by its `mod` line; the screens others pivot to by data
//! ([`Target`]) are built in [`open`].

pub mod actors;
pub mod case;
pub mod config;
pub mod events;
pub mod findings;
pub mod flows;
pub mod hunt_hits;
pub mod hunts;
pub mod inspector;
pub mod partitions;
pub mod report;
pub mod timeline;

use self::actors::ActorsScreen;
use self::config::ConfigScreen;
use self::events::EventsScreen;
use self::findings::FindingsScreen;
use self::flows::FlowsScreen;
use self::hunts::HuntsScreen;
use self::inspector::InspectorScreen;
use self::report::{About, ReportScreen};
use self::timeline::TimelineScreen;
use super::screen::AnyScreen;
use super::target::Target;

/// The screen a pivot leads to, for a body `width` cells wide.
pub fn open(target: Target, width: u16) -> Box<dyn AnyScreen> {
    match target {
        Target::Open(subject) => Box::new(ReportScreen::new(subject)),
        Target::Events(filter) => Box::new(EventsScreen::new(filter)),
        Target::Timeline(filter, lanes) => Box::new(TimelineScreen::fitting(filter, lanes, width)),
        Target::Config(target, trail) => Box::new(ConfigScreen::new(target, trail)),
        Target::Actors => Box::new(ActorsScreen::default()),
        Target::Findings(criteria) => Box::new(FindingsScreen::new(criteria)),
        Target::Hunts => Box::new(HuntsScreen::from_library()),
        Target::Finding(id) => Box::new(ReportScreen::about(About::Finding(id))),
        Target::Name(name) => Box::new(ReportScreen::about(About::Name(name))),
        Target::Flows(criteria) => Box::new(FlowsScreen::new(criteria)),
        Target::Record(title, text) => {
            // The text was serialised from a JSON value: it parses back.
            let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            Box::new(InspectorScreen::new(title, "original record", value))
        }
    }
}
