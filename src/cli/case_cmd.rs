//! `lakescope case …`: keep a case for the lake from the command line
//! (scripted triage feeds it as the workbench does) and export it.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use super::output::Format;
use crate::case::export::{self, iso};
use crate::case::store::CaseStore;
use crate::case::{Case, Mark, MarkKind, Step, now, report};
use crate::lake::Lake;
use crate::lake::Session;
use crate::lake::events::events_by_id;
use crate::text::shell_quote as quote;

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// The cases kept for this lake (the current one marked)
    List,
    /// Start a case; it becomes the current one
    New { name: String },
    /// Make a case the current one (what `mark`, `show`, `export` and the workbench use)
    Open { name: String },
    /// Rename a case
    Rename { old: String, new: String },
    /// The current case's marks in time order
    Show,
    /// Mark something in the current case (an event is looked up in the lake first)
    Mark(MarkArgs),
    /// Write the current case out: --format timesketch (JSONL), csv or markdown
    Export,
}

#[derive(Debug, Args)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(false)))]
pub struct MarkArgs {
    /// An event id (CloudTrail eventID, OCSF metadata.uid)
    #[arg(long, group = "what")]
    event: Option<String>,
    /// An actor ARN or key
    #[arg(long, group = "what")]
    actor: Option<String>,
    /// A source IP
    #[arg(long, group = "what")]
    ip: Option<String>,
    /// An access key id
    #[arg(long, group = "what")]
    key: Option<String>,
    /// A resource id, ARN or name
    #[arg(long, group = "what")]
    resource: Option<String>,
    /// A hostname asked in DNS
    #[arg(long, group = "what")]
    name: Option<String>,
    /// A finding id
    #[arg(long, group = "what")]
    finding: Option<String>,
    /// A hunt id
    #[arg(long, group = "what")]
    hunt: Option<String>,
    /// suspicious, benign, ioc or any word
    #[arg(long)]
    tag: Option<String>,
    /// A note kept with the mark (repeat the mark to add another)
    #[arg(long)]
    note: Option<String>,
}

impl MarkArgs {
    fn what(&self) -> Option<(MarkKind, String)> {
        [
            (MarkKind::Event, &self.event),
            (MarkKind::Actor, &self.actor),
            (MarkKind::Ip, &self.ip),
            (MarkKind::Key, &self.key),
            (MarkKind::Resource, &self.resource),
            (
                MarkKind::Name,
                &self.name.as_deref().map(crate::lake::network::normal_name),
            ),
            (MarkKind::Finding, &self.finding),
            (MarkKind::Hunt, &self.hunt),
        ]
        .into_iter()
        .find_map(|(kind, value)| value.clone().map(|v| (kind, v)))
    }
}

/// The command that asks again the question a mark answers.
fn replay(lake: &Lake, kind: MarkKind, value: &str, event: Option<&crate::lake::EventRow>) -> String {
    let root = lake.root().canonicalize().unwrap_or_else(|_| lake.root().to_path_buf());
    let base = format!("lakescope --lake {}", quote(&root.display().to_string()));
    let v = quote(value);
    match (kind, event) {
        (MarkKind::Event, Some(e)) => {
            // `--to` is exclusive: the second after the event.
            let (from, to) = (iso(e.time), iso(e.time.map(|t| crate::lake::Millis(t.0 + 1000))));
            let mut line = format!("{base} events --actor {} --from {from} --to {to}", quote(&e.actor));
            if let Some(op) = &e.operation {
                line.push_str(&format!(" --operation {}", quote(op)));
            }
            line
        }
        (MarkKind::Event, None) => format!(
            "{base} sql {}",
            quote(&format!(
                "SELECT * FROM ev WHERE event_uid = '{}'",
                value.replace('\'', "''")
            ))
        ),
        (MarkKind::Actor, _) => format!("{base} actor {v}"),
        (MarkKind::Ip, _) => format!("{base} ip {v}"),
        (MarkKind::Key, _) => format!("{base} key {v}"),
        (MarkKind::Resource, _) => format!("{base} resource {v}"),
        (MarkKind::Name, _) => format!("{base} dns {v}"),
        (MarkKind::Finding, _) => format!("{base} finding {v}"),
        (MarkKind::Hunt, _) => format!("{base} hunt --hunt {v}"),
    }
}

fn mark(lake: &Lake, session: &Session, store: &CaseStore, args: &MarkArgs) -> Result<Case> {
    let Some((kind, value)) = args.what() else {
        bail!("say what to mark: --event, --actor, --ip, --key, --resource, --finding or --hunt");
    };
    let mut event = None;
    if kind == MarkKind::Event {
        let rows = events_by_id(session, std::slice::from_ref(&value))?;
        let Some(row) = rows.into_iter().next() else {
            bail!("no event {value:?} in this lake");
        };
        event = Some(row);
    }
    let command = replay(lake, kind, &value, event.as_ref());
    let new = Mark {
        kind,
        value,
        time_ms: event.as_ref().and_then(|e| e.time).map(|t| t.0),
        summary: event.as_ref().map(crate::case::event_summary),
        actor: event.as_ref().map(|e| e.actor.clone()),
        tag: args.tag.clone(),
        notes: args.note.iter().cloned().collect(),
        marked_at: now(),
        path: vec![Step {
            title: "command line".into(),
            command,
        }],
    };
    Ok(store.update(|case| case.mark(new))?.0)
}

/// The marks in time order, each with its time in words first.
fn shown(case: &Case) -> Result<serde_json::Value> {
    let marks = case.in_time_order().into_iter().map(|m| {
        let mut row = serde_json::Map::new();
        row.insert("time".into(), iso(m.time_ms.map(crate::lake::Millis)).into());
        if let serde_json::Value::Object(fields) = serde_json::to_value(m)? {
            row.extend(fields.into_iter().filter(|(k, _)| k != "time_ms"));
        }
        Ok(serde_json::Value::Object(row))
    });
    Ok(serde_json::Value::Array(marks.collect::<Result<_>>()?))
}

/// Run a `case` command; what it prints is a JSON value for `--format`, or
/// nothing when it wrote the export itself.
pub fn run(
    command: &CaseCommand,
    lake: &Lake,
    session: &Session,
    format: Format,
    out: &mut dyn Write,
) -> Result<Option<serde_json::Value>> {
    let store = CaseStore::for_lake(lake.root())?;
    let value = match command {
        CaseCommand::List => serde_json::to_value(store.list()?)?,
        CaseCommand::New { name } => serde_json::to_value(store.create(name)?)?,
        CaseCommand::Open { name } => serde_json::to_value(store.open(name)?)?,
        CaseCommand::Rename { old, new } => serde_json::to_value(store.rename(old, new)?)?,
        CaseCommand::Show => shown(&store.current()?)?,
        CaseCommand::Mark(args) => shown(&mark(lake, session, &store, args)?)?,
        CaseCommand::Export => {
            let case = store.current()?;
            let export = export::gather(&case, lake, session)?;
            let written = match format {
                Format::Timesketch => export::timesketch(&export, out),
                Format::Csv => export::csv(&export, out),
                Format::Markdown => report::markdown(&export, &now(), out),
                other => bail!("case export writes --format timesketch, csv or markdown, not {other:?}"),
            };
            written.context("cannot write the export")?;
            if !export.missing.is_empty() {
                eprintln!(
                    "lakescope: {} marked event(s) are not in the lake any more: {}",
                    export.missing.len(),
                    export.missing.join(", ")
                );
            }
            return Ok(None);
        }
    };
    Ok(Some(value))
}
