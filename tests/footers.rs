//! Footers kept between runs (src/lake/footers.rs): opening a lake again
//! reuses what its parquet footers said, gives the same answers, and reads
//! a file again as soon as its size or modification time changes.

mod common;

use std::path::Path;

use common::demo;

fn run(lake: &Path, cache: &Path, args: &[&str]) -> (String, String) {
    common::run_cached(lake, cache, args, &[])
}

fn kept(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("footers-v1")).map_or(0, |d| d.count())
}

#[test]
fn kept_footers_give_the_same_answers() {
    let cache = tempfile::tempdir().unwrap();
    let bad = common::repo().join("fixtures/bad");
    for lake in [demo(), bad] {
        for args in [&["sources"][..], &["findings"], &["summary"]] {
            let first = run(&lake, cache.path(), args);
            let again = run(&lake, cache.path(), args);
            assert_eq!(first, again, "{} {args:?}", lake.display());
        }
    }
    assert_eq!(kept(cache.path()), 2, "one file per lake");
}

#[test]
fn a_changed_file_is_read_again() {
    let work = tempfile::tempdir().unwrap();
    let lake = work.path().join("lake");
    let cache = work.path().join("cache");
    let from = demo().join("aws/VPC_FLOW");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = lake
            .join("aws/VPC_FLOW")
            .join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            files.push(target);
        }
    }
    files.sort();
    let (before, stderr) = run(&lake, &cache, &["sources"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(kept(&cache), 1);

    // Same name, new content: a damaged footer is found, not the old fingerprint reused.
    let victim = &files[0];
    let bytes = std::fs::read(victim).unwrap();
    std::fs::write(victim, &bytes[..bytes.len() - 100]).unwrap();
    let (after, stderr) = run(&lake, &cache, &["sources"]);
    let name = victim.file_name().unwrap().to_string_lossy().into_owned();
    assert!(stderr.contains(&name), "the changed file is read again: {stderr}");
    assert_ne!(before, after);

    // Mended: read again, and the answer is the first one.
    std::fs::write(victim, &bytes).unwrap();
    let (mended, stderr) = run(&lake, &cache, &["sources"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(mended, before);
}
