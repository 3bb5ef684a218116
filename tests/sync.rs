//! `lakescope sync` and `verify` against moto's S3 server on loopback.

mod common;
mod sync_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::demo;
use sync_support::{
    BUCKET, Moto, assert_same_bytes, assert_verified, lake_files, lakescope, sync, tree, verify, workspace,
};

fn uploaded_demo(prefix: &str) -> Moto {
    let moto = Moto::start();
    moto.create_bucket(BUCKET);
    let count = moto.upload_dir(BUCKET, prefix, &demo());
    assert!(count > 1000, "the demo lake has {count} files");
    moto
}

fn fetched(summary: &str) -> u64 {
    let words: Vec<&str> = summary.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "fetched")
        .expect("summary names fetched");
    words[at - 1].parse().expect("a count before 'fetched'")
}

#[test]
fn full_sync_equals_the_lake_then_only_changes_are_fetched() {
    let moto = uploaded_demo("org/security/");
    let (work, dest) = workspace();
    let url = format!("s3://{BUCKET}/org/security");
    let summary = sync(&moto, &url, &dest, &[]);

    let want = lake_files(&demo());
    let got: Vec<String> = tree(&dest).into_keys().collect();
    assert_eq!(got, want, "the copy holds exactly the lake layouts of the demo lake");
    assert!(
        !dest.join("TRUTH.json").exists(),
        "files beside the lake layouts are not mirrored"
    );
    assert_eq!(assert_same_bytes(&dest, &demo()), want.len());
    assert_eq!(fetched(&summary), want.len() as u64, "{summary}");

    // A second run fetches nothing; a changed object is fetched again.
    assert_eq!(fetched(&sync(&moto, &url, &dest, &[])), 0);
    let key = "AWSLogs/444455556666/Config/ConfigWritabilityCheckFile";
    moto.put(BUCKET, &format!("org/security/{key}"), b"changed".to_vec());
    assert_eq!(fetched(&sync(&moto, &url, &dest, &[])), 1);
    assert_eq!(std::fs::read(dest.join(key)).expect("read"), b"changed");

    // Nothing local goes without --delete, and then only files sync fetched, within the filters.
    let gone = want
        .iter()
        .find(|k| k.starts_with("AWSLogs/444455556666/CloudTrail/"))
        .expect("a trail file");
    moto.delete(BUCKET, &format!("org/security/{gone}"));
    sync(&moto, &url, &dest, &[]);
    assert!(dest.join(gone).is_file(), "deleted without --delete");
    sync(&moto, &url, &dest, &["--delete", "--account", "012345678901"]);
    assert!(dest.join(gone).is_file(), "deleted outside the filters");
    let planted = dest.join("AWSLogs/444455556666/CloudTrail/notes.txt");
    std::fs::write(&planted, b"mine").expect("plant");
    let summary = sync(&moto, &url, &dest, &["--delete"]);
    assert!(summary.contains(" 1 deleted"), "{summary}");
    assert!(!dest.join(gone).exists(), "{summary}");
    assert!(planted.is_file(), "a file sync did not fetch was deleted");
    std::fs::remove_file(&planted).expect("unplant");

    // The synced copy opens as a lake.
    let out = lakescope(work.path())
        .arg("--lake")
        .arg(&dest)
        .args(["--format", "json", "partitions"])
        .output()
        .expect("run partitions");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_verified(work.path(), &dest);
}

/// What the filter below must select, worked out from the path text alone.
fn expected_filtered(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    let days = ["20240502", "20240503"];
    if relative.starts_with("aws/CLOUD_TRAIL_MGMT/") {
        return relative.contains("/metadata/")
            || (relative.contains("/region=us-east-1/")
                && relative.contains("/accountId=111122223333/")
                && days.iter().any(|d| relative.contains(&format!("/eventDay={d}/"))));
    }
    let date = |i: usize| parts.get(i..i + 3).map(|d| d.join(""));
    match parts.as_slice() {
        ["AWSLogs", org, "111122223333", "CloudTrail", "us-east-1", ..] if org.starts_with("o-") => {
            date(5).is_some_and(|d| days.contains(&d.as_str()))
        }
        ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", ..] => {
            date(4).is_some_and(|d| days.contains(&d.as_str()))
        }
        _ => false,
    }
}

