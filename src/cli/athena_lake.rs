//! The bucket behind the Athena tables (`--lake-bucket`): how much the
//! partitions in scope hold, measured before a query is sent (an upper
//! bound of what it scans: Athena reads only some columns of them), and
//! the partitions an answer touched, synced home.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use super::sync_cmd;
use crate::lake::Scope;
use crate::lake::athena::Tables;
use crate::lake::athena::engine;
use crate::lake::athena::{answer, run::Answer};
use crate::sync::ClientOptions;

/// Clients for the standard chain; an endpoint in `AWS_ENDPOINT_URL` (an
/// emulator, a VPC endpoint) gets path-style S3 addressing.
pub fn clients() -> ClientOptions {
    ClientOptions {
        endpoint_url: std::env::var("AWS_ENDPOINT_URL").ok().filter(|v| !v.is_empty()),
        profile: None,
    }
}

/// The partitions in scope, measured (see [`engine::measure`]).
pub fn measure(bucket_url: &str, scope: &Scope, tables: &Tables, source: &str) -> Result<(usize, u64)> {
    Ok(engine::measure(bucket_url, &clients(), scope, tables, source)?)
}

/// Sync the partitions of an answer's `partitions` rows (account, region,
/// event_day) into `dest`; what was done, for the output.
pub fn sync_back(bucket_url: &str, dest: &Path, source: &str, touched: &Answer) -> Result<Value> {
    let partitions = answer::partitions(touched)?;
    let report = sync_cmd::sync_partitions(bucket_url, dest, source, &partitions, &clients())?;
    eprintln!(
        "athena: synced the {} partition(s) the answer touched into {}: {} objects, {} fetched ({} bytes), {} unchanged; open it with --lake {}",
        partitions.len(),
        dest.display(),
        report.listed.objects,
        report.fetched,
        report.fetched_bytes,
        report.unchanged,
        dest.display()
    );
    Ok(json!({
        "into": dest.display().to_string(),
        "partitions": partitions.iter().map(|(a, r, d)| json!({"account": a, "region": r, "day": d.to_string()})).collect::<Vec<_>>(),
        "objects": report.listed.objects,
        "fetched": report.fetched,
        "fetched_bytes": report.fetched_bytes,
        "unchanged": report.unchanged,
    }))
}
