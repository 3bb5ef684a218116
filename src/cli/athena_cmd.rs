//! `--print-sql athena`: the question's SQL for Amazon Athena over the
//! Security Lake Glue tables, printed instead of answered — to paste into
//! the console or a notebook when the lake is too large to copy.

use std::io::Write;

use anyhow::{Context, Result, bail};

use super::args::{AthenaArgs, Command};
use crate::lake::Page;
use crate::lake::Scope;
use crate::lake::athena::{self, Question, SlVersion, Tables};
use crate::lake::buckets::BucketWidth;

fn tables(args: &AthenaArgs) -> Result<Tables> {
    let region = args
        .athena_region
        .clone()
        .or_else(athena::region_from_env)
        .context("which region's Glue database? --athena-region REGION (or AWS_REGION)")?;
    let mut tables = Tables::new(&region);
    tables.database = args.database.clone();
    if !args.sl_versions.is_empty() {
        tables.versions = args
            .sl_versions
            .iter()
            .map(|v| SlVersion::parse(v).with_context(|| format!("--sl-version {v}: 1.0 or 2.0")))
            .collect::<Result<_>>()?;
    }
    Ok(tables)
}

/// The question a command line asks, when it has an Athena form.
pub fn question(command: Option<&Command>, scope: &Scope) -> Result<Question> {
    Ok(match command {
        Some(Command::Actors { search: None }) => Question::Actors,
        Some(Command::Actors { search: Some(_) }) => {
            bail!("the actors filter is fuzzy, which Athena cannot say exactly: print without it")
        }
        Some(Command::Events {
            which, limit, offset, ..
        }) => Question::Events(
            which.criteria(),
            Page {
                limit: *limit,
                offset: *offset,
            },
        ),
        Some(Command::Timeline {
            which, bucket, by, tz, ..
        }) => {
            if by.is_some() || !tz.eq_ignore_ascii_case("utc") {
                bail!("--print-sql athena: a timeline has an Athena form in UTC without lanes (no --by, --tz)");
            }
            let width: BucketWidth = match (bucket, scope.from_ms.zip(scope.to_ms)) {
                (Some(b), _) => b.parse()?,
                (None, Some((from, to))) => BucketWidth::auto(to - from, 200),
                (None, None) => bail!("--print-sql athena timeline: give --bucket, or --from and --to"),
            };
            Question::Timeline(which.criteria(), width.ms())
        }
        _ => bail!("--print-sql athena: only `actors`, `events` and `timeline` have an Athena form yet"),
    })
}

/// Print the question's SQL.
pub fn print(args: &AthenaArgs, scope: &Scope, question: &Question, out: &mut dyn Write) -> Result<()> {
    let sql = athena::sql(&tables(args)?, scope, question)?;
    writeln!(out, "{sql};").context("cannot write the SQL")
}
