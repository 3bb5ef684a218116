//! The de-duplicated event store (src/lake/store.rs): it answers exactly as
//! de-duplicating inside each query does, is written once per set of files
//! in the cache directory (never in the lake), is replaced when a file
//! changes, and an interrupted build resumes from what it left.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, demo, snapshot, truth};
use lakescope::lake::STORE_VERSION;
use serde_json::Value;

/// A path that cannot become a directory: no cache, so no store either, and
/// every query de-duplicates the copies itself.
const NO_CACHE: &str = "/dev/null/lakescope-no-cache";

/// stdout of `lakescope --lake LAKE --format json ARGS` with this cache dir.
fn run(lake: &Path, cache: &str, args: &[&str]) -> String {
    let out = common::lakescope()
        .arg("--lake")
        .arg(lake)
        .args(["--format", "json"])
        .args(args)
        .env("LAKESCOPE_CACHE_DIR", cache)
        .output()
        .expect("run lakescope");
    assert!(
        out.status.success(),
        "{args:?} with cache {cache}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Equal answers, or the first line where they differ.
fn same(stored: &str, direct: &str, args: &[&str]) {
    let diff = stored
        .lines()
        .zip(direct.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b);
    if let Some((n, (a, b))) = diff {
        panic!("{args:?}: line {}: store {a:?}, per-query {b:?}", n + 1);
    }
    assert_eq!(stored.lines().count(), direct.lines().count(), "{args:?}: line counts");
}

/// Finished stores under a cache dir (folders with a manifest). The store
/// folder must be there: a test that compares these lists must not pass by
/// comparing two empty ones because the stores went elsewhere.
fn stores(cache: &Path) -> Vec<PathBuf> {
    let root = cache.join(STORE_VERSION);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("no event store folder {}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    found.retain(|p| p.join("manifest.json").is_file());
    assert!(!found.is_empty(), "no finished event store in {}", root.display());
    found.sort();
    found
}

fn total_events(timeline_json: &str) -> u64 {
    let rows: Value = serde_json::from_str(timeline_json).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["events"].as_u64().unwrap())
        .sum()
}

#[test]
fn the_store_answers_exactly_like_deduplicating_in_each_query() {
    let t = truth();
    let arn = t["intrusion"]["intruder_arn"].as_str().unwrap();
    let ip = t["intrusion"]["new_ip"].as_str().unwrap();
    let key = t["intrusion"]["leaked_key"].as_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let questions: [&[&str]; 7] = [
        &["actors"],
        &["actor", arn],
        &["ip", ip],
        &["key", key],
        &["events", "--actor", arn, "--limit", "500"],
        &["timeline", "--bucket", "1h", "--by", "ip"],
        &[
            "--account",
            "111122223333",
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "actors",
        ],
    ];
    for args in questions {
        let stored = run(&demo(), cache_dir, args);
        let direct = run(&demo(), NO_CACHE, args);
        assert!(stored.len() > 10, "{args:?} answered nothing: {stored}");
        same(&stored, &direct, args);
    }
    // One store of the whole lake; the narrower last question reused it.
    assert_eq!(stores(cache.path()).len(), 1, "{:?}", stores(cache.path()));
}

#[test]
fn copies_across_versions_and_within_one_source_count_once() {
    // One account-region, days 2024-05-04 and 05: Security Lake 1.0 and 2.0
    // overlap on the 4th, the raw trail holds everything, and a 2.0 file is
    // also present a second time (a compaction leftover).
    let lake = tempfile::tempdir().unwrap();
    let sl = "aws/CLOUD_TRAIL_MGMT/{v}/region=us-east-1/accountId=111122223333/eventDay={d}";
    for (v, d) in [("1.0", "20240504"), ("2.0", "20240504"), ("2.0", "20240505")] {
        let rel = sl.replace("{v}", v).replace("{d}", d);
        copy_dir(&demo().join(&rel), &lake.path().join(&rel));
    }
    let trail = std::fs::read_dir(demo().join("AWSLogs"))
        .unwrap()
        .flatten()
        .next()
        .expect("an organization folder")
        .path();
    let org = trail.file_name().unwrap().to_owned();
    for day in ["04", "05"] {
        let rel = Path::new("111122223333/CloudTrail/us-east-1/2024/05").join(day);
        copy_dir(&trail.join(&rel), &lake.path().join("AWSLogs").join(&org).join(&rel));
    }
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let args: &[&str] = &[
        "--from",
        "2024-05-04",
        "--to",
        "2024-05-05",
        "timeline",
        "--bucket",
        "1d",
    ];
    let before = total_events(&run(lake.path(), cache_dir, args));
    assert!(before > 100, "{before} events");

    let dup_dir = lake.path().join(sl.replace("{v}", "2.0").replace("{d}", "20240505"));
    let original = std::fs::read_dir(&dup_dir).unwrap().flatten().next().unwrap().path();
    std::fs::copy(&original, dup_dir.join("part-99999-compacted.gz.parquet")).unwrap();
    let stored = run(lake.path(), cache_dir, args);
    assert_eq!(total_events(&stored), before, "the leftover copy adds nothing");
    same(&stored, &run(lake.path(), NO_CACHE, args), args);
    assert_eq!(stores(cache.path()).len(), 2, "a new file means a new store");
}

#[test]
fn the_store_is_written_once_outside_the_lake_and_replaced_when_a_file_changes() {
    let lake = tempfile::tempdir().unwrap();
    let rel = "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333";
    copy_dir(&demo().join(rel), &lake.path().join(rel));
    let before = snapshot(lake.path());
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();

    let first = run(lake.path(), cache_dir, &["actors"]);
    let built = stores(cache.path());
    assert_eq!(built.len(), 1);
    let manifest = built[0].join("manifest.json");
    let written = std::fs::read(&manifest).unwrap();
    assert_eq!(run(lake.path(), cache_dir, &["actors"]), first);
    assert_eq!(stores(cache.path()), built, "the second query reads the same store");
    assert_eq!(std::fs::read(&manifest).unwrap(), written);
    assert_eq!(
        snapshot(lake.path()),
        before,
        "nothing in the lake was created or changed"
    );

    // Remove one day: the files differ, so the answer comes from a new store.
    std::fs::remove_dir_all(lake.path().join(rel).join("eventDay=20240507")).unwrap();
    let fewer = run(lake.path(), cache_dir, &["actors"]);
    assert_ne!(fewer, first);
    same(&fewer, &run(lake.path(), NO_CACHE, &["actors"]), &["actors"]);
    assert_eq!(stores(cache.path()).len(), 2);
}

/// Files under the stores' shared folder `dir` (`stage` or `days`) with
/// their modification times.
fn written(cache: &Path, dir: &str) -> Vec<(PathBuf, std::time::SystemTime)> {
    let root = cache.join(STORE_VERSION).join(dir);
    let mut found: Vec<(PathBuf, std::time::SystemTime)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("no {}: {e}", root.display()))
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .map(|e| (e.path(), e.metadata().unwrap().modified().unwrap()))
        .collect();
    assert!(!found.is_empty(), "nothing written in {}", root.display());
    found.sort();
    found
}

#[test]
fn an_interrupted_build_resumes_from_the_days_it_finished() {
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let args: &[&str] = &["timeline", "--bucket", "1d"];
    let answer = run(&demo(), cache_dir, args);
    let built = stores(cache.path());
    assert_eq!(built.len(), 1);
    // Put the finished store back as a build that stopped after its first
    // days: no manifest, the other days missing.
    std::fs::remove_dir_all(&built[0]).unwrap();
    let days = written(cache.path(), "days");
    assert!(days.len() >= 4, "{days:?}");
    let (kept, kept_time) = days[0].clone();
    for (later, _) in &days[2..] {
        std::fs::remove_file(later).unwrap();
    }
    let stages = written(cache.path(), "stage");
    std::thread::sleep(std::time::Duration::from_millis(20));

    assert_eq!(run(&demo(), cache_dir, args), answer);
    assert_eq!(stores(cache.path()), built);
    assert_eq!(
        std::fs::metadata(&kept).unwrap().modified().unwrap(),
        kept_time,
        "a finished day is not written again"
    );
    assert_eq!(written(cache.path(), "stage"), stages, "no partition is staged again");
    assert_eq!(written(cache.path(), "days").len(), days.len());
}

/// A day synced into a lake whose store is written costs its own
/// partitions and the days its events fall on, not a new store.
#[test]
fn a_new_day_rewrites_only_its_own_partitions_and_days() {
    let lake = tempfile::tempdir().unwrap();
    let sl = "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333";
    let trail = "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05";
    copy_dir(&demo().join(sl), &lake.path().join(sl));
    copy_dir(&demo().join(trail), &lake.path().join(trail));
    let held = tempfile::tempdir().unwrap();
    for rel in [
        format!("{sl}/eventDay=20240507"),
        format!("{trail}/07"),
        format!("{trail}/08"),
    ] {
        let from = lake.path().join(&rel);
        if from.exists() {
            copy_dir(&from, &held.path().join(&rel));
            std::fs::remove_dir_all(&from).unwrap();
        }
    }
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let args: &[&str] = &["timeline", "--bucket", "1d"];
    let before = run(lake.path(), cache_dir, args);
    let (stages, days) = (written(cache.path(), "stage"), written(cache.path(), "days"));
    std::thread::sleep(std::time::Duration::from_millis(20));

    copy_dir(held.path(), lake.path());
    let after = run(lake.path(), cache_dir, args);
    assert_ne!(after, before, "the new day is answered");
    same(&after, &run(lake.path(), NO_CACHE, args), args);
    assert_eq!(stores(cache.path()).len(), 2);
    let stages_after = written(cache.path(), "stage");
    for stage in &stages {
        assert!(stages_after.contains(stage), "{stage:?} was staged again");
    }
    let new_stages = stages_after.len() - stages.len();
    assert!((1..=3).contains(&new_stages), "{new_stages} new stages");
    // The new day, and the day before it when late deliveries cross midnight.
    let days_after = written(cache.path(), "days");
    let rewritten: Vec<_> = days_after.iter().filter(|d| !days.contains(d)).collect();
    assert!((1..=2).contains(&rewritten.len()), "{rewritten:#?}");
    let reused = days_after.iter().filter(|d| days.contains(d)).count();
    assert!(reused + 1 >= days.len(), "{reused} of {} days reused", days.len());
}

/// Files set aside while the store was written are still named by later
/// commands, which read the store instead of the files, and setting them
/// aside does not make the same process or the next write another store.
#[test]
fn files_set_aside_while_building_are_reported_by_every_later_command() {
    let bad = common::repo().join("fixtures/bad");
    let cache = tempfile::tempdir().unwrap();
    let problems = |args: &[&str]| -> (String, Vec<String>) {
        let out = common::lakescope()
            .arg("--lake")
            .arg(&bad)
            .args(["--format", "json"])
            .args(args)
            .env("LAKESCOPE_CACHE_DIR", cache.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("skipped"))
            .map(str::to_string)
            .collect();
        lines.sort();
        (String::from_utf8(out.stdout).unwrap(), lines)
    };
    let (first, named) = problems(&["actors"]);
    // The raw trail's bad files are only found by reading them.
    assert!(named.iter().any(|l| l.contains("TRUNCATED")), "{named:#?}");
    assert!(named.iter().any(|l| l.contains("INVALIDJSON")), "{named:#?}");
    let (again, named_again) = problems(&["actors"]);
    assert_eq!(again, first);
    assert_eq!(named_again, named);
    let (_, with_timeline) = problems(&["timeline", "--bucket", "1d"]);
    assert_eq!(with_timeline, named);
    assert_eq!(stores(cache.path()).len(), 1, "{:?}", stores(cache.path()));
}

/// `--partial` on a lake never indexed answers from the newest days that
/// are done, exactly for those days, says so on stderr, and leaves them
/// for the next command, which answers the whole lake exactly.
#[test]
fn partial_answers_come_from_the_newest_days_exactly() {
    let cache = tempfile::tempdir().unwrap();
    let args: &[&str] = &["timeline", "--bucket", "1d"];
    let out = common::lakescope()
        .arg("--lake")
        .arg(demo())
        .args(["--format", "json", "--partial"])
        .args(args)
        .env("LAKESCOPE_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let exact: Value = serde_json::from_str(&run(&demo(), NO_CACHE, args)).unwrap();
    let exact = exact.as_array().unwrap();
    let newest = exact.last().unwrap();
    let partial: Value = serde_json::from_slice(&out.stdout).unwrap();
    let partial = partial.as_array().unwrap();
    let done = written(cache.path(), "days");
    // The command asks once the newest day with events is done, long
    // before the other seven.
    assert!(stderr.contains("partial answer: the newest"), "{stderr}");
    assert!(partial.len() < exact.len(), "{partial:?}");
    assert_eq!(partial.last().unwrap(), newest, "the newest day comes first");
    for bucket in partial.iter().filter(|b| b["events"].as_u64() != Some(0)) {
        assert!(exact.contains(bucket), "{bucket} is not exact");
    }

    let whole = run(&demo(), cache.path().to_str().unwrap(), args);
    assert_eq!(
        serde_json::from_str::<Value>(&whole).unwrap().as_array().unwrap(),
        exact
    );
    let after = written(cache.path(), "days");
    for day in &done {
        assert!(after.contains(day), "{day:?} was written again");
    }
}
