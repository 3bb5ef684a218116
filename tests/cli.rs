//! The `lakescope` binary as a user runs it: formats, exit codes, messages.

mod common;

use common::{json, run as lakescope};
use serde_json::Value;

fn invictus() -> String {
    common::real("invictus-aws").display().to_string()
}

#[test]
fn actors_json_has_the_documented_keys_and_utc_times() {
    let lake = invictus();
    let v = json(&lakescope(&["--lake", &lake, "--format", "json", "actors"]));
    let rows = v.as_array().expect("an array");
    assert_eq!(rows.len(), 21);
    let first = rows[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "arn",
            "type",
            "account",
            "events",
            "errors",
            "first_seen",
            "last_seen",
            "ip_count"
        ]
    );
    assert_eq!(first["arn"], "arn:aws:iam::123837392027:user/bert-jan");
    assert_eq!(
        first["first_seen"].as_str().unwrap().len(),
        "2023-07-10T11:42:18Z".len()
    );
    assert!(first["first_seen"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn fuzzy_search_ranks_matches_and_drops_the_rest() {
    let lake = invictus();
    let v = json(&lakescope(&[
        "--lake",
        &lake,
        "--format",
        "json",
        "actors",
        "--search",
        "stratus steal",
    ]));
    let arns: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["arn"].as_str().unwrap())
        .collect();
    assert!(!arns.is_empty());
    assert!(
        arns[0].contains("stratus-red-team-ec2-steal-credentials-role"),
        "{arns:?}"
    );
    assert!(arns.iter().all(|a| a.contains("stratus")), "{arns:?}");
}

#[test]
fn dossier_and_reverse_pivots_agree() {
    let lake = invictus();
    let arn = "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed";
    let d = json(&lakescope(&["--lake", &lake, "--format", "json", "actor", arn]));
    assert_eq!(d["events"], 15);
    for key in ["sessions", "access_keys", "source_ips", "resources", "operations"] {
        assert!(d[key].is_array(), "{key} missing in {d}");
    }
    let session = &d["sessions"][0];
    assert_eq!(session["relation"], "own");
    assert_eq!(
        session["issuer"],
        "arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role"
    );
    // Back from each of the actor's keys and IPs, the actor is there.
    for key in d["access_keys"].as_array().unwrap() {
        let k = json(&lakescope(&[
            "--lake",
            &lake,
            "--format",
            "json",
            "key",
            key["id"].as_str().unwrap(),
        ]));
        assert!(k["owners"].as_array().unwrap().iter().any(|o| o["arn"] == arn), "{k}");
        assert_eq!(k["events"], key["events"]);
    }
    for ip in d["source_ips"].as_array().unwrap() {
        let r = json(&lakescope(&[
            "--lake",
            &lake,
            "--format",
            "json",
            "ip",
            ip["ip"].as_str().unwrap(),
        ]));
        let me = r["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["arn"] == arn)
            .expect("actor seen from its IP");
        assert_eq!(me["events"], ip["events"]);
    }
}

#[test]
fn quotes_and_sql_in_user_values_are_data() {
    let lake = invictus();
    let out = lakescope(&["--lake", &lake, "actor", "arn:aws:iam::123837392027:user/o'brien"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no events of actor"), "{err}");
    let v = json(&lakescope(&[
        "--lake",
        &lake,
        "--format",
        "json",
        "events",
        "--actor",
        "x' OR '1'='1",
    ]));
    assert_eq!(v, Value::Array(vec![]));
    let v = json(&lakescope(&[
        "--lake",
        &lake,
        "--format",
        "json",
        "resource",
        "'); DROP TABLE ev; --",
    ]));
    assert_eq!(v["events"], 0);
}

#[test]
fn exit_codes_distinguish_usage_errors_from_failures() {
    assert_eq!(lakescope(&["actors", "--no-such-flag"]).status.code(), Some(2));
    let out = lakescope(&["--lake", "/nonexistent/lake", "actors"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/lake"));
    let lake = invictus();
    let out = lakescope(&["--lake", &lake, "--from", "last tuesday", "actors"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("last tuesday"));
}

#[test]
fn csv_and_table_formats() {
    let lake = invictus();
    let out = lakescope(&["--lake", &lake, "--format", "csv", "events", "--limit", "3"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "time,account,region,actor,actor_type,access_key,source_ip,service,operation,error_code,event_id,source,file"
        )
    );
    assert_eq!(lines.count(), 3);
    let out = lakescope(&["--lake", &lake, "sources"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("SOURCE      FILES"), "{text}");
    assert!(text.contains("2900"));
}

#[test]
fn time_scope_narrows_results() {
    let lake = invictus();
    let v = json(&lakescope(&[
        "--lake",
        &lake,
        "--format",
        "json",
        "--from",
        "2023-07-10T12:00:00Z",
        "--to",
        "2023-07-10T12:10:00Z",
        "events",
        "--limit",
        "100000",
    ]));
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() < 2900);
    for row in rows {
        let t = row["time"].as_str().unwrap();
        assert!(("2023-07-10T12:00:00Z".."2023-07-10T12:10:00Z").contains(&t), "{t}");
    }
}

#[test]
fn relative_times_count_back_from_now() {
    // The demo lake is from 2024: a scope reaching back 100,000 days holds
    // all of it, one reaching back two hours none of it.
    let events = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("summary");
        json(&lakescope(&all))["events"].as_u64().unwrap()
    };
    let whole = events(&[]);
    assert!(whole > 1000);
    assert_eq!(events(&["--from", "100000d", "--to", "now"]), whole);
    assert_eq!(events(&["--from", "-2400000h"]), whole);
    let none = json(&lakescope(&["--format", "json", "--from", "2h", "actors"]));
    assert_eq!(none, serde_json::json!([]));
    let out = lakescope(&["--from", "2y", "actors"]);
    assert!(!out.status.success(), "a unit that is not one is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("a time before now (30m, 2h, 7d, 2w)"));
}

#[test]
fn ndjson_and_raw_records_pipe_into_jq_style_tools() {
    // Flat rows, one compact object a line.
    let out = lakescope(&["--format", "ndjson", "events", "--limit", "5"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 5);
    let flat = json(&lakescope(&["--format", "json", "events", "--limit", "5"]));
    assert_eq!(Value::Array(rows.clone()), flat);
    // --raw: each event's original record, in the same order.
    let out = lakescope(&["--format", "ndjson", "events", "--limit", "5", "--raw"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let raw: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(raw.len(), 5);
    for (record, row) in raw.iter().zip(&rows) {
        let id = record["eventID"].as_str().or(record["metadata"]["uid"].as_str());
        assert_eq!(id, row["event_id"].as_str(), "{record}");
    }
    // A report is one object, one line.
    let out = lakescope(&["--format", "ndjson", "summary"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
}

#[test]
fn completions_are_generated() {
    let out = lakescope(&["completions", "bash"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("lakescope"));
    for shell in ["zsh", "fish"] {
        let out = lakescope(&["completions", shell]);
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("hunt"));
    }
}

#[test]
fn manual_pages_are_generated() {
    let out = lakescope(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH lakescope 1") && page.contains("hunt"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let out = lakescope(&["man", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    for page in ["lakescope.1", "lakescope-actors.1", "lakescope-cache-clean.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
}
