//! `--print-sql athena`: the question's SQL for Amazon Athena over the
//! Security Lake Glue tables, printed instead of answered — to paste into
//! the console or a notebook when the lake is too large to copy.

use std::io::Write;

use anyhow::{Context, Result, bail};

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::Value;

use super::args::{AthenaArgs, Command};
use super::output::{self, Format};
use crate::lake::Page;
use crate::lake::Scope;
use crate::lake::athena::run::Runner;
use crate::lake::athena::{self, Question, SlVersion, Tables};
use crate::lake::buckets::BucketWidth;
use crate::sync::client::ClientOptions;

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
            Question::Timeline(which.criteria(), width.ms(), None)
        }
        _ => bail!("--print-sql athena: only `actors`, `events` and `timeline` have an Athena form yet"),
    })
}

/// Print the question's SQL.
pub fn print(args: &AthenaArgs, scope: &Scope, question: &Question, out: &mut dyn Write) -> Result<()> {
    let sql = athena::sql(&tables(args)?, scope, question)?;
    writeln!(out, "{sql};").context("cannot write the SQL")
}

/// `--engine athena`: ask Athena, print its rows like any answer, and say
/// on stderr (in JSON, beside the rows) what the query was and cost.
pub fn ask(args: &AthenaArgs, scope: &Scope, question: &Question, format: Format, out: &mut dyn Write) -> Result<()> {
    let tables = tables(args)?;
    if (scope.from_ms.is_none() || scope.to_ms.is_none()) && !args.yes {
        bail!(
            "this question is bounded by no day: Athena would scan (and bill) every partition of the lake; \
             give --from and --to, or --yes"
        );
    }
    let sql = athena::sql(&tables, scope, question)?;
    let runner = Runner {
        client: ClientOptions::default(),
        workgroup: args.workgroup.clone(),
        output: args.output.clone(),
        database: tables.database(),
    };
    // Ctrl-C stops the query on Athena instead of leaving it running.
    let cancel = Arc::new(AtomicBool::new(false));
    let hook = signal_hook::flag::register(signal_hook::consts::SIGINT, cancel.clone());
    let answer = runner.run(&sql, &cancel);
    if let Ok(id) = hook {
        signal_hook::low_level::unregister(id);
    }
    let answer = answer?;
    let rows: Vec<Value> = answer
        .rows
        .iter()
        .map(|row| {
            let fields = answer
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| (c.clone(), v.clone().map_or(Value::Null, Value::String)));
            Value::Object(fields.collect())
        })
        .collect();
    let s = &answer.stats;
    eprintln!(
        "athena: query {}, {} scanned, ${:.4} at the list price",
        s.query_id,
        bytes(s.data_scanned_bytes),
        s.cost_usd
    );
    let value = match format {
        Format::Json => serde_json::json!({ "athena": s, "rows": rows }),
        _ => Value::Array(rows),
    };
    output::render(&value, format, out).context("cannot write the output")
}

fn bytes(n: i64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.2} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n => format!("{n} bytes"),
    }
}
