//! `lakescope summary`: the lake at a glance (files, accounts, regions,
//! days, event totals, sources and unreadable files).

use std::collections::BTreeSet;

use super::catalog::{SourceRow, sources};
use super::discovery::Skipped;
use super::error::Result;
use super::handle::Lake;
use super::layout::Partition;
use super::model::{FileProblem, Millis};
use super::scope::{Filter, Scope};
use super::session::Session;

#[derive(Debug, Clone, serde::Serialize)]
pub struct LakeSummary {
    pub lake: String,
    pub scope: String,
    pub files: u64,
    pub bytes: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    /// Distinct events (copies seen through several sources count once).
    pub events: u64,
    pub errors: u64,
    pub actors: u64,
    pub first_event: Option<Millis>,
    pub last_event: Option<Millis>,
    pub sources: Vec<SourceRow>,
    pub unreadable: Vec<FileProblem>,
    pub not_log_files: u64,
    /// What was found and not read (links, FIFOs, empty folders, other
    /// formats), each with the reason and its path inside the lake.
    pub not_read: Vec<Skipped>,
}

impl LakeSummary {
    pub fn build(lake: &Lake, session: &Session, scope: &Scope) -> Result<LakeSummary> {
        let sources = sources(session, scope)?;
        let mut filter = Filter::default();
        scope.restrict(&mut filter);
        let totals = session.query(
            scope,
            &filter,
            "SELECT count(*), count(error_code), count(DISTINCT actor_key), min(time_ms), max(time_ms) FROM ev",
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            },
        )?;
        let (events, errors, actors, first, last) = totals.into_iter().next().unwrap_or((0, 0, 0, None, None));
        let files: Vec<_> = lake.files().iter().filter(|f| scope.admits(f)).collect();
        let parts = |get: fn(&Partition) -> &String| -> Vec<String> {
            files
                .iter()
                .filter_map(|f| f.partition.as_ref().map(|p| get(p).clone()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let days = parts(|p| &p.day);
        // Discovery names what it found under the canonical root.
        let root = lake.root().canonicalize().unwrap_or_else(|_| lake.root().to_path_buf());
        Ok(LakeSummary {
            lake: lake.root().display().to_string(),
            scope: scope.describe(),
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.size).sum(),
            accounts: parts(|p| &p.account),
            regions: parts(|p| &p.region),
            first_day: days.first().cloned(),
            last_day: days.last().cloned(),
            events: events as u64,
            errors: errors as u64,
            actors: actors as u64,
            first_event: first.map(Millis),
            last_event: last.map(Millis),
            sources,
            unreadable: FileProblem::by_path(lake.problems()),
            not_log_files: lake.skipped().len() as u64,
            not_read: lake
                .skipped()
                .iter()
                .map(|s| Skipped {
                    path: s.path.strip_prefix(&root).unwrap_or(&s.path).to_path_buf(),
                    reason: s.reason.clone(),
                })
                .collect(),
        })
    }
}
