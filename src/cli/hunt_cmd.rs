//! `lakescope hunt`: the built-in hunts and the user's own over the scope,
//! hits summed up by hunt (or each hit event with `--events`).

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::lake::hunts::{self, Severity, library};
use crate::lake::{Scope, Session};

#[derive(Debug, clap::Args)]
pub struct HuntArgs {
    /// At least this severity: info, low, medium, high, critical
    #[arg(long, value_parser = Severity::parse)]
    pub severity: Option<Severity>,
    /// Only this hunt, by id (repeat for several; `--list` shows them)
    #[arg(long = "hunt", value_name = "ID")]
    pub hunts: Vec<String>,
    /// Each hit event, hunt by hunt, instead of one line per hunt
    #[arg(long)]
    pub events: bool,
    /// List the hunts that would run (id, severity, tactic, technique, title, kind), run none
    #[arg(long)]
    pub list: bool,
}

/// The built-in hunts, the user's and their Sigma rules; refused files
/// and rules are named on stderr and the others still run.
pub fn book() -> Result<hunts::HuntBook> {
    let mut book = library::load(library::user_dir().as_deref())?;
    let rules = library::rules_dir();
    library::add_rules(&mut book, rules.as_deref())?;
    for refused in &book.refused {
        eprintln!(
            "lakescope: {} refused: {}",
            crate::text::sanitize(&refused.file),
            crate::text::sanitize(&refused.reason)
        );
    }
    Ok(book)
}

/// The hunts chosen by `args`, as the command prints them.
pub fn list(args: &HuntArgs) -> Result<Value> {
    let book = book()?;
    let chosen = library::select(&book.hunts, args.severity, &args.hunts).map_err(|e| anyhow!(e))?;
    let rows: Vec<Value> = chosen
        .iter()
        .map(|h| {
            json!({"id": h.id, "severity": h.severity, "tactic": h.tactic, "technique": h.technique,
                "title": h.title, "kind": kind(h)})
        })
        .collect();
    Ok(Value::Array(rows))
}

/// What kind of hunt: events matching rules, first sightings, bursts, a
/// sequence, or a Sigma rule.
fn kind(h: &hunts::Hunt) -> &'static str {
    match (&h.sigma, &h.sequence, &h.burst, &h.new) {
        (Some(_), ..) => "sigma",
        (_, Some(_), ..) => "sequence",
        (_, _, Some(_), _) => "burst",
        (_, _, _, Some(_)) => "first sighting",
        _ => "match",
    }
}

/// Run the chosen hunts over the scope.
pub fn run(session: &Session, scope: &Scope, args: &HuntArgs) -> Result<Value> {
    let book = book()?;
    let chosen = library::select(&book.hunts, args.severity, &args.hunts).map_err(|e| anyhow!(e))?;
    let report = hunts::run(session, scope, &chosen)?;
    Ok(match args.events {
        true => serde_json::to_value(&report.events)?,
        false => serde_json::to_value(&report.hits)?,
    })
}
