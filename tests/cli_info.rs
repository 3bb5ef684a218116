//! `lakescope info` names every path lakescope uses; `lakescope cache
//! clean` empties only lakescope's own folders of the cache dir (by age with
//! `--older-than`), and the next question rebuilds what it needs.

mod common;

use std::path::Path;

use common::{demo, lakescope};
use serde_json::Value;

fn run(cache: &Path, args: &[&str]) -> Value {
    let out = lakescope()
        .env("LAKESCOPE_CACHE_DIR", cache)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn info_and_cache_clean() {
    let cache = tempfile::tempdir().unwrap();
    let lake = demo().display().to_string();
    let actors = run(cache.path(), &["--lake", &lake, "actors"]);
    let info = run(cache.path(), &["info"]);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["duckdb"].as_str().unwrap().starts_with('v'), "{info}");
    assert_eq!(info["cache_dir"], cache.path().display().to_string());
    for key in ["config_file", "hunts_dir", "rules_dir", "command_history", "log_file"] {
        assert!(info[key].is_string(), "{key}: {info}");
    }
    let bytes = info["cache_bytes"].as_u64().unwrap();
    assert!(bytes > 0 && info["cache_files"].as_u64().unwrap() > 0, "{info}");

    // Something that is not lakescope's, in the same directory, stays.
    let foreign = cache.path().join("notes");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();

    let recent = run(cache.path(), &["cache", "clean", "--older-than", "1h"]);
    assert_eq!(recent["removed_files"], 0, "all of it was written just now");
    let ancient = run(cache.path(), &["cache", "clean", "--older-than", "9999999999w"]);
    assert_eq!(ancient["removed_files"], 0, "older than the clock can count: nothing");
    let out = lakescope()
        .env("LAKESCOPE_CACHE_DIR", cache.path())
        .args(["cache", "clean", "--older-than", "soon"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--older-than \"soon\""));

    let all = run(cache.path(), &["cache", "clean"]);
    assert_eq!(all["removed_bytes"].as_u64(), Some(bytes));
    assert_eq!(run(cache.path(), &["info"])["cache_bytes"], 0);
    assert_eq!(std::fs::read_to_string(foreign.join("keep.txt")).unwrap(), "mine");
    // The next question rebuilds and answers the same.
    assert_eq!(run(cache.path(), &["--lake", &lake, "actors"]), actors);
}
