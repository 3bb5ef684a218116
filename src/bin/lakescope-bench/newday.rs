//! "One new day synced into a warm lake": the newest day's partitions (all
//! sources) are taken out of the lake, the store is written without them,
//! then they are put back as new files (as a sync writes them) and the
//! first question is timed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Partition folders of days ≥ `first` (`YYYYMMDD`): Security Lake
/// `eventDay=` folders and raw trail `YYYY/MM/DD` folders.
pub fn partitions_from(lake: &Path, first: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(lake).into_iter().flatten() {
        if !entry.file_type().is_dir() {
            continue;
        }
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        let day = if let Some(day) = name.strip_prefix("eventDay=") {
            Some(day.to_string())
        } else {
            trail_day(path)
        };
        if day.is_some_and(|d| d.as_str() >= first) {
            found.push(path.to_path_buf());
        }
    }
    found
}

/// `…/CloudTrail/<region>/YYYY/MM/DD` as `YYYYMMDD`.
fn trail_day(path: &Path) -> Option<String> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let n = parts.len();
    if n < 5 || parts[n - 5] != "CloudTrail" {
        return None;
    }
    let day = format!("{}{}{}", parts[n - 3], parts[n - 2], parts[n - 1]);
    (day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit())).then_some(day)
}

/// Move `folders` of `lake` under `held` (same relative paths).
pub fn hold(lake: &Path, folders: &[PathBuf], held: &Path) -> Result<()> {
    for folder in folders {
        let to = held.join(folder.strip_prefix(lake)?);
        std::fs::create_dir_all(to.parent().context("a partition has a parent")?)?;
        std::fs::rename(folder, &to).with_context(|| format!("cannot move {}", folder.display()))?;
    }
    Ok(())
}

/// Copy everything under `held` back into `lake` as new files (fresh
/// modification times, as a sync writes them), then remove `held`.
pub fn put_back(held: &Path, lake: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(held).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let to = lake.join(entry.path().strip_prefix(held)?);
        std::fs::create_dir_all(to.parent().context("a file has a parent")?)?;
        std::fs::copy(entry.path(), &to).with_context(|| format!("cannot copy to {}", to.display()))?;
    }
    std::fs::remove_dir_all(held)?;
    Ok(())
}
