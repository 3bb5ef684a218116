//! The command line's history, kept between runs in a file of the platform
//! data dir (one command per line, newest last), recalled with ↑/↓.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

/// Commands kept; the file is cut back to these when it has twice as many.
const KEPT: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct CommandHistory {
    lines: Vec<String>,
    /// None: remembered for this run only.
    file: Option<PathBuf>,
}

impl CommandHistory {
    /// Where the workbench keeps it: `command-history` in the data dir.
    pub fn default_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "lakescope").map(|d| d.data_dir().join("command-history"))
    }

    /// The history in `file` (empty when there is none yet).
    pub fn open(file: PathBuf) -> io::Result<CommandHistory> {
        let lines = match fs::read_to_string(&file) {
            Ok(text) => text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect(),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(err) => return Err(err),
        };
        Ok(CommandHistory {
            lines,
            file: Some(file),
        })
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Remember `line` (not twice in a row) and append it to the file.
    pub fn push(&mut self, line: &str) -> io::Result<()> {
        let line = line.trim();
        if line.is_empty() || line.contains('\n') || self.lines.last().is_some_and(|l| l == line) {
            return Ok(());
        }
        self.lines.push(line.to_string());
        let Some(file) = &self.file else { return Ok(()) };
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir)?;
        }
        if self.lines.len() >= 2 * KEPT {
            self.lines.drain(..self.lines.len() - KEPT);
            // Rewritten whole, then renamed over: never a half-written file.
            let fresh = file.with_extension("new");
            fs::write(&fresh, self.lines.join("\n") + "\n")?;
            return fs::rename(&fresh, file);
        }
        let mut out = OpenOptions::new().create(true).append(true).open(file)?;
        writeln!(out, "{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_between_runs_without_repeats_and_cut_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub").join("command-history");
        let mut h = CommandHistory::open(file.clone()).unwrap();
        h.push("actor bob").unwrap();
        h.push("actor bob").unwrap();
        h.push(" ").unwrap();
        h.push("ip 203.0.113.66").unwrap();
        let again = CommandHistory::open(file.clone()).unwrap();
        assert_eq!(again.lines(), ["actor bob", "ip 203.0.113.66"]);
        let mut h = again;
        for i in 0..2 * KEPT {
            h.push(&format!("key AKIA{i}")).unwrap();
        }
        let kept = CommandHistory::open(file).unwrap();
        assert!(kept.lines().len() <= 2 * KEPT && kept.lines().len() >= KEPT);
        assert_eq!(kept.lines().last().map(String::as_str), Some("key AKIA999"));
    }
}
