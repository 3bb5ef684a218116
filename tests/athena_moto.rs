//! `--engine athena` against moto's Athena server on loopback, as the
//! issue asks: a query moto holds queued, then running, then succeeded,
//! answered with the rows moto was given; one cancelled in moto, or by
//! Ctrl-C. (Failures and several result pages, which moto cannot script,
//! are in `tests/athena_run.rs` against our own fake.) With moto's S3: the
//! cost guard's measure and bringing an answer's partitions home.

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

/// moto's S3 holding the demo lake's Security Lake sources, as a Security
/// Lake bucket does, and moto's Athena answering with `results` in order.
fn lake_bucket(results: Vec<Value>) -> (Moto, tempfile::TempDir, std::path::PathBuf) {
    let moto = Moto::start();
    moto.create_bucket("sl-bucket");
    moto.upload_dir("sl-bucket", "aws/", &common::demo().join("aws"));
    moto_api(
        &moto,
        "/moto-api/static/athena/query-results",
        &json!({"region": "us-east-1", "results": results}),
    );
    let (work, dest) = sync_support::workspace();
    (moto, work, dest)
}

/// A moto query result: the header row, then `rows`.
fn result(names: &[&str], rows: &[&[&str]]) -> Value {
    let data = |values: &[&str]| json!({"Data": values.iter().map(|v| json!({"VarCharValue": v})).collect::<Vec<_>>()});
    let mut all = vec![data(names)];
    all.extend(rows.iter().map(|r| data(r)));
    json!({"rows": all, "column_info": names.iter().map(|n| json!({"Name": n, "Type": "varchar"})).collect::<Vec<_>>()})
}

fn athena_in(moto: &Moto, home: &std::path::Path) -> Command {
    let mut command = sync_support::lakescope(home);
    command.env("AWS_ENDPOINT_URL", &moto.endpoint).args([
        "--engine",
        "athena",
        "--output",
        "s3://athena-results/lakescope/",
        "--lake-bucket",
        "s3://sl-bucket/",
        "--format",
        "json",
    ]);
    command
}

/// The demo's CloudTrail parquet bytes in `days` (both versions).
fn demo_bytes(days: &[&str]) -> u64 {
    sync_support::tree(&common::demo().join("aws/CLOUD_TRAIL_MGMT"))
        .iter()
        .filter(|(k, _)| days.iter().any(|d| k.contains(&format!("/eventDay={d}/"))))
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum()
}

