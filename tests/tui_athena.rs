//! The workbench on Athena (`lakescope --engine athena`) in a real terminal,
//! against the scripted Athena on loopback: pages with an Athena form are
//! answered by it (rows only the fake knows appear), the status line says
//! each answer's queries and cost, the cost guard refuses a question with
//! no day bound until `:athena yes`, and Esc stops the query on Athena.

mod common;

use std::time::{Duration, Instant};

use common::athena::{FakeAthena, SECRET};
use common::tmux::Tmux;
use serde_json::json;

fn workbench(fake: &FakeAthena, name: &str, scope: &str) -> Tmux {
    let command = format!(
        "{} {} --lake {} --engine athena --workgroup ir {scope}",
        fake.env_line(),
        env!("CARGO_BIN_EXE_lakescope"),
        common::demo().display()
    );
    Tmux::start(name, 150, 40, &command)
}

fn scenario() -> serde_json::Value {
    let seen = ["1714875187000", "1714875615000"];
    json!({
        "states": ["RUNNING", "SUCCEEDED"], "scanned": 3_145_728, "columns": [], "rows": [],
        "answers": [
            {"match": "count(DISTINCT src_ip) AS ips", "columns": ["arn", "type", "account", "events", "errors", "first_ms", "last_ms", "ips"],
             "rows": [["arn:aws:iam::111122223333:user/only-on-athena", "IAMUser", "111122223333", "25", "12", seen[0], seen[1], "1"]]},
            {"match": "AS accounts\nFROM sub", "columns": ["events", "errors", "first_ms", "last_ms", "accounts"],
             "rows": [["25", "12", seen[0], seen[1], "111122223333"]]},
            {"match": "AS arn, t.actor_type AS type", "columns": ["arn", "type", "events", "errors", "first_ms", "last_ms"],
             "rows": [["arn:aws:iam::111122223333:user/only-on-athena", "IAMUser", "25", "12", seen[0], seen[1]]]},
            {"match": "SELECT service, operation", "columns": ["service", "operation", "events", "errors"],
             "rows": [["sts.amazonaws.com", "GetCallerIdentity", "25", "12"]]},
            {"match": "SELECT user_agent", "columns": ["user_agent", "events"], "rows": [["athena-agent/1.0", "25"]]},
            {"match": "% 60000) AS t", "columns": ["t", "lane", "n", "e", "first_ms", "last_ms"],
             "rows": [["1714875180000", "arn:aws:iam::111122223333:user/only-on-athena", "7", "2", seen[0], "1714875230000"]]}
        ]
    })
}

