//! `lakescope info` (what this lakescope is and where it keeps things) and
//! `lakescope cache clean` (forget what it derived from lakes).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::lake::cache::{CACHE_FOLDERS, cache_dir};
use crate::lake::{before_now, connect};
use crate::tui::config::{config_path, log_path};
use crate::tui::history::CommandHistory;

#[derive(Debug, clap::Subcommand)]
pub enum CacheCommand {
    /// Remove what lakescope derived from lakes (converted copies, event stores, indexes);
    /// lakes themselves are never touched. Next questions rebuild what they need
    Clean {
        /// Only files not written for this long (30m, 12h, 7d, 2w)
        #[arg(long, value_name = "AGE")]
        older_than: Option<String>,
    },
}

/// Version, DuckDB, and every path lakescope reads or writes outside lakes.
pub fn info() -> Result<Value> {
    let cache = cache_dir();
    let (files, bytes) = cache.as_deref().map(usage).unwrap_or_default();
    let shown = |p: Option<PathBuf>| p.map(|p| p.display().to_string());
    Ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "duckdb": connect::duckdb_version()?,
        "config_file": shown(config_path()),
        "hunts_dir": shown(crate::lake::hunts::library::user_dir()),
        "rules_dir": shown(crate::lake::hunts::library::rules_dir()),
        "cache_dir": shown(cache),
        "cache_files": files,
        "cache_bytes": bytes,
        "command_history": shown(CommandHistory::default_file()),
        "log_file": shown(log_path()),
    }))
}

pub fn run(command: &CacheCommand) -> Result<Value> {
    let CacheCommand::Clean { older_than } = command;
    let age = match older_than {
        Some(text) => Some(
            before_now(text).ok_or_else(|| anyhow!("--older-than {text:?}: use a duration like 30m, 12h, 7d or 2w"))?,
        ),
        None => None,
    };
    let dir = cache_dir().ok_or_else(|| anyhow!("no cache directory on this machine"))?;
    // An age older than the clock can count back to removes nothing.
    let cutoff = age.map(|ms| {
        SystemTime::now()
            .checked_sub(Duration::from_millis(ms.unsigned_abs()))
            .unwrap_or(SystemTime::UNIX_EPOCH)
    });
    let (files, bytes) = remove(&dir, cutoff)?;
    Ok(json!({"cache_dir": dir.display().to_string(), "removed_files": files, "removed_bytes": bytes}))
}

/// The folders of `dir` that are lakescope's own.
fn own_folders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            CACHE_FOLDERS.iter().any(|prefix| name.starts_with(prefix))
        })
        .map(|e| e.path())
        .collect()
}

/// Files and bytes in lakescope's folders of `dir`.
fn usage(dir: &Path) -> (u64, u64) {
    units(dir)
        .iter()
        .map(|u| (u.files, u.bytes))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// What is removed whole: one converted folder, one footer or index entry;
/// an event store's folder as a whole, since its manifests name files in
/// its other subfolders.
struct Unit {
    path: PathBuf,
    files: u64,
    bytes: u64,
    newest: Option<SystemTime>,
}

fn units(dir: &Path) -> Vec<Unit> {
    let mut out = Vec::new();
    for folder in own_folders(dir) {
        let whole = folder
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("events-"));
        let paths: Vec<PathBuf> = match whole {
            true => vec![folder],
            false => std::fs::read_dir(&folder)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default(),
        };
        out.extend(paths.into_iter().map(measure));
    }
    out
}

fn measure(path: PathBuf) -> Unit {
    let mut unit = Unit {
        files: 0,
        bytes: 0,
        newest: None,
        path,
    };
    for entry in walkdir::WalkDir::new(&unit.path)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        let Ok(meta) = entry.metadata() else { continue };
        if entry.file_type().is_file() {
            unit.files += 1;
            unit.bytes += meta.len();
        }
        if let Ok(modified) = meta.modified() {
            unit.newest = unit.newest.max(Some(modified));
        }
    }
    unit
}

/// Remove the units of `dir` not written since `cutoff` (all without one).
fn remove(dir: &Path, cutoff: Option<SystemTime>) -> Result<(u64, u64)> {
    let mut removed = (0, 0);
    for unit in units(dir) {
        if cutoff.is_some_and(|c| unit.newest.is_none_or(|n| n >= c)) {
            continue;
        }
        let gone = match unit.path.is_dir() {
            true => std::fs::remove_dir_all(&unit.path),
            false => std::fs::remove_file(&unit.path),
        };
        gone.map_err(|e| anyhow!("cannot remove {}: {e}", unit.path.display()))?;
        removed = (removed.0 + unit.files, removed.1 + unit.bytes);
    }
    Ok(removed)
}
