//! `--engine athena` against moto's Athena server on loopback, as the
//! issue asks: a query moto holds queued, then running, then succeeded,
//! answered with the rows moto was given. (Failures, cancellations and
//! several result pages, which moto cannot script, are in
//! `tests/athena_run.rs` against our own fake.)

mod common;
mod sync_support;

use std::process::Command;

use serde_json::{Value, json};
use sync_support::Moto;

/// POST `body` to moto's own API at `path`.
fn moto_api(moto: &Moto, path: &str, body: &Value) {
    let script = "import sys, urllib.request\n\
                  req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST', headers={'Content-Type': 'application/json'})\n\
                  urllib.request.urlopen(req).read()";
    let status = Command::new("python3")
        .args(["-c", script, &format!("{}{path}", moto.endpoint), &body.to_string()])
        .status()
        .expect("python3 posts to moto's API");
    assert!(status.success(), "moto API {path}");
}

#[test]
fn moto_holds_the_query_queued_then_running_and_lakescope_waits_for_its_rows() {
    let moto = Moto::start();
    // Each state holds for two polls.
    moto_api(
        &moto,
        "/moto-api/state-manager/set-transition",
        &json!({"model_name": "athena::execution", "transition": {"progression": "manual", "times": 2}}),
    );
    let column = |name: &str| json!({"Name": name, "Type": "varchar"});
    let names = [
        "arn", "type", "account", "events", "errors", "first_ms", "last_ms", "ips",
    ];
    let data = |values: &[&str]| json!({"Data": values.iter().map(|v| json!({"VarCharValue": v})).collect::<Vec<_>>()});
    let header = data(&names);
    let row = data(&[
        "arn:aws:iam::111122223333:user/ci-deploy",
        "IAMUser",
        "111122223333",
        "524",
        "59",
        "1714523273000",
        "1715126181000",
        "2",
    ]);
    moto_api(
        &moto,
        "/moto-api/static/athena/query-results",
        &json!({"region": "us-east-1", "results": [{
            "rows": [header, row],
            "column_info": names.iter().map(|n| column(n)).collect::<Vec<_>>()
        }]}),
    );
    let out = common::lakescope()
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-never-printed")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .args([
            "--engine",
            "athena",
            "--output",
            "s3://athena-results/lakescope/",
            "--format",
            "json",
        ])
        .args(["--from", "2024-05-01", "--to", "2024-05-07", "actors"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("testing-secret-never-printed"));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        answer["athena"]["query_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{answer:#}"
    );
    assert_eq!(answer["rows"].as_array().unwrap().len(), 1, "{answer:#}");
    assert_eq!(answer["rows"][0]["arn"], "arn:aws:iam::111122223333:user/ci-deploy");
    assert_eq!(answer["rows"][0]["events"], "524");
    assert!(stderr.contains("athena: query "), "{stderr}");
}
