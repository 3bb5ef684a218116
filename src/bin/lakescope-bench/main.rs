//! `lakescope-bench`: the benchmark of docs/benchmarks.md, kept out of the
//! library. It runs the `lakescope` executable built beside it, and itself
//! (`plain`) for the hand-written DuckDB baselines, each under GNU time.

mod compare;
mod convert;
mod flows;
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
    lake: PathBuf,
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
}

fn run(args: Args) -> Result<String> {
    match args.baseline {
        Some(Baseline::Plain {
            query,
            arg,
            store,
            flow_index,
        }) => Ok(plain::run(&args.lake, store.as_deref(), flow_index.as_deref(), &query, &arg)?.to_string()),
        Some(Baseline::Flows { rows }) => flows::write(&args.lake, rows),
        Some(Baseline::Convert {
            converter,
            cache,
            against,
            sql,
        }) => convert::run(&args.lake, &converter, &cache, against.as_deref(), sql),
        None => compare::run(&compare::BenchOptions {
            lake: args.lake,
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
