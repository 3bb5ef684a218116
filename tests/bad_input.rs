//! Damaged and hostile inputs (`fixtures/bad`): every bad file is named with
//! its problem, the rest of the lake is answered, and the lake is untouched.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lakescope::lake::{EventCriteria, Lake, Page, Scope};
use lakescope::lake::{catalog, events};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn bad_lake() -> PathBuf {
    common::repo()
        .join("fixtures/bad")
        .canonicalize()
        .expect("fixtures/bad")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(bad_lake().join("EXPECTED.json")).expect("EXPECTED.json");
    serde_json::from_str(&text).unwrap()
}

/// Every file under `dir` with its size, modification time and SHA-256.
fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let meta = e.metadata().unwrap();
            let hash = format!("{:x}", Sha256::digest(&bytes));
            (e.path().to_path_buf(), (meta.len(), meta.modified().unwrap(), hash))
        })
        .collect()
}

fn all_events(lake: &Lake) -> usize {
    let page = Page {
        limit: 1_000_000,
        offset: 0,
    };
    events::events(
        &lake.session().unwrap(),
        &Scope::default(),
        &EventCriteria::default(),
        page,
    )
    .unwrap()
    .len()
}

fn check_lake(dir: &Path) {
    let exp = expected();
    let lake = Lake::open(dir).unwrap();
    assert_eq!(
        all_events(&lake) as u64,
        exp["good"]["cloudtrail_events"].as_u64().unwrap()
    );
    // Page-level damage in a column no query needed is found by a full check.
    let problems = catalog::check(&lake.session().unwrap(), &Scope::default()).unwrap();
    assert_eq!(problems, lake.problems());
    for bad in exp["bad_files"].as_array().unwrap() {
        let path = dir.join(bad["path"].as_str().unwrap());
        let p = problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("{} ({}) not reported: {problems:#?}", path.display(), bad["damage"]));
        assert!(!p.problem.is_empty());
    }
    assert_eq!(
        problems.len(),
        exp["bad_files"].as_array().unwrap().len(),
        "{problems:#?}"
    );
}

#[test]
fn bad_files_are_named_and_the_rest_is_answered_without_touching_the_lake() {
    let dir = bad_lake();
    let before = fingerprint(&dir);
    check_lake(&dir);
    assert_eq!(fingerprint(&dir), before, "the lake directory changed");
}