#[test]
fn the_workbench_asks_athena_and_says_what_each_answer_cost() {
    let fake = FakeAthena::start(scenario());
    let tmux = workbench(&fake, "athena-pages", "--from 2024-05-05 --to 2024-05-05");
    tmux.wait_for("│ athena: amazon_security_lake_glue_db_us_east_1");
    tmux.wait_for("user/only-on-athena");
    tmux.wait_for("athena: query q-1, 3.0 MB scanned, $0.0001 at the list price");
    // An IP report: one query per section, each answered.
    tmux.send(&[":ip 203.0.113.66", "Enter"]);
    tmux.wait_for("athena-agent/1.0");
    tmux.wait_for("athena: 4 queries q-2 … q-5, 12.0 MB scanned");
    // The network and findings tables are one key away, not asked with it.
    tmux.wait_for("f its flows, :findings names=203.0.113.66");
    // The IP's timeline (lanes by actor), drawn from Athena's minute counts.
    tmux.send(&["t"]);
    let screen = tmux.wait_for("athena: query q-6");
    assert!(
        screen.contains("7 max") && screen.contains("only-on-athena"),
        "{screen}"
    );
    assert!(!screen.contains(SECRET));
    let started = fake.started();
    assert_eq!(started.len(), 6, "one query per page or section, none twice");
    assert!(
        started
            .iter()
            .all(|sql| sql.contains("time_dt >= TIMESTAMP '2024-05-05 00:00:00'"))
    );
    assert!(
        started[5].contains("coalesce(CAST((actor_key) AS varchar), '(none)') AS lane"),
        "{}",
        started[5]
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn no_day_bound_is_refused_until_allowed_and_esc_stops_the_query_on_athena() {
    let fake = FakeAthena::start(json!({"states": ["RUNNING"], "columns": [], "rows": []}));
    let tmux = workbench(&fake, "athena-guard", "");
    tmux.wait_for("not sent: the scope is bounded by no day");
    assert!(fake.requests().is_empty(), "a query was sent");
    tmux.send(&[":athena yes", "Enter"]);
    tmux.wait_for("listing actors on Athena");
    let start = Instant::now();
    while !fake.requests().iter().any(|r| r["target"] == "GetQueryExecution") {
        assert!(start.elapsed() < Duration::from_secs(20), "never polled");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.send(&["Escape"]);
    tmux.wait_for("query cancelled");
    let start = Instant::now();
    while !fake.requests().iter().any(|r| r["target"] == "StopQueryExecution") {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the query was left running on Athena"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.send(&["q"]);
    tmux.assert_restored();
}

/// An actor's dossier on Athena lists what it used first after its first
/// day (the `new_sightings` section), and its timeline marks them (▼),
/// asked beside the minute counts in one answer.
#[test]
fn an_actors_new_sightings_come_from_athena_too() {
    let arn = "arn:aws:iam::111122223333:user/only-on-athena";
    let seen = ["1714875187000", "1714875615000"];
    let fake = FakeAthena::start(json!({
        "states": ["SUCCEEDED"], "scanned": 1_048_576, "columns": [], "rows": [],
        "answers": [
            {"match": "AS type\nFROM sub", "columns": ["events", "errors", "first_ms", "last_ms", "accounts", "type"],
             "rows": [["25", "12", seen[0], seen[1], "111122223333", "IAMUser"]]},
            {"match": "AS start FROM", "columns": ["kind", "value", "time_ms"],
             "rows": [["ip", "198.51.100.250", "1714875300000"]]},
            {"match": "% 60000) AS t", "columns": ["t", "lane", "n", "e", "first_ms", "last_ms"],
             "rows": [["1714875300000", "198.51.100.250", "7", "2", "1714875300000", "1714875330000"]]}
        ]
    }));
    let tmux = workbench(&fake, "athena-sightings", "--from 2024-05-05 --to 2024-05-05");
    tmux.wait_for("athena: query q-1");
    tmux.send(&[&format!(":actor {arn}"), "Enter"]);
    tmux.wait_for("New since its first day (1)");
    tmux.wait_for("198.51.100.250");
    tmux.send(&["t"]);
    let screen = tmux.wait_for("athena: 2 queries");
    let marks = screen
        .lines()
        .find(|l| l.trim_start().starts_with("new:"))
        .unwrap_or_else(|| panic!("no new: row\n{screen}"));
    assert!(marks.contains('▼'), "{screen}");
    let started = fake.started();
    let last = &started[started.len() - 1];
    assert!(
        last.contains("AS start FROM") && last.contains("actor_key = 'arn:aws:iam::111122223333:user/only-on-athena'"),
        "{last}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
}

/// The flows page on Athena: `:flows ip=…` asks the VPC_FLOW tables and
/// shows Athena's conversations.
#[test]
fn the_flows_page_asks_athena() {
    let fake = FakeAthena::start(json!({
        "states": ["SUCCEEDED"], "scanned": 5_242_880, "columns": [], "rows": [],
        "answers": [
            {"match": "AS subject_first_ms", "columns": ["ip", "peer", "port", "protocol", "outbound", "bytes_out", "bytes_in",
                "packets_out", "packets_in", "flows", "accepted", "rejected", "first_ms", "last_ms", "enis", "instances", "subject_first_ms"],
             "rows": [["203.0.113.66", "10.99.0.7", "22", "6", "true", "4810", null, "24", null, "3", "3", "0",
                       "1714876571000", "1714876630000", "eni-0athena", "i-0athena", "1714876571000"]]}
        ]
    }));
    let tmux = workbench(&fake, "athena-flows", "--from 2024-05-05 --to 2024-05-05");
    tmux.wait_for("athena: query q-1");
    tmux.send(&[":flows ip=203.0.113.66", "Enter"]);
    let screen = tmux.wait_for("athena: query q-2");
    assert!(screen.contains("10.99.0.7") && screen.contains("3/0"), "{screen}");
    let sql = fake.started().pop().unwrap();
    assert!(
        sql.contains("vpc_flow_2_0") && sql.contains("src_ip = '203.0.113.66'"),
        "{sql}"
    );
    // Without the bucket behind the tables there is nothing to sync from.
    tmux.send(&["B"]);
    tmux.wait_for("sync back needs --lake-bucket");
    tmux.send(&["q"]);
    tmux.assert_restored();
}

/// A hostname's page on Athena (`:dns NAME`): its resolutions and askers
/// from the ROUTE53 tables, two queries in one answer.
#[test]
fn a_hostnames_page_asks_athena() {
    let fake = FakeAthena::start(json!({
        "states": ["SUCCEEDED"], "scanned": 2_097_152, "columns": [], "rows": [],
        "answers": [
            {"match": "GROUP BY hostname, qtype, rcode", "columns": ["hostname", "qtype", "rcode", "answers", "askers", "queries",
                "first_ms", "last_ms", "subject_first_ms"],
             "rows": [["exfil.example.net", "A", "NoError", "192.0.2.250", "10.20.1.15", "4",
                       "1714876571000", "1714876630000", "1714876571000"]]},
            {"match": "min(instance) AS instance", "columns": ["ip", "instance", "vpc", "account", "queries", "first_ms", "last_ms"],
             "rows": [["10.20.1.15", "i-0athena", "vpc-0athena", "444455556666", "4", "1714876571000", "1714876630000"]]}
        ]
    }));
    let tmux = workbench(&fake, "athena-dns", "--from 2024-05-05 --to 2024-05-05");
    tmux.wait_for("athena: query q-1");
    tmux.send(&[":dns exfil.example.net", "Enter"]);
    let screen = tmux.wait_for("athena: 2 queries q-2 … q-3");
    assert!(
        screen.contains("192.0.2.250") && screen.contains("i-0athena"),
        "{screen}"
    );
    let started = fake.started();
    assert!(started[1].contains("route53_2_0") && started[1].contains("hostname = 'exfil.example.net'"));
    tmux.send(&["q"]);
    tmux.assert_restored();
}

/// The findings page on Athena (`F`): the SH_FINDINGS tables' latest
/// records, most severe first.
#[test]
fn the_findings_page_asks_athena() {
    let fake = FakeAthena::start(json!({
        "states": ["SUCCEEDED"], "scanned": 1_048_576, "columns": [], "rows": [],
        "answers": [
            {"match": "PARTITION BY finding_uid", "columns": ["finding_uid", "time_ms", "account", "region", "product", "class_name",
                "finding_type", "title", "severity", "severity_id", "status", "resource_uids", "resource_types", "ips",
                "access_keys", "actors", "records", "source_kind", "source_path"],
             "rows": [["f-athena-1", "1714876571000", "444455556666", "us-east-1", "GuardDuty", "Detection Finding",
                       "UnauthorizedAccess:EC2/SSHBruteForce", "Only on Athena: SSH brute force", "High", "4", "New",
                       "i-0athena", "AwsEc2Instance", "203.0.113.66", null, null, "2", "SH_FINDINGS 2.0", "s3://lake/x.parquet"]]}
        ]
    }));
    let tmux = workbench(&fake, "athena-findings", "--from 2024-05-05 --to 2024-05-05");
    tmux.wait_for("athena: query q-1");
    tmux.send(&["F"]);
    let screen = tmux.wait_for("athena: query q-2");
    assert!(screen.contains("Only on Athena: SSH brute force"), "{screen}");
    assert!(fake.started()[1].contains("sh_findings_2_0"));
    tmux.send(&["q"]);
    tmux.assert_restored();
}
