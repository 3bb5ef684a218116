//! The user's configuration: `config.toml` in the platform config directory
//! (`~/.config/lakescope/` on Linux), e.g.
//!
//! ```toml
//! theme = "light"
//! [keys]
//! back = ["b", "backspace"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    /// action = [keys]; replaces the default keys of the actions named.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Toml {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
}

/// Where the config file is looked for.
pub fn config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.config_dir().join("config.toml"))
}

/// Where the TUI's log file goes (never the screen).
pub fn log_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "lakescope").map(|d| d.data_local_dir().join("tui.log"))
}

impl Config {
    /// Read a config file; a missing file is the default configuration.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|source| ConfigError::Toml {
                path: path.to_path_buf(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_theme_and_keys_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert!(Config::load(&path).unwrap().theme.is_none());
        std::fs::write(&path, "theme = \"light\"\n[keys]\nback = [\"b\"]\n").unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.theme.as_deref(), Some("light"));
        assert_eq!(config.keys["back"], vec!["b".to_string()]);
        std::fs::write(&path, "them = \"light\"\n").unwrap();
        assert!(Config::load(&path).is_err());
    }
}
