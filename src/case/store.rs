//! Where cases live: `cases/<lake id>/` in the platform data dir (the id a
//! hash of the lake's canonical path, `lake.txt` beside it names the lake
//! for a human), one `<name>.json` per case and `current` naming the one
//! the workbench opens. A case is written whole to a temporary file, synced
//! and renamed over the old one, under a lock: a process killed at any
//! moment leaves the case as it was before or after its change.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Case;

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a case file: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("a case named {0:?} exists already for this lake")]
    Exists(String),
    #[error("no case named {0:?} for this lake (lakescope case list)")]
    NotFound(String),
    #[error("{0:?} cannot name a case: use letters, digits, '.', '_' or '-' (at most 64, not starting with '.')")]
    BadName(String),
    #[error("no data directory on this system to keep cases in")]
    NoDataDir,
    #[error(transparent)]
    Lake(#[from] crate::lake::LakeError),
}

type Result<T> = std::result::Result<T, CaseError>;

/// `cases/` in the platform data dir.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.data_dir().join("cases"))
}

/// The case opened when none was ever chosen.
pub const DEFAULT_CASE: &str = "default";
const CURRENT: &str = "current";
const LOCK: &str = ".lock";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseInfo {
    pub name: String,
    pub marks: usize,
    pub current: bool,
    pub file: String,
}

pub struct CaseStore {
    dir: PathBuf,
    lake: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CaseError + '_ {
    move |source| CaseError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    match ok {
        true => Ok(()),
        false => Err(CaseError::BadName(name.to_string())),
    }
}

impl CaseStore {
    /// The cases of the lake at `root`, under the platform data dir.
    pub fn for_lake(root: &Path) -> Result<CaseStore> {
        CaseStore::in_dir(&default_dir().ok_or(CaseError::NoDataDir)?, root)
    }

