//! `lakescope-bench --lake DIR convert CONVERTER --cache DIR`: time one
//! converter filling an empty flat cache from the lake's raw CloudTrail
//! (run it under `/usr/bin/time -v` for the peak memory), and optionally
//! compare the rows written with another cache.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use lakescope::lake::convert::{Converter, convert_lake, duckdb_statements};

pub fn run(lake: &Path, converter: &str, cache: &Path, against: Option<&Path>, sql: bool) -> Result<String> {
    let converter = match converter {
        "native" => Converter::Native,
        "duckdb" => Converter::DuckDb,
        "duckdb-typed" => Converter::DuckDbTyped,
        other => bail!("unknown converter {other} (native, duckdb, duckdb-typed)"),
    };
    if sql {
        let statements = duckdb_statements(lake, cache, converter)?.context("the native converter runs no SQL")?;
        return Ok(statements.join(";\n") + ";");
    }
    if cache.exists() && std::fs::read_dir(cache)?.next().is_some() {
        bail!(
            "{} is not empty: the conversion must start from an empty cache",
            cache.display()
        );
    }
    let started = Instant::now();
    let converted = convert_lake(lake, cache, converter).context("conversion")?;
    let seconds = started.elapsed().as_secs_f64();
    let conn = duckdb::Connection::open_in_memory()?;
    let rows = |dir: &Path| -> Result<i64> {
        let sql = format!("SELECT count(*) FROM read_parquet('{}/**/*.parquet')", dir.display());
        Ok(conn.query_row(&sql, [], |r| r.get(0))?)
    };
    let mut report = serde_json::json!({
        "converter": converter.name(),
        "files": converted.files.len(),
        "gz_bytes": converted.bytes,
        "set_aside": converted.problems.len(),
        "rows": rows(cache)?,
        "seconds": (seconds * 100.0).round() / 100.0,
    });
    if let Some(other) = against {
        let glob = |dir: &Path| format!("read_parquet('{}/**/*.parquet')", dir.display());
        let diff = |a: &str, b: &str| -> Result<i64> {
            let sql = format!("SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})");
            Ok(conn.query_row(&sql, [], |r| r.get(0))?)
        };
        report["rows_not_in_other"] = diff(&glob(cache), &glob(other))?.into();
        report["other_rows_not_here"] = diff(&glob(other), &glob(cache))?.into();
    }
    Ok(serde_json::to_string_pretty(&report)?)
}
