//! `--print-sql athena`: the question's SQL for Amazon Athena over the
//! Security Lake Glue tables, printed instead of answered — to paste into
//! the console or a notebook when the lake is too large to copy.

use std::io::Write;

use anyhow::{Context, Result, bail};

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::Value;

use super::args::{AthenaArgs, Command};
use super::athena_lake;
use super::network_cmd::Asked;
use super::output::{self, Format};
use crate::lake::Page;
use crate::lake::Scope;
use crate::lake::athena::engine::{self, Engine};
use crate::lake::athena::run::{Answer, QueryStats, Runner};
use crate::lake::athena::{self, Question, ReportKind, SlVersion, Statement, Tables};
use crate::lake::buckets::BucketWidth;
use crate::sync::client::ClientOptions;

pub(super) fn tables(args: &AthenaArgs) -> Result<Tables> {
    let region = args
        .athena_region
        .clone()
        .or_else(athena::region_from_env)
        // A trail table's name does not depend on a region.
        .or_else(|| args.trail_table.as_ref().map(|_| String::new()))
        .context("which region's Glue database? --athena-region REGION (or AWS_REGION)")?;
    let mut tables = Tables::new(&region);
    tables.database = args.database.clone();
    tables.trail = args.trail_table.clone();
    if !args.sl_versions.is_empty() {
        tables.versions = args
            .sl_versions
            .iter()
            .map(|v| SlVersion::parse(v).with_context(|| format!("--sl-version {v}: 1.0 or 2.0")))
            .collect::<Result<_>>()?;
    }
    Ok(tables)
}

/// The engine the workbench asks (`lakescope --engine athena`): the same
/// tables, workgroup, results location, bucket and cost guard as a command.
pub fn engine(args: &AthenaArgs) -> Result<Engine> {
    let tables = tables(args)?;
    let runner = Runner {
        client: athena_lake::clients(),
        workgroup: args.workgroup.clone(),
        output: args.output.clone(),
        database: tables.database(),
    };
    let max_scan = engine::parse_size(&args.max_scan)?;
    Ok(Engine::new(
        runner,
        tables,
        args.lake_bucket.clone(),
        max_scan,
        args.yes,
    ))
}

const NO_FORM: &str = "Athena: only `actors`, `actor`, `ip`, `key`, `resource`, `events`, `timeline`, `flows`, `dns` and `findings` have an Athena form yet";

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
        Some(Command::Actor { arn }) => Question::Report(ReportKind::Actor, arn.clone()),
        Some(Command::Ip { ip }) => Question::Report(ReportKind::Ip, ip.clone()),
        Some(Command::Key { key }) => Question::Report(ReportKind::Key, key.clone()),
        Some(Command::Resource { id }) => Question::Report(ReportKind::Resource, id.clone()),
        Some(Command::Network(network)) => match (network.finding_criteria(), network.asked()) {
            (Some(criteria), _) => Question::Findings(criteria),
            (_, Some(Asked::Flows(criteria, page))) => Question::Flows(criteria, page),
            (_, Some(Asked::Name(name))) => Question::Name(name),
            (_, Some(Asked::Dns(criteria, page))) => Question::Dns(criteria, page),
            _ => bail!(NO_FORM),
        },
        _ => bail!(NO_FORM),
    })
}

/// Print the question's SQL.
pub fn print(args: &AthenaArgs, scope: &Scope, question: &Question, out: &mut dyn Write) -> Result<()> {
    let tables = tables(args)?;
    let mut text = athena::script(&tables, scope, question)?;
    // With --sync-into, the query that finds the partitions to bring home too.
    if args.sync_into.is_some() {
        let touched = athena::partitions(&tables, scope, question)?;
        text.push_str(&format!("\n-- {}\n{};\n", touched.section, touched.sql));
    }
    write!(out, "{text}").context("cannot write the SQL")
}

/// The cost guard of a command: refused when bounded by no day, or (with
/// --lake-bucket) when the partitions in scope hold more than --max-scan,
/// unless --yes. The measure, for the JSON output.
pub(super) fn guard(args: &AthenaArgs, scope: &Scope, tables: &Tables, source: &str) -> Result<Option<Value>> {
    if (scope.from_ms.is_none() || scope.to_ms.is_none()) && !args.yes {
        bail!(
            "this question is bounded by no day: Athena would scan (and bill) every partition of the lake; \
             give --from and --to, or --yes"
        );
    }
    let Some(url) = &args.lake_bucket else {
        return Ok(None);
    };
    let (files, size) = athena_lake::measure(url, scope, tables, source)?;
    let limit = engine::parse_size(&args.max_scan)?;
    eprintln!(
        "athena: the partitions in scope hold {} in {files} files (the most this can scan)",
        engine::bytes_text(size as i64)
    );
    if size > limit && !args.yes {
        bail!(
            "the partitions in scope hold {}, more than --max-scan {}: narrow the scope, raise --max-scan, or --yes",
            engine::bytes_text(size as i64),
            args.max_scan
        );
    }
    Ok(Some(serde_json::json!({"files": files, "bytes": size})))
}