#[test]
fn filtered_sync_fetches_only_matching_partitions() {
    let moto = uploaded_demo("");
    let (_work, dest) = workspace();
    let filters = [
        "--source",
        "CLOUD_TRAIL_MGMT,CloudTrail",
        "--account",
        "111122223333",
        "--region",
        "us-east-1",
        "--from",
        "2024-05-02",
        "--to-day",
        "2024-05-03",
    ];
    let summary = sync(&moto, &format!("s3://{BUCKET}"), &dest, &filters);
    let want: Vec<String> = lake_files(&demo())
        .into_iter()
        .filter(|f| expected_filtered(f))
        .collect();
    assert!(want.iter().any(|f| f.starts_with("aws/")) && want.iter().any(|f| f.starts_with("AWSLogs/")));
    let got: Vec<String> = tree(&dest).into_keys().collect();
    assert_eq!(got, want, "{summary}");
    assert_same_bytes(&dest, &demo());
    // Partition-aware: far fewer list requests than prefixes in the bucket.
    let requests: u64 = summary
        .trim()
        .split(", ")
        .find_map(|part| part.strip_suffix(" list requests"))
        .and_then(|n| n.trim().parse().ok())
        .expect("summary counts list requests");
    assert!(requests < 60, "{requests} list requests: {summary}");
}

#[test]
fn a_sync_killed_midway_resumes_complete_and_identical() {
    let moto = uploaded_demo("");
    let (work, dest) = workspace();
    let url = format!("s3://{BUCKET}");
    let mut child = lakescope(work.path())
        .args(["sync", &url, "--into"])
        .arg(&dest)
        .args(["--endpoint-url", &moto.endpoint, "--jobs", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sync");
    let manifest = dest.join(".lakescope-sync").join("manifest.jsonl");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let lines = std::fs::read_to_string(&manifest)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        if lines >= 100 {
            break;
        }
        assert!(
            child.try_wait().expect("poll").is_none(),
            "sync ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "sync made no progress in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill sync");
    child.wait().expect("reap sync");

    let want = lake_files(&demo());
    let partial = assert_same_bytes(&dest, &demo());
    assert!(partial < want.len(), "the kill came after the end ({partial} files)");

    sync(&moto, &url, &dest, &[]);
    let got: Vec<String> = tree(&dest).into_keys().collect();
    assert_eq!(got, want);
    assert_same_bytes(&dest, &demo());
    assert_verified(work.path(), &dest);
}

#[test]
fn verify_catches_a_changed_byte_a_missing_file_and_an_extra_one() {
    let moto = uploaded_demo("");
    let (work, dest) = workspace();
    sync(&moto, &format!("s3://{BUCKET}"), &dest, &["--account", "444455556666"]);
    let (ok, out) = verify(work.path(), &dest);
    assert!(ok, "{out}");

    let files: Vec<String> = tree(&dest).into_keys().collect();
    assert!(files.len() > 10);
    let changed = &files[3];
    let mut bytes = std::fs::read(dest.join(changed)).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(dest.join(changed), &bytes).expect("write");
    let (ok, out) = verify(work.path(), &dest);
    assert!(!ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with(&format!("{changed}: SHA-256")), "{out}");

    std::fs::remove_file(dest.join(&files[5])).expect("remove");
    std::fs::write(dest.join("AWSLogs").join("planted.json"), b"{}").expect("plant");
    let (ok, out) = verify(work.path(), &dest);
    assert!(!ok);
    assert!(out.contains(&format!("{}: missing", files[5])), "{out}");
    assert!(out.contains("AWSLogs/planted.json: not in the manifest"), "{out}");
}

/// Files under `dir`, by path (a command that writes nothing leaves it so).
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_synced_copy_is_indexed_so_that_it_opens_warm() {
    let moto = uploaded_demo("");
    let (work, dest) = workspace();
    let cache = work.path().join("index-cache");
    let output = lakescope(work.path())
        .env("LAKESCOPE_CACHE_DIR", &cache)
        .args(["sync", &format!("s3://{BUCKET}"), "--to"])
        .arg(&dest)
        .args(["--endpoint-url", &moto.endpoint])
        .output()
        .expect("run sync");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("event store written, flow index written"), "{stderr}");
    let indexed = names(&cache);
    let store = lakescope::lake::STORE_VERSION;
    assert!(
        indexed
            .iter()
            .any(|n| n.starts_with(store) && n.ends_with("manifest.json")),
        "{indexed:#?}"
    );

    // The first questions on the copy write nothing: it was indexed.
    for args in [&["actors"][..], &["flows", "--ip", "203.0.113.66"]] {
        let out = lakescope(work.path())
            .env("LAKESCOPE_CACHE_DIR", &cache)
            .arg("--lake")
            .arg(&dest)
            .args(args)
            .output()
            .expect("run a question");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(names(&cache), indexed, "a question wrote to the cache");

    // Without indexing, the same sync leaves the cache alone.
    let (bare_work, bare) = workspace();
    let bare_cache = bare_work.path().join("index-cache");
    let output = lakescope(bare_work.path())
        .env("LAKESCOPE_CACHE_DIR", &bare_cache)
        .args(["sync", &format!("s3://{BUCKET}"), "--no-index", "--to"])
        .arg(&bare)
        .args(["--endpoint-url", &moto.endpoint])
        .output()
        .expect("run sync");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!bare_cache.join(store).exists());
}
