//! `--engine athena` against a scripted Athena on loopback
//! (`tests/fakes/athena.py`, the JSON protocol the SDK speaks): a query
//! queued, running, then answered over several pages; one that fails with
//! Athena's message; one cancelled on Athena; Ctrl-C stopping a running
//! query on Athena; an unbounded question refused before anything is sent;
//! credentials never printed.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::athena::FakeAthena;
use serde_json::{Value, json};

const DAY: [&str; 4] = ["--from", "2024-05-05", "--to", "2024-05-05"];

fn event_columns() -> Value {
    json!([
        "time_ms",
        "account",
        "region",
        "actor_key",
        "actor_type",
        "access_key_id",
        "source_ip",
        "service",
        "operation",
        "error_code",
        "event_uid"
    ])
}

#[test]
fn a_query_queued_then_running_is_answered_over_several_pages() {
    let rows: Vec<Value> = (0..5)
        .map(|i| {
            json!([
                format!("17148672000{i:02}"),
                "111122223333",
                "us-east-1",
                "arn:aws:iam::111122223333:user/ci-deploy",
                "IAMUser",
                null,
                "203.0.113.66",
                "sts.amazonaws.com",
                "GetCallerIdentity",
                null,
                format!("e-{i}")
            ])
        })
        .collect();
    let fake = FakeAthena::start(json!({
        "states": ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"],
        "columns": event_columns(), "rows": rows, "page_size": 2, "scanned": 52_428_800
    }));
    let mut args = vec!["--format", "json"];
    args.extend(DAY);
    args.extend(["events", "--ip", "203.0.113.66"]);
    let out = fake.run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["athena"]["query_id"], "q-1");
    assert_eq!(answer["athena"]["data_scanned_bytes"], 52_428_800);
    let cost = answer["athena"]["cost_usd"].as_f64().unwrap();
    assert!((cost - 52_428_800.0 / 1e12 * 5.0).abs() < 1e-12, "{cost}");
    let got: Vec<&str> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event_uid"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["e-0", "e-1", "e-2", "e-3", "e-4"], "every page, header row once");
    assert_eq!(answer["rows"][0]["access_key_id"], Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("athena: query q-1, 50.0 MB scanned"), "{stderr}");

    let requests = fake.requests();
    let start = requests.iter().find(|r| r["target"] == "StartQueryExecution").unwrap();
    assert_eq!(start["body"]["WorkGroup"], "ir");
    assert_eq!(
        start["body"]["QueryExecutionContext"]["Database"],
        "amazon_security_lake_glue_db_us_east_1"
    );
    let sql = start["body"]["QueryString"].as_str().unwrap();
    assert!(
        sql.contains("src_ip = '203.0.113.66'") && sql.contains("time_dt >= TIMESTAMP '2024-05-05 00:00:00'"),
        "{sql}"
    );
    let polls = requests.iter().filter(|r| r["target"] == "GetQueryExecution").count();
    assert_eq!(polls, 4, "polled until it succeeded");
    assert_eq!(requests.iter().filter(|r| r["target"] == "GetQueryResults").count(), 3);
    // Table output: the same rows.
    let mut args: Vec<&str> = DAY.to_vec();
    args.extend(["events", "--ip", "203.0.113.66"]);
    let fake = FakeAthena::start(json!({"states": ["SUCCEEDED"], "columns": event_columns(),
        "rows": [["1714867200000", "111122223333", "us-east-1", "a", "IAMUser", null, "203.0.113.66", "s", "o", null, "e-9"]]}));
    let out = fake.run(&args);
    assert!(String::from_utf8_lossy(&out.stdout).contains("e-9"));
}

