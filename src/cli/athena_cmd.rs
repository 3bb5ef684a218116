//! `--print-sql athena`: the question's SQL for Amazon Athena over the
//! Security Lake Glue tables, printed instead of answered — to paste into
//! the console or a notebook when the lake is too large to copy.

use std::io::Write;

use anyhow::{Context, Result};

use crate::lake::Scope;
use crate::lake::athena::{self, Question, SlVersion, Tables};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlEngine {
    Athena,
}

#[derive(Debug, clap::Args)]
pub struct AthenaArgs {
    /// Print the question's SQL instead of answering it (athena: Trino SQL over the Security Lake
    /// Glue tables; today for `actors` and `events`)
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
}

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

/// Print the question's SQL.
pub fn print(args: &AthenaArgs, scope: &Scope, question: &Question, out: &mut dyn Write) -> Result<()> {
    let sql = athena::sql(&tables(args)?, scope, question)?;
    writeln!(out, "{sql};").context("cannot write the SQL")
}
