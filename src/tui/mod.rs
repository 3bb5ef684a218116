//! The interactive workbench: `lakescope` with no command, or `lakescope tui`.
//!
//! Keys become [`action::Action`]s (`keymap.rs`, from `default_keys.toml`);
//! the [`App`] handles those about the history and the modes and hands the
//! rest to the screen shown (`screens/`, each a [`screen::Screen`]), which
//! answers with an effect: open another screen, reload, copy, say something.
//! A screen's query runs on the engine's
//! [`QueryWorker`](crate::lake::worker::QueryWorker) thread, so the loop
//! below never waits for DuckDB; its typed reply comes back to that screen.

pub mod action;
pub mod app;
pub mod athena_desk;
pub mod case_desk;
mod clipboard;
pub mod command;
pub mod config;
pub mod history;
pub mod input;
pub mod keymap;
mod lake_refresh;
pub mod layout;
pub mod list;
pub mod logging;
pub mod mode;
pub mod narrow;
pub mod page;
mod render;
pub mod screen;
pub mod screens;
pub mod search;
pub mod target;
pub mod terminal;
pub mod theme;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, Event};
use ratatui::layout::Rect;

pub use app::{App, Options};

use crate::lake::Lake;

/// How often the screen is redrawn and the worker polled while idle.
const TICK: Duration = Duration::from_millis(50);

/// How often the lake directory is checked for new partitions.
const LAKE_POLL: Duration = Duration::from_secs(2);

/// What the command line passes to the TUI.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Theme name; overrides the config file.
    pub theme: Option<String>,
    /// The scope of the first view (`--account`, `--region`, `--from`, `--to`).
    pub scope: crate::lake::Scope,
    /// `--engine athena`: the pages with an Athena form are asked of it.
    pub athena: Option<std::sync::Arc<crate::lake::athena::engine::Engine>>,
    /// `--sync-into`: where `B` proposes to bring an Athena answer's slice home.
    pub sync_into: Option<std::path::PathBuf>,
}

/// Key bindings and theme from the config file and the command line.
pub fn load_options(run: &RunOptions, size: Rect) -> Result<Options> {
    let config = match config::config_path() {
        Some(path) => config::Config::load(&path)?,
        None => config::Config::default(),
    };
    let mut keymap = keymap::Keymap::defaults()?;
    keymap.apply(&config.keys)?;
    let name = run.theme.clone().or(config.theme).unwrap_or_else(|| "dark".into());
    let theme = theme::Theme::named(&name, theme::no_color_requested())?;
    Ok(Options {
        theme,
        keymap,
        live_clock: true,
        size,
        scope: run.scope.clone(),
        // On Athena, a page asked again for each day indexed would be billed again.
        index_in_background: run.athena.is_none(),
        cases: crate::case::store::default_dir(),
        athena: run
            .athena
            .clone()
            .map(|e| athena_desk::AthenaDesk::new(e, run.sync_into.clone())),
    })
}

/// Open the lake, then run the full-screen workbench until the user quits.
pub fn run(lake_path: &Path, run: &RunOptions) -> Result<()> {
    if let Some(path) = config::log_path()
        && let Err(e) = logging::to_file(&path)
    {
        eprintln!("lakescope: no log file ({}): {e}", path.display());
    }
    // Open before touching the terminal: a lake error is a plain message.
    let lake = Lake::open(lake_path).with_context(|| format!("cannot open the lake at {}", lake_path.display()))?;
    let (w, h) = ratatui::crossterm::terminal::size().context("not a terminal")?;
    let options = load_options(run, Rect::new(0, 0, w, h))?;
    let mut app = App::new(lake, options).context("cannot start the query worker")?;
    if let Some(file) = history::CommandHistory::default_file() {
        app.keep_history(file);
    }
    app.watch_lake(LAKE_POLL);
    let mut guard = terminal::enter().context("cannot set up the terminal")?;
    tracing::info!(lake = %lake_path.display(), "tui started");
    let result = event_loop(&mut guard, &mut app);
    drop(guard);
    tracing::info!("tui stopped");
    result
}

fn event_loop(guard: &mut terminal::Guard, app: &mut App) -> Result<()> {
    loop {
        app.tick();
        for sequence in app.take_output() {
            guard.write_raw(&sequence)?;
        }
        guard.terminal.draw(|frame| app.render(frame))?;
        // Debug builds only: a panic after the first frame, for the test
        // that the terminal comes back (tests/tui_tmux.rs).
        #[cfg(debug_assertions)]
        if std::env::var_os("LAKESCOPE_TEST_PANIC").is_some() {
            panic!("LAKESCOPE_TEST_PANIC: deliberate panic after the first frame");
        }
        if app.should_quit() {
            return Ok(());
        }
        if event::poll(TICK)? {
            // Take everything queued so that a burst of keys is one redraw.
            loop {
                match event::read()? {
                    Event::Key(key) => app.handle_key(key),
                    Event::Mouse(mouse) => app.handle_mouse(mouse),
                    Event::Resize(w, h) => {
                        app.resize(w, h);
                        guard.terminal.autoresize()?;
                    }
                    _ => {}
                }
                if app.should_quit() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
    }
}