#[test]
fn the_partitions_in_scope_are_measured_first_and_a_large_scan_is_refused() {
    let (moto, work, _) = lake_bucket(vec![result(&["time_ms"], &[&["1"]])]);
    let out = athena_in(&moto, work.path())
        .args(["--max-scan", "1KB", "--from", "2024-05-05", "--to", "2024-05-05"])
        .args(["events", "--ip", "203.0.113.66"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // A day either side, as the statement's partition predicates: 2024-05-04 to 06.
    let held = demo_bytes(&["20240504", "20240505", "20240506"]);
    assert!(stderr.contains("more than --max-scan 1KB"), "{stderr}");
    assert!(!stderr.contains("athena: query"), "a query was sent: {stderr}");
    // Within the limit it runs, and the JSON says what was measured.
    let out = athena_in(&moto, work.path())
        .args([
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "--account",
            "111122223333",
        ])
        .args(["events", "--ip", "203.0.113.66"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let in_account: u64 = sync_support::tree(&common::demo().join("aws/CLOUD_TRAIL_MGMT"))
        .iter()
        .filter(|(k, _)| k.contains("/accountId=111122223333/"))
        .filter(|(k, _)| ["20240504", "20240505", "20240506"].iter().any(|d| k.contains(d)))
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(in_account > 0 && in_account < held);
    assert_eq!(answer["estimate"]["bytes"], in_account, "{answer:#}");
    assert!(stderr.contains("the partitions in scope hold"), "{stderr}");
}

#[test]
fn an_answer_brings_home_the_partitions_it_touched() {
    let events = result(&["time_ms", "event_uid"], &[&["1714875187000", "aadd097a"]]);
    let touched = result(
        &["account", "region", "event_day"],
        &[
            &["111122223333", "us-east-1", "20240504"],
            &["111122223333", "us-east-1", "20240505"],
            &["444455556666", "us-east-1", "20240505"],
        ],
    );
    let (moto, work, dest) = lake_bucket(vec![events, touched]);
    let out = athena_in(&moto, work.path())
        .arg("--sync-into")
        .arg(&dest)
        .args([
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "events",
            "--ip",
            "203.0.113.66",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["rows"][0]["event_uid"], "aadd097a");
    assert_eq!(
        answer["synced"]["partitions"].as_array().unwrap().len(),
        3,
        "{answer:#}"
    );
    assert!(
        answer["synced"]["athena"]["query_id"].is_string(),
        "the partitions query is reported"
    );
    // Exactly those partitions, of both versions, byte for byte (with the
    // 2.0 table's Iceberg metadata, as `lakescope sync` brings it).
    let want: Vec<String> = sync_support::tree(&common::demo())
        .into_keys()
        .filter(|k| k.starts_with("aws/CLOUD_TRAIL_MGMT/"))
        .filter(|k| {
            k.starts_with("aws/CLOUD_TRAIL_MGMT/2.0/metadata/")
                || (k.contains("/region=us-east-1/")
                    && !k.contains("/accountId=012345678901/")
                    && (k.contains("/accountId=111122223333/eventDay=20240504/") || k.contains("/eventDay=20240505/")))
        })
        .collect();
    assert!(want.iter().any(|k| k.contains("/1.0/")) && want.iter().any(|k| k.contains("/2.0/")));
    let got: Vec<String> = sync_support::tree(&dest).into_keys().collect();
    assert_eq!(got, want);
    sync_support::assert_same_bytes(&dest, &common::demo());
    sync_support::assert_verified(work.path(), &dest);
    // The slice answers offline.
    let local = sync_support::lakescope(work.path())
        .env("LAKESCOPE_CACHE_DIR", work.path().join("cache"))
        .arg("--lake")
        .arg(&dest)
        .args(["--format", "json", "events", "--ip", "203.0.113.66"])
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", String::from_utf8_lossy(&local.stderr));
    let rows: Value = serde_json::from_slice(&local.stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["event_id"] == "aadd097a-5dd7-43c2-ad43-dda1a06cf315")
    );
}

/// `B` on a workbench page answered by Athena: the `:` line proposes
/// `--sync-into`, Enter asks Athena which partitions hold the page's
/// events and syncs exactly those, indexed, while the workbench goes on.
#[test]
fn b_on_a_workbench_page_brings_its_slice_home() {
    let actors = result(
        &[
            "arn", "type", "account", "events", "errors", "first_ms", "last_ms", "ips",
        ],
        &[&[
            "arn:aws:iam::111122223333:user/only-on-athena",
            "IAMUser",
            "111122223333",
            "25",
            "12",
            "1714875187000",
            "1714875615000",
            "1",
        ]],
    );
    let touched = result(
        &["account", "region", "event_day"],
        &[&["111122223333", "us-east-1", "20240504"]],
    );
    let (moto, work, dest) = lake_bucket(vec![actors, touched]);
    let command = format!(
        "env -u AWS_PROFILE AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
         AWS_EC2_METADATA_DISABLED=true {} --lake {} --engine athena --output s3://athena-results/lakescope/ \
         --lake-bucket s3://sl-bucket/ --sync-into {} --from 2024-05-05 --to 2024-05-05",
        moto.endpoint,
        env!("CARGO_BIN_EXE_lakescope"),
        common::demo().display(),
        dest.display()
    );
    let tmux = common::tmux::Tmux::start("athena-sync-back", 200, 40, &command);
    tmux.wait_for("user/only-on-athena");
    tmux.send(&["B"]);
    tmux.wait_for(&format!(":sync-back {}", dest.display()));
    tmux.send(&["Enter"]);
    tmux.wait_for(&format!(
        "athena: synced and indexed 1 partition(s) into {}",
        dest.display()
    ));
    // That partition of both versions, byte for byte, and nothing else.
    let want: Vec<String> = sync_support::tree(&common::demo())
        .into_keys()
        .filter(|k| {
            k.starts_with("aws/CLOUD_TRAIL_MGMT/2.0/metadata/")
                || (k.starts_with("aws/CLOUD_TRAIL_MGMT/")
                    && k.contains("/region=us-east-1/accountId=111122223333/eventDay=20240504/"))
        })
        .collect();
    assert!(want.iter().any(|k| k.contains("/1.0/")) && want.iter().any(|k| k.contains("/2.0/")));
    let got: Vec<String> = sync_support::tree(&dest).into_keys().collect();
    assert_eq!(got, want);
    sync_support::assert_same_bytes(&dest, &common::demo());
    sync_support::assert_verified(work.path(), &dest);
    // The workbench went on meanwhile and still answers keys.
    tmux.send(&["q"]);
    tmux.assert_restored();
}

/// `flows` on Athena reads the VPC_FLOW source: the cost guard measures
/// its partitions, and `--sync-into` brings home that source's partitions.
#[test]
fn flows_are_measured_and_brought_home_from_the_vpc_flow_source() {
    let conversations = result(
        &["ip", "peer", "port", "flows"],
        &[&["203.0.113.66", "10.20.1.15", "22", "1"]],
    );
    let touched = result(
        &["account", "region", "event_day"],
        &[&["444455556666", "us-east-1", "20240505"]],
    );
    let (moto, work, dest) = lake_bucket(vec![conversations, touched]);
    let out = athena_in(&moto, work.path())
        .arg("--sync-into")
        .arg(&dest)
        .args([
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "flows",
            "--ip",
            "203.0.113.66",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["rows"][0]["peer"], "10.20.1.15");
    // The measure is the VPC flow partitions' (a day either side), not CloudTrail's.
    let days = ["20240504", "20240505", "20240506"];
    let flow_bytes: u64 = sync_support::tree(&common::demo().join("aws/VPC_FLOW"))
        .iter()
        .filter(|(k, _)| k.contains("/region=") && days.iter().any(|d| k.contains(&format!("/eventDay={d}/"))))
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(answer["estimate"]["bytes"], flow_bytes, "{answer:#}");
    let want: Vec<String> = sync_support::tree(&common::demo())
        .into_keys()
        .filter(|k| {
            k.starts_with("aws/VPC_FLOW/")
                && (k.contains("/metadata/")
                    || k.contains("/region=us-east-1/accountId=444455556666/eventDay=20240505/"))
        })
        .collect();
    assert!(want.iter().any(|k| k.contains("/eventDay=20240505/")));
    let got: Vec<String> = sync_support::tree(&dest).into_keys().collect();
    assert_eq!(got, want);
    sync_support::assert_same_bytes(&dest, &common::demo());
}

/// moto's Athena, through boto3 (installed with moto): `action` on the
/// only query execution there is ("id", "stop" or "state"), once one is.
fn moto_execution(moto: &Moto, action: &str) -> String {
    let script = r#"
import sys, time, boto3
client = boto3.client("athena", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
deadline = time.time() + 20
while not client.list_query_executions()["QueryExecutionIds"]:
    if time.time() > deadline:
        sys.exit("no query execution in moto")
    time.sleep(0.05)
qid = client.list_query_executions()["QueryExecutionIds"][0]
if sys.argv[2] == "stop":
    client.stop_query_execution(QueryExecutionId=qid)
if sys.argv[2] == "state":
    print(client.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"])
else:
    print(qid)
"#;
    let out = Command::new("python3")
        .args(["-c", script, &moto.endpoint, action])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("python3 runs boto3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A query moto holds queued until it is stopped.
fn held_query(moto: &Moto) -> std::process::Child {
    moto.create_bucket("sl-bucket");
    moto_api(
        moto,
        "/moto-api/state-manager/set-transition",
        &json!({"model_name": "athena::execution", "transition": {"progression": "manual", "times": 100000}}),
    );
    let home = tempfile::tempdir().unwrap();
    let mut command = athena_in(moto, home.path());
    command
        .args(["--from", "2024-05-05", "--to", "2024-05-05", "actors"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    command.spawn().unwrap()
}

/// A query cancelled on Athena by someone else (the console, a colleague)
/// ends lakescope's wait with that said, against moto's own cancel.
#[test]
fn a_query_cancelled_on_moto_is_reported_as_cancelled() {
    let moto = Moto::start();
    let child = held_query(&moto);
    moto_execution(&moto, "stop");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("was cancelled on Athena"), "{stderr}");
}

/// Ctrl-C while moto holds the query: lakescope stops it on moto's Athena
/// (its state becomes CANCELLED) rather than leaving it running.
#[test]
fn ctrl_c_cancels_the_query_on_moto() {
    let moto = Moto::start();
    let mut child = held_query(&moto);
    let id = moto_execution(&moto, "id");
    assert!(!id.is_empty());
    assert_eq!(moto_execution(&moto, "state"), "QUEUED");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(!child.wait().unwrap().success());
    assert_eq!(moto_execution(&moto, "state"), "CANCELLED");
}
