//! The bucket behind the Athena tables (`--lake-bucket`): how much the
//! partitions in scope hold, measured before a query is sent (an upper
//! bound of what it scans: Athena reads only some columns of them), and
//! the partitions an answer touched, synced home.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::sync_cmd;
use crate::lake::Scope;
use crate::lake::athena::SlVersion;
use crate::lake::scope::day_string;
use crate::sync::{ClientOptions, Filter, plan};

/// The Security Lake source the Athena questions read.
const SOURCE: &str = "CLOUD_TRAIL_MGMT";

/// Clients for the standard chain; an endpoint in `AWS_ENDPOINT_URL` (an
/// emulator, a VPC endpoint) gets path-style S3 addressing.
pub fn clients() -> ClientOptions {
    ClientOptions {
        endpoint_url: std::env::var("AWS_ENDPOINT_URL").ok().filter(|v| !v.is_empty()),
        profile: None,
    }
}

/// `500MB`, `100GB`, `2TB`, `1.5GB` or bytes; units of 1024 as the sizes printed.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim().to_ascii_uppercase();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => bail!("--max-scan {text}: a size such as 500MB, 100GB or 2TB"),
    };
    let value: f64 = number
        .parse()
        .with_context(|| format!("--max-scan {text}: a size such as 500MB, 100GB or 2TB"))?;
    Ok((value * (1u64 << shift) as f64) as u64)
}

/// The partitions in scope (a day either side of the time bounds, as the
/// statements' own partition predicates) of the versions asked, measured.
pub fn measure(bucket_url: &str, scope: &Scope, versions: &[SlVersion]) -> Result<(usize, u64)> {
    let (bucket, root) = plan::parse_s3_url(bucket_url)?;
    let day = |ms: Option<i64>, shift: i64| -> Result<Option<u32>> {
        ms.and_then(|ms| day_string(ms, shift))
            .map(|d| plan::parse_day(&d))
            .transpose()
            .map_err(Into::into)
    };
    let filter = Filter {
        sources: vec![SOURCE.into()],
        accounts: scope.accounts.clone(),
        regions: scope.regions.clone(),
        from_day: day(scope.from_ms, -1)?,
        to_day: day(scope.to_ms.map(|t| t - 1), 1)?,
    };
    let prefixes: Vec<String> = versions
        .iter()
        // Partition folders only: an Iceberg table's `metadata/` is not data.
        .map(|v| format!("aws/{SOURCE}/{}/region=", v.suffix().replace('_', ".")))
        .collect();
    let clients = clients();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let config = crate::sync::client::load(&clients).await;
        let s3 = crate::sync::client::s3(&config, &clients);
        crate::sync::measure(&s3, &bucket, &root, &filter, &prefixes, 16)
            .await
            .with_context(|| format!("cannot measure the partitions in scope in {bucket_url}"))
    })
}

/// Sync the partitions of an answer's `partitions` rows (account, region,
/// event_day) into `dest`; what was done, for the output.
pub fn sync_back(bucket_url: &str, dest: &Path, rows: &[Value]) -> Result<Value> {
    let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_string();
    let mut partitions: Vec<(String, String, u32)> = rows
        .iter()
        .filter_map(|row| {
            let day = plan::parse_day(row["event_day"].as_str()?).ok()?;
            Some((text(row, "account"), text(row, "region"), day))
        })
        .filter(|(account, region, _)| !account.is_empty() && !region.is_empty())
        .collect();
    partitions.sort();
    partitions.dedup();
    let report = sync_cmd::sync_partitions(bucket_url, dest, SOURCE, &partitions, &clients())?;
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

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100GB").unwrap(), 100 << 30);
        assert_eq!(parse_size("500mb").unwrap(), 500 << 20);
        assert_eq!(parse_size("2 TiB").unwrap(), 2 << 40);
        assert_eq!(parse_size("1.5G").unwrap(), 3 << 29);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("10PB").is_err());
    }
}