#[test]
fn a_read_only_copy_works_and_stays_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("bad");
    for entry in walkdir::WalkDir::new(bad_lake()) {
        let entry = entry.unwrap();
        let target = copy.join(entry.path().strip_prefix(bad_lake()).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    let set_readonly = |ro: bool| {
        for entry in walkdir::WalkDir::new(&copy).contents_first(true) {
            let path = entry.unwrap().into_path();
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            perms.set_readonly(ro);
            std::fs::set_permissions(&path, perms).unwrap();
        }
    };
    set_readonly(true);
    // Permissions do not stop root; the fingerprint (no new, changed or
    // touched file) is what proves nothing was written.
    let before = fingerprint(&copy);
    check_lake(&copy);
    assert_eq!(fingerprint(&copy), before);
    set_readonly(false);
}

#[test]
fn the_cli_names_each_bad_file_on_stderr_and_keeps_stdout_clean() {
    let dir = bad_lake();
    let out = common::lakescope()
        .args(["--lake", dir.to_str().unwrap(), "--format", "json", "actors"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON despite bad files");
    assert!(!rows.as_array().unwrap().is_empty());
    let actors_err = String::from_utf8_lossy(&out.stderr).to_string();
    // `check` reads everything, so it names every damaged file, and fails.
    let out = common::lakescope()
        .args(["--lake", dir.to_str().unwrap(), "--format", "json", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let listed: Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    assert_eq!(
        listed.as_array().unwrap().len(),
        expected()["bad_files"].as_array().unwrap().len()
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged or unreadable file(s)"));
    for bad in expected()["bad_files"].as_array().unwrap() {
        let path = dir.join(bad["path"].as_str().unwrap());
        let name = path.display().to_string();
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["path"] == name.as_str() && p["problem"].as_str().is_some_and(|m| !m.is_empty())),
            "check does not list {name}: {listed}"
        );
        // An ordinary query names every bad file it met; damage in a page no
        // query column lives on is only met by `check`.
        if bad["damage"] != "parquet_corrupt_data_page_footer_intact" {
            assert!(
                actors_err.contains(&format!("skipped {name}:")),
                "{name} missing in:\n{actors_err}"
            );
        }
    }
}

#[test]
fn escape_sequences_never_reach_the_terminal_as_bytes() {
    let dir = bad_lake();
    let sql = "SELECT user_agent, error_message, actor_name, request_json FROM ev \
               WHERE contains(user_agent, chr(27)) OR contains(error_message, chr(27)) OR contains(request_json, 'u001b')";
    let run = |format: &str| {
        let out = common::lakescope()
            .args(["--lake", dir.to_str().unwrap(), "--format", format, "sql", sql])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let table = run("table");
    assert!(
        !table.contains(&0x1b) && !table.contains(&0x07),
        "raw ESC/BEL in table output"
    );
    assert!(String::from_utf8_lossy(&table).contains("\\e["), "escaped form shown");
    for format in ["json", "ndjson"] {
        let json = String::from_utf8(run(format)).unwrap();
        // Nothing a terminal acts on: C0, DEL, C1 and bidi overrides are escapes.
        let raw: Vec<char> = json
            .chars()
            .filter(|&c| lakescope::text::is_dangerous(c) && c != '\n')
            .collect();
        assert!(raw.is_empty(), "{format}: raw {raw:?}");
        assert!(
            json.contains("\\u001b") && json.contains("\\u202e"),
            "{format} keeps the data, escaped"
        );
        let first = json.lines().next().unwrap();
        let parsed = match format {
            "json" => serde_json::from_str::<Value>(&json).unwrap(),
            _ => Value::Array(vec![serde_json::from_str(first).unwrap()]),
        };
        assert!(!parsed.as_array().unwrap().is_empty(), "the hostile records are there");
    }
}

#[test]
fn large_and_drifted_files_are_read() {
    let dir = bad_lake();
    let lake = Lake::open(&dir).unwrap();
    let session = lake.session().unwrap();
    for special in expected()["valid_special_files"].as_array().unwrap() {
        let path = dir.join(special["path"].as_str().unwrap());
        let sql = format!(
            "SELECT count(*) AS n FROM ev WHERE source_file = '{}'",
            path.display().to_string().replace('\'', "''")
        );
        let rows = events::sql(&session, &Scope::default(), &sql).unwrap();
        assert_eq!(
            rows[0]["n"],
            special["events"],
            "{}: {}",
            special["kind"],
            path.display()
        );
    }
}

/// Flows whose types drifted, findings without resources, DNS rows without
/// answers: each is named or shown for what it is, the rest is answered, and
/// the lake stays byte-identical.
#[test]
fn damaged_network_and_finding_records_are_named_and_answered() {
    use lakescope::lake::findings::{self, FindingCriteria};
    use lakescope::lake::network::{self, DnsCriteria, FlowCriteria};
    let dir = bad_lake();
    let before = fingerprint(&dir);
    let exp = expected();
    let lake = Lake::open(&dir).unwrap();
    let session = lake.session().unwrap();
    let scope = Scope::default();
    let all = Page {
        limit: 100_000,
        offset: 0,
    };
    let other = exp["other_sources"].as_array().unwrap();
    let of_kind = |kind: &str| other.iter().find(|o| o["kind"] == kind).unwrap();

    // Drifted flow types: read with casts, and named in `sources`.
    let drifted = of_kind("vpc_flow_types_drifted");
    let flows = network::flows(&session, &scope, &FlowCriteria::default(), all).unwrap();
    let file_rows: u64 = flows.iter().map(|r| r.flows).sum();
    assert!(file_rows >= drifted["rows"].as_u64().unwrap(), "{flows:?}");
    assert!(
        flows.iter().any(|r| r.bytes_out + r.bytes_in > 0),
        "drifted bytes are read"
    );
    let sources = catalog::sources(&session, &scope).unwrap();
    let vpc = sources.iter().find(|s| s.source == "VPC_FLOW 2.0").unwrap();
    let note = vpc
        .note
        .as_deref()
        .unwrap_or_else(|| panic!("drift not named: {vpc:?}"));
    for d in drifted["drift"].as_array().unwrap() {
        assert!(note.contains(d.as_str().unwrap()), "{note}");
    }
    assert!(note.contains(drifted["path"].as_str().unwrap()), "{note}");

    // Findings without resources (no column, or NULL): listed, with none.
    let listed = findings::findings(&session, &scope, &FindingCriteria::default()).unwrap();
    for kind in ["sh_findings_without_resources_column", "sh_findings_resources_null"] {
        let path = dir.join(of_kind(kind)["path"].as_str().unwrap());
        let found: Vec<_> = listed
            .iter()
            .filter(|f| f.file.as_deref() == Some(path.to_str().unwrap()))
            .collect();
        assert_eq!(found.len() as u64, of_kind(kind)["rows"].as_u64().unwrap(), "{kind}");
        assert!(found.iter().all(|f| f.resources.is_empty()));
    }

    // A DNS row without answers is still a lookup that happened.
    let dns = network::dns(&session, &scope, &DnsCriteria::default(), all).unwrap();
    assert!(dns.iter().any(|r| r.answers.is_empty()), "{dns:?}");
    assert!(dns.iter().map(|r| r.queries).sum::<u64>() > 0);

    // None of these is an unreadable file.
    for o in other {
        let path = dir.join(o["path"].as_str().unwrap());
        assert!(
            !lake.problems().iter().any(|p| p.path == path),
            "{} set aside",
            path.display()
        );
    }
    drop(session);
    drop(lake);
    assert_eq!(fingerprint(&dir), before, "the lake directory changed");
}
