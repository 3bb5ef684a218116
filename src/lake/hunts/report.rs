//! What a hunt run found: one row per hunt with hits, and the hit events.

use serde::Serialize;

use super::format::Severity;
use crate::lake::model::{EventRow, Millis};

/// The hits of one hunt, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HuntHit {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub tactic: String,
    pub technique: String,
    /// Why a hit matters (the hunt's description).
    #[serde(skip)]
    pub description: String,
    pub events: u64,
    pub actors: Vec<String>,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

/// One event a hunt hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HuntEvent {
    pub hunt: String,
    /// The step of a sequence the event took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(flatten)]
    pub event: EventRow,
}

/// The hits of a run, most severe hunt first. `events` keeps at most
/// [`EVENTS_PER_HUNT`] events of each hunt, oldest first; counts are exact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HuntReport {
    /// How many hunts ran.
    pub hunts: usize,
    pub hits: Vec<HuntHit>,
    pub events: Vec<HuntEvent>,
}

/// Events kept per hunt: enough to read, bounded for a noisy hunt.
pub const EVENTS_PER_HUNT: usize = 500;

impl HuntReport {
    /// The kept events of one hunt, oldest first.
    pub fn events_of<'a>(&'a self, hunt: &'a str) -> impl Iterator<Item = &'a HuntEvent> + 'a {
        self.events.iter().filter(move |e| e.hunt == hunt)
    }

    /// The hunts an actor triggered (by actor key), most severe first.
    pub fn hits_of_actor<'a>(&'a self, actor: &'a str) -> impl Iterator<Item = &'a HuntHit> + 'a {
        self.hits.iter().filter(move |h| h.actors.iter().any(|a| a == actor))
    }
}
