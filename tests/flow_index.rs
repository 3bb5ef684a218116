//! The flow index (src/lake/records/index.rs): once `lakescope index` has
//! written it, the flows of one address are read from it, with exactly the
//! answers read from the lake's files; a damaged index is dropped and the
//! files are read again; bad flow files are set aside while writing it and
//! stay set aside for later sessions; the lake is never written.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, demo, snapshot, truth};

use lakescope::lake::FLOW_INDEX_VERSION;
use serde_json::Value;

/// (stdout, stderr) of a run with this cache; with `log`, stderr carries the SQL run.
fn run(lake: &Path, cache: &Path, args: &[&str], log: bool) -> (String, String) {
    let env: &[(&str, &str)] = if log {
        &[("LAKESCOPE_LOG", "lakescope=debug")]
    } else {
        &[]
    };
    common::run_cached(lake, cache, args, env)
}

/// The finished index folders under a cache dir.
fn indexes(cache: &Path) -> Vec<PathBuf> {
    let root = cache.join(FLOW_INDEX_VERSION);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.join("manifest.json").is_file());
    found
}

fn questions(t: &Value) -> Vec<Vec<String>> {
    let exfil = t["network"]["exfil"]["ip"].as_str().unwrap().to_string();
    let scanner = t["network"]["scanner"]["ip"].as_str().unwrap().to_string();
    let instance_ip = t["network"]["instance"]["ip"].as_str().unwrap().to_string();
    let new_ip = t["intrusion"]["new_ip"].as_str().unwrap().to_string();
    let mut out = Vec::new();
    for ip in [&exfil, &scanner, &instance_ip, &new_ip] {
        out.push(vec![
            "flows".into(),
            "--ip".into(),
            ip.clone(),
            "--limit".into(),
            "500".into(),
        ]);
        out.push(vec!["ip".into(), ip.clone()]);
    }
    // A scope, other criteria beside the address, and the timeline by source.
    out.push(vec![
        "--from".into(),
        "2024-05-05".into(),
        "--to".into(),
        "2024-05-05".into(),
        "flows".into(),
        "--ip".into(),
        instance_ip.clone(),
        "--port".into(),
        "443".into(),
    ]);
    out.push(vec![
        "flows".into(),
        "--ip".into(),
        scanner.clone(),
        "--action".into(),
        "reject".into(),
    ]);
    out.push(vec![
        "timeline".into(),
        "--ip".into(),
        exfil,
        "--by".into(),
        "source".into(),
        "--bucket".into(),
        "1h".into(),
    ]);
    out
}

#[test]
fn the_index_answers_exactly_like_the_files_and_a_damaged_one_is_dropped() {
    let cache = tempfile::tempdir().unwrap();
    let lake = demo();
    let asked = questions(truth());
    let direct: Vec<String> = asked
        .iter()
        .map(|q| {
            run(
                &lake,
                cache.path(),
                &q.iter().map(String::as_str).collect::<Vec<_>>(),
                false,
            )
            .0
        })
        .collect();
    assert!(indexes(cache.path()).is_empty(), "no question writes the flow index");

    let (report, _) = run(&lake, cache.path(), &["index"], false);
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["flow_index"], true, "{report}");
    assert_eq!(report["event_store"], true, "{report}");
    let written = indexes(cache.path());
    assert_eq!(written.len(), 1, "one index: {written:?}");

    for (q, before) in asked.iter().zip(&direct) {
        let args: Vec<&str> = q.iter().map(String::as_str).collect();
        let (after, log) = run(&lake, cache.path(), &args, true);
        assert_eq!(&after, before, "{args:?} from the index");
        if args.contains(&"--ip") || args[0] == "ip" {
            assert!(
                log.contains(FLOW_INDEX_VERSION),
                "{args:?} did not read the index:\n{log}"
            );
        }
    }
    // The exfiltration's bytes, as planted, through the index.
    let t = truth();
    let exfil = t["network"]["exfil"]["ip"].as_str().unwrap();
    let (flows, _) = run(&lake, cache.path(), &["flows", "--ip", exfil], false);
    let flows: Value = serde_json::from_str(&flows).unwrap();
    let total: u64 = flows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bytes_in"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, t["network"]["exfil"]["bytes_out"].as_u64().unwrap(), "{flows}");

    // Damage the index: the answer is the same, read from the files, and
    // the index is gone until written again.
    for entry in std::fs::read_dir(&written[0]).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "parquet") {
            std::fs::write(entry.path(), b"not parquet").unwrap();
        }
    }
    let args: Vec<&str> = asked[0].iter().map(String::as_str).collect();
    let (after, _) = run(&lake, cache.path(), &args, false);
    assert_eq!(after, direct[0], "a damaged index falls back to the files");
    assert!(indexes(cache.path()).is_empty(), "the damaged index is dropped");
}

#[test]
fn a_bad_flow_file_is_set_aside_while_indexing_and_stays_aside() {
    let work = tempfile::tempdir().unwrap();
    let lake = work.path().join("lake");
    let flows = Path::new("aws/VPC_FLOW");
    copy_dir(&demo().join(flows), &lake.join(flows));
    // A truncated copy of one day's flows, beside the good files.
    let good = walkdir::WalkDir::new(lake.join(flows))
        .into_iter()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .unwrap()
        .into_path();
    let bytes = std::fs::read(&good).unwrap();
    let bad = good.with_file_name("truncated.gz.parquet");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let before = snapshot(&lake);

    let cache = work.path().join("cache");
    let ip = truth()["network"]["instance"]["ip"].as_str().unwrap();
    let ask = ["flows", "--ip", ip, "--limit", "500"];
    let (direct, stderr) = run(&lake, &cache, &ask, false);
    assert!(
        stderr.contains("truncated.gz.parquet"),
        "named without the index: {stderr}"
    );
    assert!(
        !direct.trim().is_empty() && direct.trim() != "[]",
        "the good files answer: {direct}"
    );

    let (report, stderr) = run(&lake, &cache, &["index"], false);
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["flow_index"], true, "{report}");
    let aside = report["set_aside"].to_string();
    assert!(aside.contains("truncated.gz.parquet"), "{report}");
    assert!(stderr.contains("truncated.gz.parquet"), "{stderr}");

    // A later session reads the index and still names the bad file.
    let (indexed, stderr) = run(&lake, &cache, &ask, true);
    assert_eq!(indexed, direct, "the index answers like the good files");
    assert!(stderr.contains(FLOW_INDEX_VERSION), "read from the index: {stderr}");
    assert!(stderr.contains("truncated.gz.parquet"), "still named: {stderr}");
    assert!(snapshot(&lake) == before, "the lake is byte-identical");
}
