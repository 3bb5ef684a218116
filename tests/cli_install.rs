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

/// `LAKESCOPE_LAKE` names the lake when `--lake` does not; exported empty
/// it counts as unset (it once made every subcommand fail, `--lake` or not),
/// as do `LAKESCOPE_HUNTS` and `LAKESCOPE_RULES`.
#[test]
fn lakescope_lake_names_the_lake_and_empty_is_unset() {
    let empty = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let demo = common::demo();
    let run = |lake_env: &std::ffi::OsStr, args: &[&str]| {
        let mut command = common::lakescope();
        command
            .current_dir(empty.path())
            .args(args)
            .env("LAKESCOPE_CACHE_DIR", cache.path())
            .env("LAKESCOPE_DEMO_LAKE", "/nonexistent/lakescope-demo")
            .env("LAKESCOPE_LAKE", lake_env)
            .env("LAKESCOPE_HUNTS", "")
            .env("LAKESCOPE_RULES", "");
        command.output().unwrap()
    };
    let lake_of = |out: &Output| -> String {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        summary["lake"].as_str().unwrap().to_string()
    };
    let expected = demo.canonicalize().unwrap().display().to_string();
    let by_env = run(demo.as_os_str(), &["--format", "json", "summary"]);
    assert_eq!(lake_of(&by_env), expected);
    let by_flag = run(
        "".as_ref(),
        &["--format", "json", "summary", "--lake", demo.to_str().unwrap()],
    );
    assert_eq!(lake_of(&by_flag), expected);
    let neither = run("".as_ref(), &["summary"]);
    assert_eq!(neither.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&neither.stderr).contains("--lake DIR"));
}
