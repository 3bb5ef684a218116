//! `lakescope hunt` as a user runs it: hits by hunt in each format, the
//! severity and id filters, the user's own hunt folder (a broken file is
//! refused by name on stderr and the others still run).

mod common;

use std::path::Path;
use std::process::Output;

use common::{json, stdout, truth};

fn hunt(dir: &Path, args: &[&str]) -> Output {
    let lake = common::demo().display().to_string();
    common::lakescope()
        .env("LAKESCOPE_HUNTS", dir)
        .args(["--lake", &lake])
        .arg("hunt")
        .args(args)
        .output()
        .expect("run lakescope")
}

fn ids(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn hits_by_hunt_with_severity_and_id_filters() {
    let none = tempfile::tempdir().unwrap();
    let all = json(&hunt(none.path(), &["--format", "json"]));
    let first = all[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "title",
            "severity",
            "tactic",
            "technique",
            "events",
            "actors",
            "first_seen",
            "last_seen"
        ]
    );
    assert_eq!(ids(&all, "id").len(), 12, "{all:#}");
    let high = json(&hunt(none.path(), &["--format", "json", "--severity", "HIGH"]));
    assert!(
        ids(&high, "severity").iter().all(|s| s == "high" || s == "critical"),
        "{high:#}"
    );
    assert_eq!(ids(&high, "id").len(), 7);
    let one = json(&hunt(
        none.path(),
        &["--format", "json", "--hunt", "bucket-made-public", "--events"],
    ));
    let planted = &truth()["intrusion"]["bucket_policy_change"]["event_id"];
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(&one[0]["event_id"], planted);
    let csv = stdout(&hunt(none.path(), &["--format", "csv", "--hunt", "root-activity"]));
    assert!(
        csv.starts_with("id,title,severity,tactic,technique,events,actors,first_seen,last_seen\n"),
        "{csv}"
    );
}

#[test]
fn mistakes_are_refused_with_the_known_values() {
    let none = tempfile::tempdir().unwrap();
    let out = hunt(none.path(), &["--hunt", "no-such-hunt"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-hunt") && err.contains("root-activity"), "{err}");
    let out = hunt(none.path(), &["--severity", "hihg"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("info, low, medium, high, critical"));
}

#[test]
fn the_users_hunts_run_beside_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ecr-token.toml"),
        r#"
id = "ecr-token"
title = "ECR token from the CI user"
tactic = "Credential Access"
technique = "T1528"
severity = "low"
description = "Our own hunt: every registry login of the CI user."

[[match]]
operations = ["GetAuthorizationToken"]
actor_matches = 'user/ci-deploy$'
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("typo.toml"), "id = \"typo\"\nseverity = \"urgent\"\n").unwrap();
    let out = hunt(dir.path(), &["--format", "json", "--hunt", "ecr-token"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typo.toml refused") && err.contains("urgent"), "{err}");
    let hits = json(&out);
    assert_eq!(ids(&hits, "id"), ["ecr-token"]);
    assert_eq!(
        hits[0]["events"], 77,
        "ci-deploy's GetAuthorizationToken calls (TRUTH.json dossier)"
    );
    let listed = json(&hunt(dir.path(), &["--list", "--format", "json"]));
    assert_eq!(ids(&listed, "id").len(), 23);
}
