//! The hunts an actor triggered, first in its dossier: where to look first.

use super::model::{ReportRow, Section, col, prose};
use crate::lake::hunts::HuntReport;
use crate::lake::{EventCriteria, Scope};
use crate::tui::target::{Target, short_time};

/// One row per hunt that hit the actor; Enter opens the actor's events
/// from the hunt's first hit to its last.
pub fn section(actor: &str, report: &HuntReport) -> Option<Section> {
    if report.hits.is_empty() {
        return None;
    }
    let rows = report
        .hits
        .iter()
        .map(|h| {
            let events = EventCriteria {
                actor: Some(actor.to_string()),
                ..EventCriteria::default()
            };
            let mut row = ReportRow::new(
                vec![
                    h.severity.to_string(),
                    h.title.clone(),
                    h.technique.clone(),
                    h.events.to_string(),
                    short_time(h.first_seen),
                ],
                Some(Target::Events(events)),
            );
            row.window = Some(Scope {
                from_ms: h.first_seen.map(|t| t.0),
                to_ms: h.last_seen.map(|t| t.0 + 1),
                ..Scope::default()
            });
            row
        })
        .collect();
    Some(Section {
        title: format!("Hunts hit ({})", report.hits.len()),
        columns: vec![
            col("SEVERITY", 8),
            prose("HUNT"),
            col("TECHNIQUE", 9),
            col("EVENTS", 7),
            col("FIRST", 19),
        ],
        rows,
    })
}
