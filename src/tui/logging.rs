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
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let filter = EnvFilter::try_from_env("LAKESCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
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