#[test]
fn a_failed_or_cancelled_query_says_so_with_athenas_reason() {
    let mut args: Vec<&str> = DAY.to_vec();
    args.push("actors");
    let reason =
        "TABLE_NOT_FOUND: line 3:10: Table 'awsdatacatalog.amazon_security_lake_glue_db_us_east_1.x' does not exist";
    let fake = FakeAthena::start(json!({"states": ["RUNNING", "FAILED"], "reason": reason, "columns": [], "rows": []}));
    let out = fake.run(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("query q-1 failed") && stderr.contains("TABLE_NOT_FOUND"),
        "{stderr}"
    );

    let fake = FakeAthena::start(json!({"states": ["QUEUED", "CANCELLED"], "columns": [], "rows": []}));
    let out = fake.run(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cancelled on Athena"));
}

#[test]
fn ctrl_c_stops_the_query_on_athena() {
    let fake = FakeAthena::start(json!({"states": ["RUNNING"], "columns": [], "rows": []}));
    let mut args: Vec<&str> = DAY.to_vec();
    args.push("actors");
    let mut child = fake
        .command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !fake.requests().iter().any(|r| r["target"] == "GetQueryExecution") {
        assert!(start.elapsed() < Duration::from_secs(20), "never polled");
        std::thread::sleep(Duration::from_millis(50));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(
        fake.requests()
            .iter()
            .any(|r| r["target"] == "StopQueryExecution" && r["body"]["QueryExecutionId"] == "q-1"),
        "the query was left running on Athena"
    );
}

#[test]
fn a_question_bounded_by_no_day_is_refused_before_anything_is_sent() {
    let fake = FakeAthena::start(json!({"states": ["SUCCEEDED"], "columns": [], "rows": []}));
    let out = fake.run(&["actors"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(fake.requests().is_empty());
    let out = fake.run(&["--yes", "actors"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fake.started().len(), 1);
}

/// A report is one query per section: each sent, each answered and billed,
/// the summary's fields on top and a table per section.
#[test]
fn a_report_asks_one_query_per_section() {
    let fake = FakeAthena::start(json!({
        "states": ["RUNNING", "SUCCEEDED"], "scanned": 1_048_576,
        "columns": [], "rows": [],
        "answers": [
            {"match": "AS accounts\nFROM sub", "columns": ["events", "errors", "first_ms", "last_ms", "accounts"],
             "rows": [["25", "12", "1714875187000", "1714875615000", "111122223333"]]},
            {"match": "AS arn, t.actor_type AS type", "columns": ["arn", "type", "events", "errors", "first_ms", "last_ms"],
             "rows": [["arn:aws:iam::111122223333:user/ci-deploy", "IAMUser", "25", "12", "1714875187000", "1714875615000"]]},
            {"match": "SELECT service, operation", "columns": ["service", "operation", "events", "errors"],
             "rows": [["sts.amazonaws.com", "GetCallerIdentity", "1", "0"], ["iam.amazonaws.com", "ListUsers", "1", "0"]]},
            {"match": "SELECT user_agent", "columns": ["user_agent", "events"], "rows": [["aws-cli/2.15.0", "25"]]}
        ]
    }));
    let mut args = vec!["--format", "json"];
    args.extend(DAY);
    args.extend(["ip", "203.0.113.66"]);
    let out = fake.run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["events"], "25");
    assert_eq!(answer["accounts"], "111122223333");
    assert_eq!(answer["actors"][0]["arn"], "arn:aws:iam::111122223333:user/ci-deploy");
    assert_eq!(answer["operations"].as_array().unwrap().len(), 2);
    assert_eq!(answer["user_agents"][0]["user_agent"], "aws-cli/2.15.0");
    let ids: Vec<&str> = answer["athena"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["query_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["q-1", "q-2", "q-3", "q-4"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("1.0 MB scanned").count(), 4, "{stderr}");
    let starts = fake.started();
    assert_eq!(starts.len(), 4);
    for sql in &starts {
        assert!(
            sql.contains("sub AS (SELECT * FROM ev WHERE (src_ip = '203.0.113.66' OR src_domain = '203.0.113.66'))"),
            "{sql}"
        );
        assert!(!sql.trim_end().ends_with(';'), "one statement per query: {sql}");
    }
    // As a table: the summary's fields, then each section's rows.
    let out = fake.run(&[&DAY[..], &["ip", "203.0.113.66"]].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("operations (2)") && text.contains("ListUsers"), "{text}");
}

/// `timeline --by` on Athena: the minute counts per lane (and the actor's
/// new sightings) in one answer, drawn and printed as the local timeline
/// is — in another clock too — with each query's cost beside the rows.
#[test]
fn a_timeline_with_lanes_is_drawn_from_athenas_minute_counts() {
    let actor = "arn:aws:iam::111122223333:user/ci-deploy";
    let fake = FakeAthena::start(json!({
        "states": ["SUCCEEDED"], "scanned": 1_048_576, "columns": [], "rows": [],
        "answers": [
            {"match": "% 60000) AS t", "columns": ["t", "lane", "n", "e", "first_ms", "last_ms"],
             "rows": [
                 ["1714875180000", "203.0.113.66", "7", "2", "1714875187000", "1714875230000"],
                 ["1714878000000", "198.51.100.10", "3", "0", "1714878000000", "1714878010000"],
                 ["1714878060000", "203.0.113.66", "1", "1", "1714878070000", "1714878070000"]
             ]},
            {"match": "AS start FROM", "columns": ["kind", "value", "time_ms"],
             "rows": [["ip", "203.0.113.66", "1714875187000"]]}
        ]
    }));
    let mut args = vec!["--format", "json"];
    args.extend(DAY);
    args.extend(["timeline", "--actor", actor, "--by", "ip", "--bucket", "1h"]);
    let out = fake.run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["athena"].as_array().unwrap().len(), 2, "{answer:#}");
    let rows = answer["rows"].as_array().unwrap();
    // 24 hours of the day, two lanes each, empty buckets included.
    assert_eq!(rows.len(), 48, "{answer:#}");
    let count = |start: &str, lane: &str| {
        rows.iter()
            .find(|r| r["start"] == start && r["lane"] == lane)
            .map(|r| (r["events"].as_u64().unwrap(), r["errors"].as_u64().unwrap()))
    };
    assert_eq!(count("2024-05-05T02:00:00Z", "203.0.113.66"), Some((7, 2)));
    assert_eq!(count("2024-05-05T03:00:00Z", "203.0.113.66"), Some((1, 1)));
    assert_eq!(count("2024-05-05T03:00:00Z", "198.51.100.10"), Some((3, 0)));
    assert_eq!(count("2024-05-05T04:00:00Z", "198.51.100.10"), Some((0, 0)));
    let started = fake.started();
    assert!(started[0].contains("coalesce(CAST((coalesce(src_ip, src_domain)) AS varchar), '(none)') AS lane"));
    assert!(started[1].contains("AS start FROM"), "{}", started[1]);

    // The table, in another clock: the same lanes, the new IP marked.
    let mut args = DAY.to_vec();
    args.extend([
        "timeline", "--tz", "+02:00", "--actor", actor, "--by", "ip", "--bucket", "1h",
    ]);
    let out = fake.run(&args);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        table.contains("203.0.113.66") && table.contains("198.51.100.10"),
        "{table}"
    );
    assert!(table.contains("+02:00"), "{table}");
    assert!(
        table.contains("first seen: ip 203.0.113.66 at 2024-05-05T04:13+02:00"),
        "{table}"
    );
}
