//! The screens, one module each; each owns its state, its query, its keys
//! and its drawing (see `crate::tui::screen`). A new screen is a new module
//! here, registered by its `mod` line; the screens others pivot to by data
//! ([`Target`]) are built in [`open`].

pub mod actors;
pub mod config;
pub mod events;
pub mod inspector;
pub mod partitions;
pub mod report;
pub mod timeline;

use self::actors::ActorsScreen;
use self::config::ConfigScreen;
use self::events::EventsScreen;
use self::report::ReportScreen;
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
    }
}
