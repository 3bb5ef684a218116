//! The case from the command line: marks with tags and notes on the demo
//! intrusion, kept per lake in the data dir, exported as Timesketch JSONL,
//! CSV and Markdown whose every event equals the lake's record and names
//! its file with the right SHA-256; a writer killed at any moment never
//! leaves a damaged case; the lake stays byte-identical.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

struct Env {
    data: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            data: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = common::lakescope();
        command
            .env("XDG_DATA_HOME", self.data.path())
            .env("LAKESCOPE_CACHE_DIR", self.cache.path())
            .arg("--lake")
            .arg(common::demo())
            .args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().unwrap();
        assert!(
            out.status.success(),
            "lakescope {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_slice(&self.run(&all).stdout).unwrap()
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// The words of a command line whose only quoting is '…' (what marks write).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => words.push(String::new()),
            c => words.last_mut().unwrap().push(c),
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

fn sha256_of(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn marks_notes_and_exports_hold_the_lakes_records() {
    let before = common::snapshot(&common::demo());
    let t = common::truth();
    let intrusion = &t["intrusion"];
    let new_ip = text(&intrusion["new_ip"]);
    let env = Env::new();

    // The intruder's first event from the new IP, the bucket-policy change,
    // the role-chain sessions and the IP itself.
    let from_ip = env.json(&["events", "--ip", new_ip]);
    let first = &from_ip[0];
    assert_eq!(text(&first["actor"]), text(&intrusion["intruder_arn"]));
    let first_id = text(&first["event_id"]).to_string();
    let policy_id = text(&intrusion["bucket_policy_change"]["event_id"]);
    env.run(&["case", "new", "intrusion"]);
    env.run(&[
        "case",
        "mark",
        "--event",
        &first_id,
        "--tag",
        "ioc",
        "--note",
        "first call from the new IP",
    ]);
    env.run(&[
        "case",
        "mark",
        "--event",
        policy_id,
        "--tag",
        "suspicious",
        "--note",
        "bucket opened to the world",
    ]);
    let sessions: Vec<&str> = intrusion["role_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| text(&s["session_arn"]))
        .collect();
    for session in &sessions {
        env.run(&["case", "mark", "--actor", session, "--tag", "suspicious"]);
    }
    let c2 = text(&t["network"]["c2"]["name"]);
    env.run(&["case", "mark", "--name", &c2.to_uppercase(), "--tag", "ioc"]);
    env.run(&["case", "mark", "--ip", new_ip, "--note", "not in the known IPs"]);
    env.run(&["case", "mark", "--ip", new_ip, "--note", "hosting provider"]);

    // An id the lake does not hold is refused, by name.
    let out = env
        .command(&["case", "mark", "--event", "no-such-event"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-event"));

    // Another lakescope run: the case is there, current, in time order.
    let cases = env.json(&["case", "list"]);
    assert_eq!(cases.as_array().unwrap().len(), 1, "{cases:#}");
    let current: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["current"] == true)
        .map(|c| text(&c["name"]))
        .collect();
    assert_eq!(current, ["intrusion"]);
    let marks = env.json(&["case", "show"]);
    let marks = marks.as_array().unwrap();
    assert_eq!(marks.len(), 4 + sessions.len(), "{marks:#?}");
    assert!(
        marks.iter().any(|m| m["kind"] == "name" && m["value"] == c2),
        "names are kept as DNS has them"
    );
    assert_eq!(text(&marks[0]["value"]), first_id, "the earliest event first");
    let ip_mark = marks.iter().find(|m| m["kind"] == "ip").unwrap();
    assert_eq!(ip_mark["notes"].as_array().unwrap().len(), 2);
    // The mark's command asks its question again and finds the event.
    let replay = text(&marks[0]["path"][0]["command"]);
    let words = shell_words(replay);
    assert_eq!(
        &words[..3],
        [
            "lakescope",
            "--lake",
            common::demo().canonicalize().unwrap().to_str().unwrap()
        ]
    );
    let again: Vec<&str> = words[3..].iter().map(String::as_str).collect();
    let found = env.json(&again);
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|e| text(&e["event_id"]) == first_id),
        "{replay}: {found:#}"
    );

    // Timesketch: the documented import fields on every line, and each
    // event equal to the lake's record.
    let lines = env.run(&["--format", "timesketch", "case", "export"]).stdout;
    let lines: Vec<Value> = String::from_utf8(lines)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        for field in ["message", "datetime", "timestamp_desc"] {
            assert!(line[field].is_string(), "{field} in {line}");
        }
        assert!(line["timestamp"].is_i64(), "{line}");
        let id = text(&line["event_id"]);
        let lake = env.json(&[
            "events",
            "--actor",
            text(&line["actor"]),
            "--operation",
            text(&line["operation"]),
        ]);
        let row = lake
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["event_id"] == id)
            .unwrap_or_else(|| panic!("{id} not among {lake:#}"));
        assert_eq!(line["actor"], row["actor"]);
        assert_eq!(line["source_ip"], row["source_ip"]);
        let time = chrono::DateTime::parse_from_rfc3339(text(&line["datetime"])).unwrap();
        let lake_time = chrono::DateTime::parse_from_rfc3339(text(&row["time"])).unwrap();
        assert_eq!(time, lake_time, "{line} vs {row}");
        assert_eq!(line["timestamp"].as_i64().unwrap(), time.timestamp_micros());
        let file = common::demo().join(text(&line["lake_file"]));
        assert_eq!(
            Path::new(text(&row["file"])).canonicalize().unwrap(),
            file.canonicalize().unwrap()
        );
        assert_eq!(text(&line["file_sha256"]), sha256_of(&file));
    }
    assert_eq!(text(&lines[1]["event_id"]), policy_id);
    assert_eq!(text(&lines[1]["case_tag"]), "suspicious");

    // CSV: one row per mark.
    let csv = env.run(&["--format", "csv", "case", "export"]).stdout;
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), marks.len());
    assert_eq!(&rows[0][0], "event");
    assert_eq!(&rows[0][1], first_id);

    // Markdown: the report, with every marked event's file, hash and record.
    let md = String::from_utf8(env.run(&["--format", "markdown", "case", "export"]).stdout).unwrap();
    for line in &lines {
        assert!(md.contains(text(&line["file_sha256"])), "{md}");
        assert!(md.contains(text(&line["lake_file"])), "{md}");
    }
    assert!(
        md.contains(&format!("\"eventID\": \"{policy_id}\"")),
        "the original record: {md}"
    );
    let c2_line = md
        .lines()
        .find(|l| l.starts_with(&format!("| name | {c2} |")))
        .unwrap_or_else(|| panic!("{md}"));
    let c2_first = text(&t["network"]["c2"]["first_seen"]).trim_end_matches('Z');
    assert!(c2_line.contains(c2_first), "{c2_line}");
    let repo = common::repo().canonicalize().unwrap();
    let shown: Vec<String> = md
        .lines()
        .map(|l| match l.starts_with("- Created:") {
            true => "- Created: [when] · exported: [when]".to_string(),
            false => l.replace(repo.to_str().unwrap(), "[repo]"),
        })
        .collect();
    insta::assert_snapshot!("case_report", shown.join("\n"));

    // The export formats are the export's alone.
    let out = env.command(&["--format", "markdown", "summary"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("case export"));

    // Renamed, the case keeps its marks; nothing was written into the lake.
    env.run(&["case", "rename", "intrusion", "ci-deploy-leak"]);
    assert_eq!(env.json(&["case", "show"]).as_array().unwrap().len(), marks.len());
    assert!(common::snapshot(&common::demo()) == before, "the lake changed");
}

