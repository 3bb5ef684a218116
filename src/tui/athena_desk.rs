//! The workbench on Athena (`--engine athena`): the engine the pages with
//! an Athena form are asked of, what each answer cost for the status line,
//! and `:athena yes|no` to let the cost guard pass or stop again.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::lake::athena::engine::{Engine, bytes_text};
use crate::tui::screen::Severity;

#[derive(Debug)]
pub struct AthenaDesk {
    pub engine: Arc<Engine>,
}

impl AthenaDesk {
    pub fn new(engine: Arc<Engine>) -> AthenaDesk {
        AthenaDesk { engine }
    }

    /// For the header: where questions go.
    pub fn label(&self) -> String {
        format!("athena: {}", self.engine.tables.database())
    }

    /// `:athena yes|no`: questions over the cost guard run, or are refused again.
    pub fn allow(&self, allow: bool) -> (Severity, String) {
        self.engine.allow.store(allow, Ordering::Relaxed);
        match allow {
            true => (
                Severity::Warning,
                "athena: questions with no day bound or over the scan limit now run (and are billed)".into(),
            ),
            false => (
                Severity::Info,
                "athena: questions with no day bound or over the scan limit are refused again".into(),
            ),
        }
    }

    /// What the last answer cost, once: its queries' ids, data scanned and
    /// price, for the status line.
    pub fn spent(&self) -> Option<String> {
        let spent = self.engine.take_spent()?;
        let ids: Vec<&str> = spent.queries.iter().map(|q| q.query_id.as_str()).collect();
        let ids = match ids.as_slice() {
            [] => return None,
            [one] => format!("query {one}"),
            [first, .., last] => format!("{} queries {first} … {last}", ids.len()),
        };
        Some(format!(
            "athena: {ids}, {} scanned, ${:.4} at the list price",
            bytes_text(spent.bytes()),
            spent.cost_usd()
        ))
    }
}
