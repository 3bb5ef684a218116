//! Inputs of real evidence copies that are neither logs nor damaged logs:
//! links (a loop, one leaving the lake, one to nothing), a FIFO named like
//! a trail file, an empty partition folder, empty files, names that are not
//! UTF-8 or hold a newline and an escape sequence, a Security Lake folder of
//! an unknown source version, a file that goes away or grows after listing. Each is
//! named with its reason, every other event is answered, and the lake
//! stays byte-identical.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use lakescope::lake::{EventCriteria, Lake, Page, Scope, events};
use sha2::{Digest, Sha256};

const RAW_DAY: &str = "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05/05";
const SL_DAY: &str = "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240505";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A small lake: one raw trail day and one Security Lake partition.
fn small_lake(root: &Path) {
    copy_dir(&common::demo().join(RAW_DAY), &root.join(RAW_DAY));
    copy_dir(&common::demo().join(SL_DAY), &root.join(SL_DAY));
}

fn event_ids(lake: &Lake) -> Vec<String> {
    let page = Page {
        limit: 1_000_000,
        offset: 0,
    };
    let rows = events::events(
        &lake.session().unwrap(),
        &Scope::default(),
        &EventCriteria::default(),
        page,
    )
    .unwrap();
    let mut ids: Vec<String> = rows.into_iter().filter_map(|r| r.event_id).collect();
    ids.sort();
    ids
}

/// Every regular file (links and FIFOs are not opened) with its size and hash.
fn fingerprint(dir: &Path) -> BTreeMap<PathBuf, (u64, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.path().to_path_buf(),
                (bytes.len() as u64, format!("{:x}", Sha256::digest(&bytes))),
            )
        })
        .collect()
}

fn reason_of(lake: &Lake, path: &Path) -> String {
    lake.skipped()
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.clone())
        .unwrap_or_else(|| panic!("{} not named: {:#?}", path.display(), lake.skipped()))
}