    /// The cases of the lake at `root`, under `cases`.
    pub fn in_dir(cases: &Path, root: &Path) -> Result<CaseStore> {
        let root = root.canonicalize().map_err(io(root))?;
        let lake = root.display().to_string();
        let id: String = Sha256::digest(lake.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let dir = cases.join(id);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let named = dir.join("lake.txt");
        if !named.exists() {
            std::fs::write(&named, format!("{lake}\n")).map_err(io(&named))?;
        }
        Ok(CaseStore { dir, lake })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub fn list(&self) -> Result<Vec<CaseInfo>> {
        let current = Some(self.current_name()?.unwrap_or_else(|| DEFAULT_CASE.to_string()));
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let path = entry.map_err(io(&self.dir))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let case = self.load(name)?;
            out.push(CaseInfo {
                name: name.to_string(),
                marks: case.marks.len(),
                current: current.as_deref() == Some(name),
                file: path.display().to_string(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    pub fn load(&self, name: &str) -> Result<Case> {
        check_name(name)?;
        let path = self.file(name);
        let text = match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CaseError::NotFound(name.into())),
            other => other.map_err(io(&path))?,
        };
        serde_json::from_str(&text).map_err(|e| CaseError::Damaged {
            path: path.clone(),
            detail: e.to_string(),
        })
    }

    /// The name in `current`, if one was chosen.
    fn current_name(&self) -> Result<Option<String>> {
        let path = self.dir.join(CURRENT);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_string()).filter(|n| !n.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// The case last opened; the default case when none was (written
    /// with its first mark, not by looking).
    pub fn current(&self) -> Result<Case> {
        let name = self.current_name()?.unwrap_or_else(|| DEFAULT_CASE.to_string());
        self.load_or_default(&name)
    }

    fn load_or_default(&self, name: &str) -> Result<Case> {
        match self.load(name) {
            Err(CaseError::NotFound(_)) if name == DEFAULT_CASE => Ok(Case::new(DEFAULT_CASE, &self.lake)),
            other => other,
        }
    }

    pub fn create(&self, name: &str) -> Result<Case> {
        check_name(name)?;
        self.locked(|store| {
            if store.file(name).exists() {
                return Err(CaseError::Exists(name.into()));
            }
            let case = Case::new(name, &store.lake);
            store.write(&case)?;
            store.set_current(name)?;
            Ok(case)
        })
    }

    pub fn open(&self, name: &str) -> Result<Case> {
        self.locked(|store| {
            let case = store.load_or_default(name)?;
            if !store.file(name).exists() {
                store.write(&case)?;
            }
            store.set_current(name)?;
            Ok(case)
        })
    }

    pub fn rename(&self, from: &str, to: &str) -> Result<Case> {
        check_name(to)?;
        self.locked(|store| {
            let mut case = store.load(from)?;
            if store.file(to).exists() {
                return Err(CaseError::Exists(to.into()));
            }
            case.name = to.to_string();
            store.write(&case)?;
            let old = store.file(from);
            std::fs::remove_file(&old).map_err(io(&old))?;
            if store.current_name()?.as_deref() == Some(from) {
                store.set_current(to)?;
            }
            Ok(case)
        })
    }

    /// Change the current case and write it, under the lock (two processes
    /// marking at once both land).
    pub fn update<T>(&self, change: impl FnOnce(&mut Case) -> T) -> Result<(Case, T)> {
        self.locked(|store| {
            let mut case = store.current()?;
            let out = change(&mut case);
            store.write(&case)?;
            Ok((case, out))
        })
    }

    fn locked<T>(&self, work: impl FnOnce(&CaseStore) -> Result<T>) -> Result<T> {
        let path = self.dir.join(LOCK);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        fs4::FileExt::lock(&lock).map_err(io(&path))?;
        self.clear_torn_writes();
        let out = work(self);
        let _ = fs4::FileExt::unlock(&lock);
        out
    }

    /// Every write happens under the lock: a temporary file found while
    /// holding it is what a killed writer left, never one in progress.
    fn clear_torn_writes(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    fn set_current(&self, name: &str) -> Result<()> {
        atomic_write(&self.dir.join(CURRENT), format!("{name}\n").as_bytes())
    }

    fn write(&self, case: &Case) -> Result<()> {
        let text = serde_json::to_vec_pretty(case).map_err(|e| CaseError::Damaged {
            path: self.file(&case.name),
            detail: e.to_string(),
        })?;
        atomic_write(&self.file(&case.name), &text)
    }
}

/// Write to a temporary file beside `path`, sync it, rename it over `path`
/// and sync the folder: readers see the old bytes or the new, never part.
fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = File::create(&temp).map_err(io(&temp))?;
    file.write_all(bytes).map_err(io(&temp))?;
    file.sync_all().map_err(io(&temp))?;
    drop(file);
    std::fs::rename(&temp, path).map_err(io(path))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_created_opened_renamed_and_kept_apart_by_lake() {
        let tmp = tempfile::tempdir().unwrap();
        let (lake_a, lake_b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&lake_a).unwrap();
        std::fs::create_dir_all(&lake_b).unwrap();
        let cases = tmp.path().join("cases");
        let a = CaseStore::in_dir(&cases, &lake_a).unwrap();
        assert_eq!(a.current().unwrap().name, DEFAULT_CASE);
        a.create("phish-2024").unwrap();
        assert!(matches!(a.create("phish-2024"), Err(CaseError::Exists(_))));
        assert!(matches!(a.create("../x"), Err(CaseError::BadName(_))));
        assert_eq!(a.current().unwrap().name, "phish-2024");
        a.rename("phish-2024", "phish").unwrap();
        assert_eq!(a.current().unwrap().name, "phish");
        a.open(DEFAULT_CASE).unwrap();
        let names: Vec<_> = a.list().unwrap().into_iter().map(|c| (c.name, c.current)).collect();
        assert_eq!(names, [("default".to_string(), true), ("phish".to_string(), false)]);
        let b = CaseStore::in_dir(&cases, &lake_b).unwrap();
        assert_ne!(a.dir(), b.dir());
        assert!(b.list().unwrap().is_empty());
        // The lakes were not written to.
        assert_eq!(std::fs::read_dir(&lake_a).unwrap().count(), 0);
    }
}
