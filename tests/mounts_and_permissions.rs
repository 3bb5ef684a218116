//! Evidence as it is often handed over: on a read-only mount, and with a
//! file the user may not read. The first is answered in full; the second is
//! named ("permission denied") while the rest is answered.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const RAW_DAY: &str = "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05/05";
const SL_DAY: &str = "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240505";

fn small_lake(root: &Path) {
    for part in [RAW_DAY, SL_DAY] {
        let to = root.join(part);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(common::demo().join(part)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn open_to_all(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn summary(lake: &Path, cache: &Path) -> serde_json::Value {
    let out = common::lakescope()
        .env("LAKESCOPE_CACHE_DIR", cache)
        .args(["--format", "json", "--lake"])
        .arg(lake)
        .arg("summary")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_lake_on_a_read_only_mount_is_answered_in_full() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("copy");
    small_lake(&source);
    let before = common::snapshot(&source);
    let expected = summary(&source, &tmp.path().join("cache-a"));
    let mount = tmp.path().join("mnt");
    std::fs::create_dir(&mount).unwrap();
    let out_file = tmp.path().join("summary.json");
    // A private mount namespace (no root needed where user namespaces are
    // allowed): tmpfs, the copy, then remounted read-only before lakescope runs.
    let script = format!(
        "set -e; mount -t tmpfs tmpfs '{m}'; cp -r '{s}'/. '{m}'; mount -o remount,ro '{m}'; \
         if touch '{m}/probe' 2>/dev/null; then echo 'the mount is writable'; exit 3; fi; \
         LAKESCOPE_CACHE_DIR='{c}' '{bin}' --format json --lake '{m}' summary > '{o}'",
        m = mount.display(),
        s = source.display(),
        c = tmp.path().join("cache-b").display(),
        bin = env!("CARGO_BIN_EXE_lakescope"),
        o = out_file.display(),
    );
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .status()
        .expect("unshare (util-linux) runs the read-only mount");
    assert!(status.success(), "the read-only run failed: {status}");
    let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    for key in ["files", "events", "errors", "actors", "first_event", "last_event"] {
        assert_eq!(got[key], expected[key], "{key}");
    }
    assert_eq!(got["unreadable"], serde_json::json!([]));
    assert!(common::snapshot(&source) == before, "the lake changed");
}

#[test]
fn a_file_the_user_may_not_read_is_named_and_the_rest_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("lake");
    small_lake(&root);
    let whole = summary(&root, &tmp.path().join("cache-a"));
    let mut files: Vec<_> = std::fs::read_dir(root.join(RAW_DAY))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let locked = files[0].clone();
    let before = common::snapshot(&root);
    open_to_all(&locked, 0o000);
    // Another user than the owner runs it (as root: nobody, since root reads
    // anything), so the temporary folder must let others in.
    open_to_all(tmp.path(), 0o755);
    let cache = tmp.path().join("cache-b");
    std::fs::create_dir(&cache).unwrap();
    open_to_all(&cache, 0o777);
    let is_root = effective_uid() == 0;
    let mut command = match is_root {
        true => {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                env!("CARGO_BIN_EXE_lakescope"),
            ]);
            c
        }
        false => Command::new(env!("CARGO_BIN_EXE_lakescope")),
    };
    let out = command
        .env("LAKESCOPE_CACHE_DIR", &cache)
        .env("HOME", &cache)
        .env_remove("LAKESCOPE_LAKE")
        .args(["--format", "json", "--lake"])
        .arg(&root)
        .arg("summary")
        .output()
        .unwrap();
    open_to_all(&locked, 0o644);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unreadable = got["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1, "{got:#}");
    assert_eq!(unreadable[0]["path"], locked.display().to_string());
    assert!(
        unreadable[0]["problem"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("permission denied"),
        "{got:#}"
    );
    assert!(got["events"].as_u64().unwrap() > 0);
    assert!(got["events"].as_u64() <= whole["events"].as_u64());
    assert!(common::snapshot(&root) == before, "the lake changed");
}

/// The effective user id, from /proc (no libc call needed).
fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}
