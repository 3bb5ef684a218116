//! Helpers the integration tests share: the demo lake and its truth, the
//! real published samples, and the `lakescope` binary.

// Each test crate compiles its own copy and uses only some of these.
#![allow(dead_code)]

pub mod athena;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use lakescope::lake::{Lake, Session};
use serde_json::Value;

/// The repository (the tests' working directory).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The demo lake committed in `fixtures/lake`.
pub fn demo() -> PathBuf {
    repo().join("fixtures/lake")
}

/// The generator's account of the demo lake (`fixtures/lake/TRUTH.json`).
pub fn truth() -> &'static Value {
    static TRUTH: OnceLock<Value> = OnceLock::new();
    TRUTH.get_or_init(|| {
        let text = std::fs::read_to_string(demo().join("TRUTH.json")).expect("fixtures/lake/TRUTH.json");
        serde_json::from_str(&text).expect("TRUTH.json is JSON")
    })
}

/// A new session on one demo lake shared by the tests of a crate (opening
/// reads every parquet footer); each test gets its own session, as the
/// TUI's worker threads do.
pub fn demo_session() -> Session {
    static LAKE: OnceLock<Lake> = OnceLock::new();
    LAKE.get_or_init(|| Lake::open(&demo()).expect("open the demo lake"))
        .session()
        .expect("session")
}

/// `sub` in the real published samples of `../shared/data/real`. Tests on
/// them never skip: without the folder they fail and say which path.
pub fn real(sub: &str) -> PathBuf {
    let root = repo().join("../shared/data/real");
    assert!(
        root.is_dir(),
        "REAL DATA MISSING: {} does not exist; these tests need the public samples described in its README",
        root.display()
    );
    let path = root.join(sub);
    assert!(path.exists(), "REAL DATA MISSING: {} does not exist", path.display());
    path
}

/// The `lakescope` binary, with no lake taken from the environment.
pub fn lakescope() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lakescope"));
    command.env_remove("LAKESCOPE_LAKE");
    command
}

/// Run `lakescope ARGS`.
pub fn run(args: &[&str]) -> Output {
    lakescope().args(args).output().expect("run lakescope")
}

/// stdout of a run that must have succeeded (else its stderr is shown).
pub fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// stdout of a run that must have succeeded, as one JSON document.
pub fn json(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// A JSON string, or a panic that shows what was there instead.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// A JSON count, or a panic that shows what was there instead.
pub fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("expected a number, got {v}"))
}

/// Every file under `dir` with its bytes, to prove nothing in it changed.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// Copy the tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// (stdout, stderr) of `lakescope --lake LAKE --format json ARGS` with this
/// cache dir, which must succeed; `env` adds variables.
pub fn run_cached(lake: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = lakescope()
        .arg("--lake")
        .arg(lake)
        .args(["--format", "json"])
        .args(args)
        .env("LAKESCOPE_CACHE_DIR", cache)
        .envs(env.iter().copied())
        .output()
        .expect("run lakescope");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{args:?} with cache {}: {stderr}",
        cache.display()
    );
    (String::from_utf8(out.stdout).expect("stdout is UTF-8"), stderr)
}