/// A writer killed at any moment (before, during or after its write)
/// leaves the case as it was or with its mark, never damaged; every mark
/// of a run that finished is kept.
#[test]
fn killing_the_writer_never_damages_the_case() {
    let env = Env::new();
    env.run(&["case", "new", "kills"]);
    // How long one mark takes here, to spread the kills over it.
    let start = std::time::Instant::now();
    env.run(&["case", "mark", "--ip", "192.0.2.254"]);
    let whole = start.elapsed().as_millis() as u64;
    let mut landed = vec!["192.0.2.254".to_string()];
    let mut killed = 0;
    for round in 0..20u64 {
        let ip = format!("192.0.2.{round}");
        let mut child = env
            .command(&["case", "mark", "--ip", &ip, "--note", "written while killed"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From at once to after the write, spread over the rounds.
        std::thread::sleep(Duration::from_millis(round * whole * 3 / 2 / 20));
        let _ = child.kill();
        let status = child.wait().unwrap();
        match status.success() {
            true => landed.push(ip.clone()),
            false => killed += 1,
        }
        let marks = env.json(&["case", "show"]);
        let values: Vec<&str> = marks.as_array().unwrap().iter().map(|m| text(&m["value"])).collect();
        for ip in &landed {
            assert!(values.contains(&ip.as_str()), "round {round}: {ip} lost: {values:?}");
        }
    }
    // What a killed writer left half-written is cleared by the next one.
    let dir = env.data.path().join("lakescope/cases");
    let left: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(
        killed > 0,
        "no run was killed ({whole} ms a run): the kills came too late to test anything"
    );
}

/// A synced lake: the report compares each marked event's file with the
/// hash the sync manifest recorded when it was fetched, and says when the
/// file changed since.
#[test]
fn the_report_checks_marked_files_against_the_sync_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("synced");
    let t = common::truth();
    let policy = &t["intrusion"]["bucket_policy_change"];
    let id = text(&policy["event_id"]);
    common::copy_dir(&common::demo().join("AWSLogs"), &lake.join("AWSLogs"));
    let run = |args: &[&str]| -> Output {
        let out = common::lakescope()
            .env("XDG_DATA_HOME", tmp.path().join("data"))
            .env("LAKESCOPE_CACHE_DIR", tmp.path().join("cache"))
            .arg("--lake")
            .arg(&lake)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let rows: Value =
        serde_json::from_slice(&run(&["--format", "json", "events", "--operation", "PutBucketPolicy"]).stdout).unwrap();
    let file = rows.as_array().unwrap().iter().find(|r| r["event_id"] == id).unwrap()["file"].clone();
    let file = Path::new(text(&file)).canonicalize().unwrap();
    let relative = file
        .strip_prefix(lake.canonicalize().unwrap())
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let manifest = |sha256: &str| {
        let entry = serde_json::json!({
            "path": relative, "bucket": "org-trail", "key": relative, "size": 1, "etag": "e",
            "sha256": sha256, "fetched_at": "2024-05-06T00:00:00Z"
        });
        std::fs::create_dir_all(lake.join(".lakescope-sync")).unwrap();
        std::fs::write(lake.join(".lakescope-sync/manifest.jsonl"), format!("{entry}\n")).unwrap();
    };
    run(&["case", "mark", "--event", id]);
    manifest(&sha256_of(&file));
    let md = String::from_utf8(run(&["--format", "markdown", "case", "export"]).stdout).unwrap();
    assert!(
        md.contains("Sync manifest: the same SHA-256 recorded when it was fetched"),
        "{md}"
    );
    manifest(&"0".repeat(64));
    let md = String::from_utf8(run(&["--format", "markdown", "case", "export"]).stdout).unwrap();
    assert!(
        md.contains(&format!(
            "recorded {} when fetched — the file changed since",
            "0".repeat(64)
        )),
        "{md}"
    );
}
