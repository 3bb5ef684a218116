//! Where hunts come from: the built-in set embedded in the binary
//! (`hunts/*.toml`, like the themes) and the user's own folder, `hunts/`
//! in the platform config dir. A user hunt with a built-in's id replaces
//! it (to tune a threshold); a file that cannot be read is refused by name
//! and the others still run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::format::{Hunt, HuntError, RefusedHunt, Severity};
use super::sigma;

/// The built-in hunts, by file name.
const BUILT_IN: &[(&str, &str)] = &[
    ("root-activity.toml", include_str!("../../../hunts/root-activity.toml")),
    (
        "console-login-without-mfa.toml",
        include_str!("../../../hunts/console-login-without-mfa.toml"),
    ),
    (
        "console-login-new-ip.toml",
        include_str!("../../../hunts/console-login-new-ip.toml"),
    ),
    (
        "logging-tampering.toml",
        include_str!("../../../hunts/logging-tampering.toml"),
    ),
    (
        "credentials-for-another-user.toml",
        include_str!("../../../hunts/credentials-for-another-user.toml"),
    ),
    (
        "admin-policy-attached.toml",
        include_str!("../../../hunts/admin-policy-attached.toml"),
    ),
    (
        "inline-policy-allows-everything.toml",
        include_str!("../../../hunts/inline-policy-allows-everything.toml"),
    ),
    (
        "security-group-open-to-world.toml",
        include_str!("../../../hunts/security-group-open-to-world.toml"),
    ),
    (
        "bucket-made-public.toml",
        include_str!("../../../hunts/bucket-made-public.toml"),
    ),
    (
        "snapshot-shared.toml",
        include_str!("../../../hunts/snapshot-shared.toml"),
    ),
    (
        "secret-read-burst.toml",
        include_str!("../../../hunts/secret-read-burst.toml"),
    ),
    (
        "instance-user-data-changed.toml",
        include_str!("../../../hunts/instance-user-data-changed.toml"),
    ),
    (
        "access-denied-burst.toml",
        include_str!("../../../hunts/access-denied-burst.toml"),
    ),
    (
        "iam-enumeration-burst.toml",
        include_str!("../../../hunts/iam-enumeration-burst.toml"),
    ),
    (
        "cross-account-role-from-new-ip.toml",
        include_str!("../../../hunts/cross-account-role-from-new-ip.toml"),
    ),
    (
        "cross-account-role-chaining.toml",
        include_str!("../../../hunts/cross-account-role-chaining.toml"),
    ),
    (
        "access-key-from-new-network.toml",
        include_str!("../../../hunts/access-key-from-new-network.toml"),
    ),
    (
        "instance-credentials-outside.toml",
        include_str!("../../../hunts/instance-credentials-outside.toml"),
    ),
    (
        "kms-key-deletion.toml",
        include_str!("../../../hunts/kms-key-deletion.toml"),
    ),
    ("new-region.toml", include_str!("../../../hunts/new-region.toml")),
    ("mass-deletion.toml", include_str!("../../../hunts/mass-deletion.toml")),
    (
        "new-network-denied-then-iam-change.toml",
        include_str!("../../../hunts/new-network-denied-then-iam-change.toml"),
    ),
];

/// The hunts to run, with the user's files that were refused.
#[derive(Debug, Clone, Default)]
pub struct HuntBook {
    pub hunts: Vec<Hunt>,
    pub refused: Vec<RefusedHunt>,
}

/// The built-in hunts (a broken one is a bug: the tests read them all).
pub fn built_in() -> Result<Vec<Hunt>, HuntError> {
    BUILT_IN.iter().map(|(name, text)| Hunt::parse(name, text)).collect()
}

/// Folders named on the command line (`--hunts-dir`, `--rules`): one
/// choice for the whole process, read by the CLI, the workbench's Hunts
/// page and the worker's dossiers alike.
static CHOSEN: OnceLock<(Option<PathBuf>, Option<PathBuf>)> = OnceLock::new();

/// Use `hunts` and `rules` (when given) instead of the environment and
/// config dir; the first choice of the process holds.
pub fn choose_dirs(hunts: Option<PathBuf>, rules: Option<PathBuf>) {
    let _ = CHOSEN.set((hunts, rules));
}

/// The user's hunt folder: `--hunts-dir`, `$LAKESCOPE_HUNTS`, else `hunts/`
/// in the platform config dir, beside `config.toml`.
pub fn user_dir() -> Option<PathBuf> {
    if let Some(dir) = CHOSEN.get().and_then(|c| c.0.clone()) {
        return Some(dir);
    }
    if let Some(dir) = std::env::var_os("LAKESCOPE_HUNTS").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.config_dir().join("hunts"))
}

