//! `lakescope config ID_OR_ARN`: a resource's AWS Config history, diffs,
//! relationship graph and the CloudTrail events behind each change.

use anyhow::{Context, Result};

use crate::lake::config::{self, ConfigOptions};
use crate::lake::{Scope, Session, parse_time};

/// Arguments of `lakescope config`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Resource id, ARN or name (`list` shows every recorded resource)
    #[arg(value_name = "ID_OR_ARN")]
    pub id: String,
    /// Show the state in force at this time (RFC 3339 or a date)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Field-level differences between consecutive items
    #[arg(long)]
    pub diff: bool,
    /// Walk the relationship graph this many levels deep
    #[arg(long, value_name = "DEPTH")]
    pub related: Option<usize>,
    /// CloudTrail events in the window before each change (likely causes first)
    #[arg(long)]
    pub events: bool,
    /// Minutes before a capture in which an event may have caused it
    #[arg(long, default_value_t = 15, value_name = "MINUTES")]
    pub window: u32,
}

/// The value `lakescope config` prints.
pub fn run(session: &Session, scope: &Scope, args: &ConfigArgs) -> Result<serde_json::Value> {
    if args.id == "list" {
        return Ok(serde_json::to_value(config::config_resources(session)?)?);
    }
    let options = ConfigOptions {
        at: args.at.as_deref().map(|t| parse_time(t, true)).transpose()?,
        diff: args.diff,
        related: args.related,
        events: args.events,
        window_ms: i64::from(args.window) * 60_000,
    };
    let report = config::config_report(session, &args.id, scope, &options)
        .with_context(|| format!("cannot show the AWS Config history of {:?}", args.id))?;
    Ok(serde_json::to_value(report)?)
}
