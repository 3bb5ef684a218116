//! A timeline on Athena: the events' counts per UTC minute (with a lane)
//! and, for an actor, its new sightings, asked in one answer and drawn as
//! a local timeline ([`timeline::from_minutes`]) — by the workbench and by
//! `lakescope --engine athena timeline`.

use super::answer::{self, Sections};
use super::{Question, Statement, Tables};
use crate::lake::error::{LakeError, Result};
use crate::lake::scope::Scope;
use crate::lake::timeline::{self, LaneBy, MinuteCount, Timeline, TimelineQuery};

/// What to ask for a timeline, and the scopes it covers.
pub struct Asked {
    /// The cost guard's scope: the range shown, or for an actor the page's
    /// whole scope (its new sightings are counted there).
    pub guarded: Scope,
    /// The range shown: it bounds the minutes as it bounds the buckets.
    pub shown: Scope,
    pub statements: Vec<Statement>,
    /// The events shown as a question (its bucket width does not matter):
    /// the source the guard measures, the partitions to sync.
    pub question: Question,
}

pub fn ask(tables: &Tables, scope: &Scope, query: &TimelineQuery) -> Result<Asked> {
    let lane = match query.lanes {
        Some(LaneBy::Source) => {
            return Err(LakeError::Athena(
                "lanes by source (flows, DNS, findings beside the calls) have no Athena form".into(),
            ));
        }
        Some(by) => Some(by.sql()),
        None => None,
    };
    let shown = super::within(scope, query.range);
    let mut statements = vec![Statement {
        section: "minutes",
        sql: super::minutes(tables, &shown, &query.target, lane)?,
    }];
    // Zooming in does not make an old habit new: sightings are the scope's.
    let guarded = match &query.target.actor {
        Some(actor) => {
            statements.push(super::new_sightings(tables, scope, actor)?);
            scope.clone()
        }
        None => shown.clone(),
    };
    Ok(Asked {
        guarded,
        shown,
        statements,
        question: Question::Timeline(query.target.clone(), 60_000, query.range),
    })
}

/// The timeline drawn from the answers to [`ask`]'s statements.
pub fn draw(shown: &Scope, query: &TimelineQuery, answers: &Sections) -> Result<Timeline> {
    let required = |c: &answer::Cells, column: &str| {
        c.int(column)?
            .ok_or_else(|| LakeError::Athena(format!("column {column} is empty in Athena's answer")))
    };
    let minutes: Vec<MinuteCount> = answer::rows(answers.get("minutes")?, |c| {
        Ok((
            required(c, "t")?,
            c.text("lane"),
            c.count("n")?,
            c.count("e")?,
            required(c, "first_ms")?,
            required(c, "last_ms")?,
        ))
    })?;
    let firsts = match query.target.actor {
        Some(_) => answers.new_sightings()?,
        None => Vec::new(),
    };
    timeline::minutes::from_minutes(shown, query, &minutes, firsts)
}