/// The built-in hunts and those of `dir` (when it exists), in file order.
pub fn load(dir: Option<&Path>) -> Result<HuntBook, HuntError> {
    let mut book = HuntBook {
        hunts: built_in()?,
        refused: Vec::new(),
    };
    let Some(dir) = dir.filter(|d| d.is_dir()) else {
        return Ok(book);
    };
    let io = |source| HuntError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| Hunt::parse(&name, &text).map_err(|e| e.to_string()));
        match parsed {
            Ok(hunt) => match book.hunts.iter_mut().find(|h| h.id == hunt.id) {
                Some(same) => *same = hunt,
                None => book.hunts.push(hunt),
            },
            Err(reason) => book.refused.push(RefusedHunt {
                file: path.display().to_string(),
                reason,
            }),
        }
    }
    Ok(book)
}

/// The user's Sigma rules: `--rules`, `$LAKESCOPE_RULES`, else `rules/`
/// in the platform config dir.
pub fn rules_dir() -> Option<PathBuf> {
    if let Some(dir) = CHOSEN.get().and_then(|c| c.1.clone()) {
        return Some(dir);
    }
    if let Some(dir) = std::env::var_os("LAKESCOPE_RULES").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.config_dir().join("rules"))
}

/// Add the Sigma rules of `dir` (when it exists) to `book`; a rule that
/// cannot be evaluated exactly is refused by name, with the reason.
pub fn add_rules(book: &mut HuntBook, dir: Option<&Path>) -> Result<(), HuntError> {
    let Some(dir) = dir.filter(|d| d.is_dir()) else {
        return Ok(());
    };
    let (hunts, refused) = sigma::load_dir(dir)?;
    book.hunts.extend(hunts);
    book.refused.extend(refused);
    Ok(())
}

/// [`load`] that never fails: a folder that cannot be listed is reported
/// as refused and the built-in hunts still run.
pub fn load_or_built_in(dir: Option<&Path>) -> HuntBook {
    load(dir).unwrap_or_else(|err| HuntBook {
        hunts: built_in().unwrap_or_default(),
        refused: vec![RefusedHunt {
            file: dir.map(|d| d.display().to_string()).unwrap_or_default(),
            reason: err.to_string(),
        }],
    })
}

/// The built-in hunts, the user's hunt folder and their Sigma rules, from
/// where the workbench looks for them ([`user_dir`], [`rules_dir`]).
pub fn load_users() -> HuntBook {
    let mut book = load_or_built_in(user_dir().as_deref());
    let rules = rules_dir();
    if let Err(err) = add_rules(&mut book, rules.as_deref()) {
        book.refused.push(RefusedHunt {
            file: rules.map(|d| d.display().to_string()).unwrap_or_default(),
            reason: err.to_string(),
        });
    }
    book
}

/// The hunts of at least `severity` (all when None) and, when `ids` is not
/// empty, only those; an unknown id is an error naming the known ones.
pub fn select(hunts: &[Hunt], severity: Option<Severity>, ids: &[String]) -> Result<Vec<Hunt>, String> {
    if let Some(unknown) = ids.iter().find(|id| !hunts.iter().any(|h| &h.id == *id)) {
        let known: Vec<&str> = hunts.iter().map(|h| h.id.as_str()).collect();
        return Err(format!("unknown hunt {unknown:?} (known: {})", known.join(", ")));
    }
    Ok(hunts
        .iter()
        .filter(|h| severity.is_none_or(|s| h.severity >= s))
        .filter(|h| ids.is_empty() || ids.contains(&h.id))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_hunt_reads_with_a_unique_id() {
        let hunts = built_in().unwrap();
        assert_eq!(hunts.len(), BUILT_IN.len());
        for (hunt, (file, _)) in hunts.iter().zip(BUILT_IN) {
            assert_eq!(format!("{}.toml", hunt.id), *file, "a hunt's file is named by its id");
        }
    }

    #[test]
    fn a_user_hunt_replaces_a_built_in_and_a_bad_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = built_in()
            .unwrap()
            .into_iter()
            .find(|h| h.id == "root-activity")
            .unwrap();
        let mut tuned = root.clone();
        tuned.title = "Root, tuned".into();
        std::fs::write(dir.path().join("root.toml"), toml::to_string(&tuned).unwrap()).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "id = \"broken\"\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a hunt").unwrap();
        let book = load(Some(dir.path())).unwrap();
        assert_eq!(book.hunts.len(), BUILT_IN.len());
        assert!(book.hunts.iter().any(|h| h.title == "Root, tuned"));
        assert_eq!(book.refused.len(), 1, "{:?}", book.refused);
        assert!(book.refused[0].file.ends_with("broken.toml"));
        assert!(
            book.refused[0].reason.contains("missing field"),
            "{}",
            book.refused[0].reason
        );
    }

    #[test]
    fn selection_by_severity_and_id() {
        let hunts = built_in().unwrap();
        let high = select(&hunts, Some(Severity::High), &[]).unwrap();
        assert!(!high.is_empty() && high.iter().all(|h| h.severity >= Severity::High));
        let one = select(&hunts, None, &["root-activity".to_string()]).unwrap();
        assert_eq!(one.len(), 1);
        let err = select(&hunts, None, &["nope".to_string()]).unwrap_err();
        assert!(err.contains("nope") && err.contains("root-activity"), "{err}");
    }
}
