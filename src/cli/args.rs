//! The command line's definition (clap): global options, commands and
//! their arguments. `mod.rs` runs them; the `*_cmd.rs` files run families.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::output::Format;
use super::{case_cmd, config_cmd, hunt_cmd, info_cmd, network_cmd, sync_cmd};
use crate::generate::GenerateOptions;
use crate::lake::EventCriteria;

#[derive(Debug, Parser)]
#[command(
    name = "lakescope",
    version,
    about = "Investigate AWS security lakes (Security Lake, CloudTrail, Config) from the terminal",
    after_help = "With no command, opens the interactive workbench (like `lakescope tui`). Values given on the command line reach SQL only as bound parameters."
)]
pub struct Cli {
    /// Lake directory: a lake root, an aws/ or AWSLogs/ folder, one source or partition [env: LAKESCOPE_LAKE; default: the current directory when it is a lake, else the demo lake]
    #[arg(long, global = true, value_name = "DIR")]
    pub lake: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
    /// Only these accounts (repeat or separate with commas)
    #[arg(long, global = true, value_delimiter = ',', value_name = "ID")]
    pub account: Vec<String>,
    /// Only these regions (repeat or separate with commas)
    #[arg(long, global = true, value_delimiter = ',', value_name = "REGION")]
    pub region: Vec<String>,
    /// From this time: a UTC date like 2024-05-04, RFC 3339, now, or a time before now (30m, 2h, 7d, 2w)
    #[arg(long, global = true, value_name = "TIME", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Up to this time, in the same forms (a date includes the whole day)
    #[arg(long, global = true, value_name = "TIME", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// While the lake is indexed for the first time, answer from the newest partition days
    /// already done instead of waiting for all of them (said on stderr)
    #[arg(long, global = true)]
    pub partial: bool,
    /// Folder of your own hunts (*.toml), for the Hunts page, dossiers and `hunt`
    /// [env: LAKESCOPE_HUNTS; default: hunts/ in the config dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub hunts_dir: Option<PathBuf>,
    /// Folder of Sigma rules (*.yml) for AWS CloudTrail, run beside the hunts; a rule that cannot be
    /// evaluated exactly is refused by name with the reason [env: LAKESCOPE_RULES; default: rules/ in
    /// the config dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// TUI colour theme: dark, light or high-contrast (NO_COLOR turns colours off)
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    #[command(flatten)]
    pub athena: AthenaArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive workbench (also what runs with no command)
    Tui,
    /// Summary of the lake: sources, accounts, regions, days, event counts
    Summary,
    /// Sources found in the lake, with accounts, regions, days and event counts
    Sources,
    /// Read every file in scope completely and list the damaged ones (exit 1 if any)
    Check,
    /// Partitions (source, account, region, day) from paths, with file counts and sizes
    Partitions,
    /// Prepare the whole lake ahead of time (convert raw CloudTrail, write the event store and the
    /// flow index, all in the cache dir), so that later questions are answered warm
    Index,
    /// One row per actor (IAM user, role session, root, service…)
    Actors {
        /// Fuzzy filter on the actor (ARN or key such as AWSService:ec2.amazonaws.com)
        #[arg(long)]
        search: Option<String>,
    },
    /// An actor's dossier: sessions, keys, IPs, resources and operations
    Actor {
        /// Actor ARN or key; a role ARN includes all its sessions
        arn: String,
    },
    /// Actors and operations seen from a source IP (or service host)
    Ip { ip: String },
    /// Who used an access key, what it minted and what minted it
    Key {
        #[arg(value_name = "ACCESS_KEY_ID")]
        key: String,
    },
    /// Actors and operations that touched a resource
    Resource {
        #[arg(value_name = "ID_OR_ARN")]
        id: String,
    },
    #[command(flatten)]
    Network(network_cmd::NetworkCommand),
    /// A resource's AWS Config history: timeline, diffs, relationships and causing events
    Config(config_cmd::ConfigArgs),
    /// Built-in and your own hunts (detections) over the scope: hits by hunt, most severe first
    Hunt(hunt_cmd::HuntArgs),
    /// Events matching all given criteria, oldest first
    Events {
        #[command(flatten)]
        which: EventArgs,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Each event's original record (the raw CloudTrail JSON, or the whole OCSF row) instead of
        /// the flat row; with `--format ndjson`, one record a line for jq
        #[arg(long)]
        raw: bool,
    },
    /// Events and errors per time bucket, empty buckets included, optionally in lanes
    Timeline {
        #[command(flatten)]
        which: EventArgs,
        /// Bucket width, 1m to 1d (1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d) [default: fits 200 buckets]
        #[arg(long, value_name = "WIDTH")]
        bucket: Option<String>,
        /// Split into lanes: ip, session, key, account, region, operation or actor
        #[arg(long, value_name = "LANE")]
        by: Option<String>,
        /// Busiest lanes shown; the others are summed in an "(other)" lane
        #[arg(long, default_value_t = 12, value_name = "N")]
        lanes: usize,
        /// Clock for bucket edges: utc, local, an offset like +02:00 or a zone like Europe/Berlin
        /// (JSON/CSV times stay UTC)
        #[arg(long, default_value = "utc", value_name = "ZONE")]
        tz: String,
    },
    /// Run SQL over `ev`: the scope's events, de-duplicated, in the flat shape (see `lakescope sql --help`)
    #[command(
        long_about = "Run SQL over `ev`, the scope's de-duplicated events. Columns: event_uid, time_ms, \
account, recipient_account, region, actor_key, actor_type, actor_arn, actor_name, actor_principal_id, actor_account, \
on_behalf_of, access_key_id, session_issuer, session_mfa, session_created_ms, invoked_by, src_ip, src_domain, \
user_agent, service, operation, error_code, error_message, resource_uids, resource_types, request_json, \
response_json, event_type, source_kind, source_file."
    )]
    Sql { query: String },
    /// Write a deterministic synthetic lake (with TRUTH.json) for demos, tests and benchmarks
    Generate {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = GenerateOptions::default().events)]
        events: u64,
        #[arg(long, default_value_t = GenerateOptions::default().seed)]
        seed: u64,
        #[arg(long, default_value_t = GenerateOptions::default().days)]
        days: u32,
        /// Write the damaged-input lake (fixtures/bad) instead
        #[arg(long)]
        bad: bool,
    },
    /// Write the demo lake (what `generate` writes by default: an 8-day organization with a planted
    /// intrusion, its TRUTH.json beside it) into DIR
    Demo {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Shell completions
    Completions { shell: clap_complete::Shell },
    /// The manual page (roff): to stdout, or with DIR lakescope.1 and one page per command there
    Man {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Version, DuckDB version, and the paths lakescope uses (config, hunts, cache with its size,
    /// command history, log)
    Info,
    /// The cache of what lakescope derives from lakes
    #[command(subcommand)]
    Cache(info_cmd::CacheCommand),
    /// Mirror an S3 lake (Security Lake or trail bucket) into a local directory; --follow an SQS queue
    Sync(sync_cmd::SyncArgs),
    /// Re-check every file of a synced directory against its evidence manifest (exit 1 on any difference)
    Verify {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// The case: marks (events, actors, IPs, keys, resources, findings, hunts) with tags and notes,
    /// kept per lake in the data dir, exported as a Timesketch timeline, CSV or a Markdown report
    #[command(subcommand)]
    Case(case_cmd::CaseCommand),
}

/// Which events: every criterion given must hold.
#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// Actor ARN or key; a role ARN includes all its sessions
    #[arg(long, value_name = "ARN")]
    actor: Option<String>,
    /// Source IP (or service host name)
    #[arg(long)]
    ip: Option<String>,
    /// Access key id (AKIA…, ASIA…)
    #[arg(long, value_name = "ACCESS_KEY_ID")]
    key: Option<String>,
    /// Resource id, ARN or name, in resources or request parameters
    #[arg(long, value_name = "ID_OR_ARN")]
    resource: Option<String>,
    /// API operation, any case (ConsoleLogin, AssumeRole…)
    #[arg(long)]
    operation: Option<String>,
    /// Source kind by prefix, ignoring case and underscores: cloudtrail, eks, vpc…
    #[arg(long)]
    source: Option<String>,
    /// Only failed calls
    #[arg(long)]
    errors: bool,
}

impl EventArgs {
    pub(super) fn criteria(&self) -> EventCriteria {
        EventCriteria {
            actor: self.actor.clone(),
            ip: self.ip.clone(),
            key: self.key.clone(),
            resource: self.resource.clone(),
            operation: self.operation.clone(),
            source: self.source.clone(),
            errors_only: self.errors,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlEngine {
    Athena,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// DuckDB over the lake's files (the default)
    Local,
    /// Amazon Athena over the Security Lake Glue tables
    Athena,
}

#[derive(Debug, clap::Args)]
pub struct AthenaArgs {
    /// Where questions are answered (athena: `actors`, `actor`, `ip`, `key`, `resource`, `events`,
    /// `timeline`, and the workbench's pages with those forms; credentials and region from the
    /// standard AWS chain)
    #[arg(long, global = true, value_enum, default_value = "local")]
    pub engine: Engine,
    /// Athena workgroup [default: the account's primary]
    #[arg(long, global = true, value_name = "NAME")]
    pub workgroup: Option<String>,
    /// Where Athena writes results (s3://…), unless the workgroup sets it
    #[arg(long, global = true, value_name = "S3_URI")]
    pub output: Option<String>,
    /// Run on Athena a question bounded by no day (every partition is scanned and billed)
    #[arg(long, global = true)]
    pub yes: bool,
    /// Print the question's SQL instead of answering it (athena: Trino SQL over the Security Lake
    /// Glue tables, for the questions --engine athena answers)
    #[arg(long, global = true, value_name = "ENGINE", value_enum)]
    pub print_sql: Option<SqlEngine>,
    /// The Security Lake rollup region whose Glue database holds the tables [default: AWS_REGION,
    /// else AWS_DEFAULT_REGION]
    #[arg(long, global = true, value_name = "REGION")]
    pub athena_region: Option<String>,
    /// The Glue database [default: amazon_security_lake_glue_db_<region>]
    #[arg(long, global = true, value_name = "NAME")]
    pub database: Option<String>,
    /// A Security Lake source version with tables (repeat) [default: 2.0 and 1.0]
    #[arg(long = "sl-version", global = true, value_name = "VERSION")]
    pub sl_versions: Vec<String>,
    /// Read an organization trail's CloudTrail table (partition projection on account, region,
    /// timestamp; docs/athena.md) in --database [default: default] instead of Security Lake
    #[arg(long, global = true, value_name = "TABLE", conflicts_with = "sl_versions")]
    pub trail_table: Option<String>,
    /// The Security Lake bucket behind the tables (s3://BUCKET[/PREFIX]): measures the partitions
    /// in scope before a query, and is where --sync-into fetches from
    #[arg(long, global = true, value_name = "S3_URI")]
    pub lake_bucket: Option<String>,
    /// Refuse (unless --yes) an Athena question whose partitions in scope hold more than this
    /// (measured in --lake-bucket): 500MB, 100GB, 2TB
    #[arg(long, global = true, value_name = "SIZE", default_value = "100GB")]
    pub max_scan: String,
    /// After an Athena answer, sync the partitions it touched from --lake-bucket into DIR (then
    /// open it with --lake DIR); in the workbench, where `B` proposes to sync a page's slice
    #[arg(long, global = true, value_name = "DIR", requires = "lake_bucket")]
    pub sync_into: Option<std::path::PathBuf>,
}
