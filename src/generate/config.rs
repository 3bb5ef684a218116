//! AWS Config S3 delivery (history and daily snapshot files, non-padded
//! date folders, `::` in names), plus one API-spelling file and one
//! CloudTrail Lake NDJSON export.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::config_items::{self, Item};
use super::fsutil::Out;
use super::ids::{self, DAY_MS, HOUR_MS};
use super::options::GenerateError;
use super::story::Story;
use super::truth::ConfigCounts;
use super::world::{DATA, PROD, SG_ID};

const WINDOW_MS: i64 = 6 * HOUR_MS;

fn config_dir(account: &str, region: &str, ms: i64, kind: &str) -> String {
    let c = ids::civil(ms);
    // Month and day are not zero-padded in Config delivery paths.
    format!("AWSLogs/{account}/Config/{region}/{}/{}/{}/{kind}", c.y, c.mo, c.d)
}

fn count(items: &[Item], counts: &mut ConfigCounts, ids_seen: &mut BTreeSet<String>) {
    for i in items {
        counts.items += 1;
        counts.relationships += i.rels.len() as u64;
        ids_seen.insert(i.rid.clone());
    }
}

pub fn write_config(
    out: &mut Out,
    seed: u64,
    first_day_ms: i64,
    days: u32,
    story: &Story,
) -> Result<ConfigCounts, GenerateError> {
    let history = config_items::history(seed, first_day_ms, days, story);
    let mut counts = ConfigCounts::default();
    let mut seen = BTreeSet::new();

    // History: one file per (account, region, resource type, 6-hour window).
    let mut files: BTreeMap<(&str, &str, i64, &str), Vec<Item>> = BTreeMap::new();
    for item in &history {
        let window = item.capture_ms - item.capture_ms.rem_euclid(WINDOW_MS);
        files
            .entry((item.account, item.region, window, item.rtype))
            .or_default()
            .push(item.clone());
    }
    for ((account, region, window, rtype), items) in &files {
        let rel = format!(
            "{}/{account}_Config_{region}_ConfigHistory_{rtype}_{}_{}_1.json.gz",
            config_dir(account, region, *window, "ConfigHistory"),
            ids::stamp_sec(*window),
            ids::stamp_sec(window + WINDOW_MS)
        );
        let doc =
            json!({"fileVersion": "1.0", "configurationItems": items.iter().map(Item::s3).collect::<Vec<Value>>()});
        out.write_gz(&rel, doc.to_string().as_bytes())?;
        count(items, &mut counts, &mut seen);
    }

    // Daily snapshots: the latest state of every live resource.
    for account in [PROD, DATA] {
        out.write(&format!("AWSLogs/{account}/Config/ConfigWritabilityCheckFile"), b"")?;
        for d in 0..days {
            let at =
                first_day_ms + i64::from(d) * DAY_MS + 6 * HOUR_MS + if account == PROD { 131_000 } else { 187_000 };
            let mut latest: BTreeMap<&str, &Item> = BTreeMap::new();
            for item in history.iter().filter(|i| i.account == account && i.capture_ms <= at) {
                latest.insert(item.rid.as_str(), item);
            }
            let items: Vec<Item> = latest
                .into_values()
                .filter(|i| i.status != "ResourceDeleted")
                .cloned()
                .collect();
            if items.is_empty() {
                continue;
            }
            let snapshot_id = ids::label_uuid(seed, &format!("snapshot/{account}/{d}"));
            let rel = format!(
                "{}/{account}_Config_us-east-1_ConfigSnapshot_{}_{snapshot_id}.json.gz",
                config_dir(account, "us-east-1", at, "ConfigSnapshot"),
                ids::stamp_sec(at)
            );
            let doc = json!({
                "fileVersion": "1.0",
                "configSnapshotId": snapshot_id,
                "configurationItems": items.iter().map(Item::s3).collect::<Vec<Value>>(),
            });
            out.write_gz(&rel, doc.to_string().as_bytes())?;
            count(&items, &mut counts, &mut seen);
        }
    }
    counts.resources = seen.len() as u64;

    // API spelling: the security group's history, newest first.
    let mut sg_items: Vec<Value> = history.iter().filter(|i| i.rid == SG_ID).map(Item::api).collect();
    sg_items.reverse();
    let api = json!({"configurationItems": sg_items});
    let mut text = serde_json::to_string_pretty(&api).map_err(|e| GenerateError::Json {
        path: out.root().join("config-api"),
        source: e,
    })?;
    text.push('\n');
    out.write("config-api/get-resource-config-history-sg.json", text.as_bytes())?;

    // CloudTrail Lake spelling: one JSON row per line.
    let mut nd = String::new();
    for item in &history {
        nd.push_str(&item.cloudtrail_lake(seed).to_string());
        nd.push('\n');
    }
    out.write("config-cloudtrail-lake/export.json", nd.as_bytes())?;
    Ok(counts)
}
