//! An installed lakescope outside its source tree: without `--lake` it
//! opens the current directory when that is a lake, else the demo lake when
//! it is there, else says in one line how to point at a lake;
//! `lakescope demo DIR` writes the demo lake anywhere.

mod common;

use std::path::Path;
use std::process::Output;

/// The cache lives beside, never inside, the lake.
fn cache() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("lakescope-install-cache-{}", std::process::id()))
}

fn in_dir(dir: &Path, demo: Option<&Path>, args: &[&str]) -> Output {
    let mut command = common::lakescope();
    command.current_dir(dir).args(args).env("LAKESCOPE_CACHE_DIR", cache());
    match demo {
        Some(demo) => command.env("LAKESCOPE_DEMO_LAKE", demo),
        None => command.env("LAKESCOPE_DEMO_LAKE", "/nonexistent/lakescope-demo"),
    };
    command.output().unwrap()
}

#[test]
fn without_lake_the_current_directory_the_demo_or_one_line_of_help() {
    let empty = tempfile::tempdir().unwrap();
    let out = in_dir(empty.path(), None, &["actors"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--lake DIR") && err.contains("lakescope demo DIR"),
        "{err}"
    );
    // The workbench says the same instead of opening nothing.
    assert_eq!(in_dir(empty.path(), None, &[]).status.code(), Some(1));
    assert_eq!(in_dir(empty.path(), None, &["--help"]).status.code(), Some(0));

    // The demo lake, when it is there.
    let demo = common::demo();
    let out = in_dir(empty.path(), Some(&demo), &["--format", "json", "summary"]);
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["lake"], demo.canonicalize().unwrap().display().to_string());

    // `lakescope demo DIR`, then lakescope run inside it.
    let written = tempfile::tempdir().unwrap();
    let dir = written.path().join("demo");
    let out = in_dir(empty.path(), None, &["demo", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("TRUTH.json").is_file());
    let out = in_dir(&dir, None, &["--format", "json", "summary"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let here: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(here["lake"], dir.canonicalize().unwrap().display().to_string());
    assert_eq!(here["events"], summary["events"], "the same lake as the committed demo");
    let _ = std::fs::remove_dir_all(cache());
}
