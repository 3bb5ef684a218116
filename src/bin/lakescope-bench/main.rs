//! `lakescope-bench`: the benchmark of docs/benchmarks.md, kept out of the
//! library. It runs the `lakescope` executable built beside it, and itself
//! (`plain`) for the hand-written DuckDB baselines, each under GNU time.

mod compare;
mod convert;
mod flows;
mod frames;
mod newday;
mod plain;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "lakescope-bench",
    about = "Time the pivots on a generated lake against plain DuckDB and jq (needs GNU time)"
)]
struct Args {
    /// A lake written by `lakescope generate` (with TRUTH.json)
    #[arg(long, value_name = "DIR")]
    lake: Option<PathBuf>,
    /// Runs per query
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Skip the baselines over the raw files (plain DuckDB parsing the JSON, jq): minutes each at 10M
    #[arg(long)]
    no_raw: bool,
    #[command(subcommand)]
    baseline: Option<Baseline>,
}

#[derive(Debug, Subcommand)]
enum Baseline {
    /// One baseline: hand-written DuckDB SQL over the lake's files (prints its row count)
    Plain {
        query: String,
        arg: String,
        /// Read this event store (de-duplicated parquet) instead of the lake's files
        #[arg(long)]
        store: Option<PathBuf>,
        /// Read flows from this flow index (flows sorted by address) instead of the lake's files
        #[arg(long)]
        flow_index: Option<PathBuf>,
    },
    /// Add generated VPC flows (Security Lake 2.0 partitions) to a generated lake, for the network questions
    Flows {
        #[arg(long, default_value_t = 20_000_000)]
        rows: u64,
    },
    /// Convert the lake's raw CloudTrail into an empty flat cache with one converter (native, duckdb, duckdb-typed)
    Convert {
        converter: String,
        /// The (empty or absent) cache folder to fill
        #[arg(long)]
        cache: PathBuf,
        /// Another cache of the same lake: count the rows that differ from it
        #[arg(long)]
        against: Option<PathBuf>,
        /// Print the DuckDB converter's statements (one COPY per folder into the cache folder) instead of running them
        #[arg(long)]
        sql: bool,
    },
    /// Render every TUI screen at 120×40 and 240×70 (frame times against 5 ms), and key to frame during a query
    Frames {
        /// The lake (default: the demo lake fixtures/lake; for full data a generated one)
        #[arg(long = "lake", value_name = "DIR")]
        frames_lake: Option<PathBuf>,
        /// Frames drawn per screen, size and position
        #[arg(long, default_value_t = 200)]
        frames: usize,
        /// Exit non-zero when a frame or key to frame exceeds 5 ms
        #[arg(long)]
        check: bool,
    },
}

fn run(args: Args) -> Result<String> {
    if let Some(Baseline::Frames {
        frames_lake,
        frames,
        check,
    }) = args.baseline
    {
        let lake = frames_lake
            .or(args.lake)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/lake"));
        let outcome = frames::run(&frames::FrameOptions { lake, frames })?;
        if check && !outcome.passed {
            println!("{}", outcome.report);
            anyhow::bail!("a frame took more than 5 ms");
        }
        return Ok(outcome.report);
    }
    let Some(lake) = args.lake else {
        anyhow::bail!("--lake DIR is required");
    };
    match args.baseline {
        Some(Baseline::Plain {
            query,
            arg,
            store,
            flow_index,
        }) => Ok(plain::run(&lake, store.as_deref(), flow_index.as_deref(), &query, &arg)?.to_string()),
        Some(Baseline::Flows { rows }) => flows::write(&lake, rows),
        Some(Baseline::Convert {
            converter,
            cache,
            against,
            sql,
        }) => convert::run(&lake, &converter, &cache, against.as_deref(), sql),
        Some(Baseline::Frames { .. }) => unreachable!("answered above"),
        None => compare::run(&compare::BenchOptions {
            lake,
            runs: args.runs,
            raw_baselines: !args.no_raw,
        }),
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("lakescope-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}
