//! Terminal set-up and restore. The terminal comes back on quit, on error
//! (the guard's Drop) and on panic (a hook that restores before the report).

use std::io::{self, Stdout, Write};
use std::sync::Once;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard {
    pub terminal: Term,
}

static PANIC_HOOK: Once = Once::new();

pub fn enter() -> io::Result<Guard> {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture, cursor::Hide) {
        let _ = restore();
        return Err(e);
    }
    let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
    Ok(Guard { terminal })
}

/// Leave raw mode, the alternate screen and mouse capture; show the cursor.
pub fn restore() -> io::Result<()> {
    let mut stdout = io::stdout();
    let screen = execute!(stdout, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let raw = disable_raw_mode();
    stdout.flush()?;
    screen.and(raw)
}

impl Guard {
    /// Send raw bytes (OSC 52) straight to the terminal.
    pub fn write_raw(&mut self, text: &str) -> io::Result<()> {
        let out = self.terminal.backend_mut();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Err(e) = restore() {
            tracing::error!("cannot restore the terminal: {e}");
        }
    }
}
