//! Terminal set-up and restore. The terminal comes back on quit, on error
//! (the guard's Drop) and on panic (a hook that restores before the report).

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Is the terminal set up for the TUI? Restoring twice (the panic hook, then
/// the guard dropped while unwinding) would leave the alternate screen twice:
/// the second restores the cursor to the top left, and whatever is printed
/// next (the shell prompt) overwrites the panic message.
static ENTERED: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<Guard> {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
    enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture, cursor::Hide) {
        let _ = restore();
        return Err(e);
    }
    let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
    Ok(Guard { terminal })
}

/// Leave raw mode, the alternate screen and mouse capture; show the cursor.
/// Does nothing if the terminal is not (or no longer) set up.
pub fn restore() -> io::Result<()> {
    if !ENTERED.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
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