/// Run the statements in turn (Ctrl-C stops the one running on Athena
/// instead of leaving it running), saying each query's cost on stderr.
pub(super) fn run_all(
    args: &AthenaArgs,
    tables: &Tables,
    statements: &[Statement],
) -> Result<Vec<(&'static str, Answer)>> {
    let runner = Runner {
        client: ClientOptions::default(),
        workgroup: args.workgroup.clone(),
        output: args.output.clone(),
        database: tables.database(),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let hook = signal_hook::flag::register(signal_hook::consts::SIGINT, cancel.clone());
    let answers: Result<Vec<(&'static str, Answer)>> = statements
        .iter()
        .map(|s| Ok((s.section, runner.run(&s.sql, &cancel)?)))
        .collect();
    if let Ok(id) = hook {
        signal_hook::low_level::unregister(id);
    }
    let answers = answers?;
    for (_, answer) in &answers {
        let s = &answer.stats;
        eprintln!(
            "athena: query {}, {} scanned, ${:.4} at the list price",
            s.query_id,
            engine::bytes_text(s.data_scanned_bytes),
            s.cost_usd
        );
    }
    Ok(answers)
}

/// With --sync-into, the last answer is the partitions query (billed like
/// the others): sync what it names, and say so.
pub(super) fn sync_if_asked(
    args: &AthenaArgs,
    source: &str,
    answers: &mut Vec<(&'static str, Answer)>,
) -> Result<Option<Value>> {
    let (Some(dest), Some(url)) = (&args.sync_into, &args.lake_bucket) else {
        return Ok(None);
    };
    let (_, touched) = answers.pop().context("no partitions answer")?;
    let mut synced = athena_lake::sync_back(url, dest, source, &touched)?;
    synced["athena"] = serde_json::json!(touched.stats);
    Ok(Some(synced))
}

/// `--engine athena`: ask Athena, print its rows like any answer, and say
/// on stderr (in JSON, beside the rows) what the query was and cost.
pub fn ask(args: &AthenaArgs, scope: &Scope, question: &Question, format: Format, out: &mut dyn Write) -> Result<()> {
    let tables = tables(args)?;
    let source = engine::source(&tables, question);
    let estimate = guard(args, scope, &tables, source)?;
    let mut statements = athena::statements(&tables, scope, question)?;
    if args.sync_into.is_some() {
        statements.push(athena::partitions(&tables, scope, question)?);
    }
    let mut answers = run_all(args, &tables, &statements)?;
    let synced = sync_if_asked(args, source, &mut answers)?;
    let stats: Vec<&QueryStats> = answers.iter().map(|(_, a)| &a.stats).collect();
    let mut value = match answers.as_slice() {
        [(_, answer)] => match format {
            Format::Json => serde_json::json!({ "athena": stats[0], "rows": rows(answer) }),
            _ => Value::Array(rows(answer)),
        },
        // A report: its summary's fields, then a table per section.
        sections => {
            let mut object = serde_json::Map::new();
            for (section, answer) in sections {
                let mut rows = rows(answer);
                match (*section, rows.len()) {
                    ("summary", 1) => {
                        if let Some(Value::Object(fields)) = rows.pop() {
                            object.extend(fields);
                        }
                    }
                    _ => {
                        object.insert(section.to_string(), Value::Array(rows));
                    }
                }
            }
            if format == Format::Json {
                object.insert("athena".into(), serde_json::json!(stats));
            }
            Value::Object(object)
        }
    };
    if let (Format::Json, Value::Object(object)) = (format, &mut value) {
        object.extend(estimate.map(|e| ("estimate".to_string(), e)));
        object.extend(synced.map(|s| ("synced".to_string(), s)));
    }
    output::render(&value, format, out).context("cannot write the output")
}

/// An answer's rows as objects (Athena's values are text, or NULL).
fn rows(answer: &Answer) -> Vec<Value> {
    answer
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
        .collect()
}
