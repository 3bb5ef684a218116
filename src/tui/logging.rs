//! The TUI logs to a file: anything written to the screen would corrupt it.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Send `tracing` output to `path` (appending). Level from `LAKESCOPE_LOG`
/// (default `info`). Does nothing if a subscriber is already set.
pub fn to_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    rotate(path, ROTATE_BYTES)?;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let filter = EnvFilter::try_from_env("LAKESCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}

/// A log this large is moved to `<name>.1` (replacing the one before) when
/// the TUI starts: two files at most, never an ever-growing one.
const ROTATE_BYTES: u64 = 8 * 1024 * 1024;

fn rotate(path: &Path, limit: u64) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() >= limit => {
            let mut old = path.as_os_str().to_owned();
            old.push(".1");
            std::fs::rename(path, old)
        }
        _ => Ok(()),
    }
}

/// Headless commands log to stderr, and only when `LAKESCOPE_LOG` is set
/// (`LAKESCOPE_LOG=debug` shows every SQL statement): stdout stays data.
pub fn to_stderr_if_asked() {
    if let Ok(filter) = EnvFilter::try_from_env("LAKESCOPE_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .try_init();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_full_log_moves_aside_once() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tui.log");
        std::fs::write(&log, vec![b'x'; 100]).unwrap();
        super::rotate(&log, 1000).unwrap();
        assert!(log.exists(), "small: kept");
        super::rotate(&log, 100).unwrap();
        assert!(!log.exists());
        assert_eq!(std::fs::read(dir.path().join("tui.log.1")).unwrap().len(), 100);
    }
}
