//! `lakescope --engine athena timeline`: Athena counts the events per
//! minute (per lane with `--by`; an actor's new sightings beside them) and
//! the timeline is drawn from those counts as the local one is, in any
//! clock (`--tz`), then printed by the same renderer.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::args::AthenaArgs;
use super::athena_cmd::{guard, run_all, sync_if_asked, tables};
use super::output::{self, Format};
use super::timeline_cmd;
use crate::lake::Scope;
use crate::lake::athena::answer::Sections;
use crate::lake::athena::{self, engine, timelines};
use crate::lake::timeline::TimelineQuery;

pub fn run(args: &AthenaArgs, scope: &Scope, query: &TimelineQuery, format: Format, out: &mut dyn Write) -> Result<()> {
    let tables = tables(args)?;
    let asked = timelines::ask(&tables, scope, query)?;
    let source = engine::source(&tables, &asked.question);
    let estimate = guard(args, &asked.guarded, &tables, source)?;
    let mut statements = asked.statements;
    if args.sync_into.is_some() {
        statements.push(athena::partitions(&tables, scope, &asked.question)?);
    }
    let mut answers = run_all(args, &tables, &statements)?;
    let synced = sync_if_asked(args, source, &mut answers)?;
    let stats: Vec<Value> = answers.iter().map(|(_, a)| serde_json::json!(a.stats)).collect();
    let timeline = timelines::draw(&asked.shown, query, &Sections(answers))?;
    if format != Format::Json {
        return timeline_cmd::render(&timeline, format, out).context("cannot write the output");
    }
    let mut value = serde_json::json!({"athena": stats, "rows": timeline_cmd::rows(&timeline, format)});
    if let Some(estimate) = estimate {
        value["estimate"] = estimate;
    }
    if let Some(synced) = synced {
        value["synced"] = synced;
    }
    output::render(&value, format, out).context("cannot write the output")
}