#[test]
fn links_fifos_empty_things_odd_names_and_unknown_versions_are_named_and_the_rest_answered() {
    let clean = tempfile::tempdir().unwrap();
    small_lake(clean.path());
    let expected = event_ids(&Lake::open(clean.path()).unwrap());
    assert!(expected.len() > 100, "{}", expected.len());

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap().join("lake");
    small_lake(&root);
    let (raw, sl) = (root.join(RAW_DAY), root.join(SL_DAY));
    let outside = tmp.path().canonicalize().unwrap().join("outside.gz.parquet");
    let parquet = std::fs::read_dir(&sl).unwrap().next().unwrap().unwrap().path();
    std::fs::copy(&parquet, &outside).unwrap();
    let v3 = root.join("aws/CLOUD_TRAIL_MGMT/3.0/region=us-east-1/accountId=111122223333/eventDay=20240505");
    copy_dir(&sl, &v3);

    std::os::unix::fs::symlink("..", sl.join("loop")).unwrap();
    std::os::unix::fs::symlink(&outside, sl.join("outside.gz.parquet")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.json.gz", raw.join("gone_CloudTrail.json.gz")).unwrap();
    let fifo = raw.join("fifo_CloudTrail.json.gz");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let empty_day = root.join("aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240509");
    std::fs::create_dir_all(&empty_day).unwrap();
    std::fs::write(raw.join("zero_CloudTrail.json.gz"), b"").unwrap();
    std::fs::write(sl.join("zero.gz.parquet"), b"").unwrap();
    // Two raw files moved to odd names: their events must still be read.
    let mut raw_files: Vec<PathBuf> = std::fs::read_dir(&raw)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("Z.json.gz") || p.to_string_lossy().contains("T0"))
        .collect();
    raw_files.sort();
    let latin = raw.join(OsStr::from_bytes(b"latin\xe9_CloudTrail.json.gz"));
    let escape = raw.join("new\nline\u{1b}[31m_CloudTrail.json.gz");
    std::fs::rename(&raw_files[0], &latin).unwrap();
    std::fs::rename(&raw_files[1], &escape).unwrap();
    let before = fingerprint(&root);

    let lake = Lake::open(&root).unwrap();
    assert_eq!(event_ids(&lake), expected, "every event of the copy is answered");
    assert!(reason_of(&lake, &sl.join("loop")).starts_with("symbolic link within the lake"));
    assert!(reason_of(&lake, &sl.join("outside.gz.parquet")).starts_with("symbolic link leaving the lake"));
    assert!(reason_of(&lake, &raw.join("gone_CloudTrail.json.gz")).starts_with("symbolic link to nothing"));
    assert!(reason_of(&lake, &fifo).starts_with("not a regular file"));
    assert_eq!(reason_of(&lake, &empty_day), "empty folder: nothing to read");
    let problems = lake.problems();
    for empty in [raw.join("zero_CloudTrail.json.gz"), sl.join("zero.gz.parquet")] {
        assert!(problems.iter().any(|p| p.path == empty), "{empty:?}: {problems:#?}");
    }
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let sources = lakescope::lake::catalog::sources(&lake.session().unwrap(), &Scope::default()).unwrap();
    let v3_row = sources
        .iter()
        .find(|s| s.source == "CLOUD_TRAIL_MGMT 3.0")
        .expect("the 3.0 source listed");
    assert_eq!(v3_row.searchable_as, None);
    assert!(
        v3_row
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("source version 3.0 is not one lakescope knows"),
        "{v3_row:?}"
    );

    // The CLI names them too, and its JSON carries the odd names escaped.
    let out = common::lakescope()
        .env("LAKESCOPE_CACHE_DIR", tmp.path().join("cache"))
        .args(["--format", "json", "--lake"])
        .arg(&root)
        .arg("summary")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["not_read"].as_array().unwrap().len(), 5, "{summary:#}");
    assert!(!out.stdout.contains(&0x1b), "no raw escape byte on stdout");

    // A file that goes away between listing and reading: named, the rest answered.
    let lake = Lake::open(&root).unwrap();
    let victim = raw_files[2].clone();
    let kept = std::fs::read(&victim).unwrap();
    std::fs::remove_file(&victim).unwrap();
    let answered = event_ids(&lake);
    assert!(!answered.is_empty() && answered.len() <= expected.len());
    let problems = lake.problems();
    let gone = problems
        .iter()
        .find(|p| p.path == victim)
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(!gone.problem.is_empty());
    std::fs::write(&victim, kept).unwrap();

    // A file that grows after listing (a copy still being written beside).
    let lake = Lake::open(&root).unwrap();
    let original = std::fs::read(&parquet).unwrap();
    let mut grown = original.clone();
    grown.extend_from_slice(b"more bytes arriving");
    std::fs::write(&parquet, &grown).unwrap();
    assert!(!event_ids(&lake).is_empty(), "the rest is answered");
    let problems = lake.problems();
    assert!(problems.iter().any(|p| p.path == parquet), "{problems:#?}");
    std::fs::write(&parquet, original).unwrap();

    assert_eq!(fingerprint(&root), before, "the lake changed");
}

#[test]
fn rows_of_an_ocsf_class_lakescope_does_not_read_are_counted_and_named_not_guessed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap().join("lake");
    small_lake(&root);
    let sl = root.join(SL_DAY);
    let label = "CLOUD_TRAIL_MGMT 2.0";
    let row = |lake: &Lake| {
        let sources = lakescope::lake::catalog::sources(&lake.session().unwrap(), &Scope::default()).unwrap();
        sources.into_iter().find(|s| s.source == label).unwrap()
    };
    let before = row(&Lake::open(&root).unwrap());
    assert_eq!(before.note, None);
    let expected = event_ids(&Lake::open(&root).unwrap());

    // A copy of a partition file whose rows claim OCSF class 4001 (Network Activity).
    let parquet = std::fs::read_dir(&sl).unwrap().next().unwrap().unwrap().path();
    let odd = sl.join("odd-class.gz.parquet");
    let db = duckdb::Connection::open_in_memory().unwrap();
    db.execute_batch(&format!(
        "COPY (SELECT * REPLACE (4001 AS class_uid) FROM read_parquet('{}')) TO '{}' (FORMAT parquet)",
        parquet.display(),
        odd.display()
    ))
    .unwrap();
    let rows: i64 = db
        .query_row(
            &format!("SELECT count(*) FROM read_parquet('{}')", odd.display()),
            [],
            |r| r.get(0),
        )
        .unwrap();

    let lake = Lake::open(&root).unwrap();
    let after = row(&lake);
    assert_eq!(
        after.events,
        before.events.map(|n| n + rows as u64),
        "counted once, not read as events"
    );
    let note = after.note.unwrap_or_default();
    assert!(
        note.starts_with(&format!(
            "{rows} rows of OCSF class 4001 are counted, not read as events"
        )),
        "{note}"
    );
    assert_eq!(event_ids(&lake), expected);
}
