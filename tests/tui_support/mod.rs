//! Drives the TUI without a terminal: keys in, rendered lines out
//! (ratatui's TestBackend), waiting for the query worker with a bound.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lakescope::lake::Lake;
use lakescope::tui::keymap::{Key, Keymap};
use lakescope::tui::screen::Load;
use lakescope::tui::screens::hunts::HuntsScreen;
use lakescope::tui::screens::report::ReportScreen;
use lakescope::tui::theme::Theme;
use lakescope::tui::{App, Options};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

// The helpers every integration test shares (the demo lake, its truth,
// the real samples), for the TUI tests through this module.
#[path = "../common/mod.rs"]
pub mod common;
#[allow(unused_imports)] // each test crate uses some of them
pub use common::{demo, real, truth};

pub fn invictus() -> PathBuf {
    real("invictus-aws")
}

pub struct Harness {
    pub app: App,
    terminal: Terminal<TestBackend>,
    /// The harness's own case folder (never the user's), unless one was given.
    _cases: Option<tempfile::TempDir>,
}

impl Harness {
    pub fn open(lake: &Path, width: u16, height: u16) -> Harness {
        let lake = Lake::open(lake).expect("open the lake");
        Harness::with(lake, width, height, Theme::named("dark", false).unwrap())
    }

    pub fn with(lake: Lake, width: u16, height: u16, theme: Theme) -> Harness {
        Harness::with_indexing(lake, width, height, theme, false)
    }

    /// With `index`, the app writes the event store on a thread and
    /// answers from the days done meanwhile, as the binary does.
    pub fn with_indexing(lake: Lake, width: u16, height: u16, theme: Theme, index: bool) -> Harness {
        let cases = tempfile::tempdir().expect("a case folder");
        let mut h = Harness::start(lake, width, height, theme, index, cases.path());
        h._cases = Some(cases);
        h
    }

    /// Keeping cases in `cases`: a second harness on it sees the first's.
    pub fn open_with_cases(lake: &Path, width: u16, height: u16, cases: &Path) -> Harness {
        let lake = Lake::open(lake).expect("open the lake");
        Harness::start(lake, width, height, Theme::named("dark", false).unwrap(), false, cases)
    }

    fn start(lake: Lake, width: u16, height: u16, theme: Theme, index: bool, cases: &Path) -> Harness {
        // The user's own hunts and rules must not change what tests see (a
        // test binary that chose its own folders keeps them: the first choice holds).
        let none = Some(PathBuf::from("/nonexistent/lakescope-tests"));
        lakescope::lake::hunts::library::choose_dirs(none.clone(), none);
        let options = Options {
            theme,
            keymap: Keymap::defaults().unwrap(),
            // Snapshots must not depend on how long a query took.
            live_clock: false,
            size: Rect::new(0, 0, width, height),
            scope: Default::default(),
            index_in_background: index,
            cases: Some(cases.to_path_buf()),
            athena: None,
        };
        let app = App::new(lake, options).expect("start the app");
        let terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let mut h = Harness {
            app,
            terminal,
            _cases: None,
        };
        h.settle();
        h
    }

    /// Space-separated key names as in binding files: "j j enter", "ctrl-c", "/".
    pub fn keys(&mut self, keys: &str) {
        for name in keys.split(' ').filter(|k| !k.is_empty()) {
            let key = Key::parse(name).unwrap_or_else(|| panic!("bad key {name:?}"));
            self.app.handle_key(KeyEvent::new(key.code, key.modifiers));
            self.settle();
        }
    }

    /// Type text into the filter or command line.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        self.settle();
    }

    /// Wait (at most 180 s) until the page has its data.
    pub fn settle(&mut self) {
        let start = Instant::now();
        loop {
            self.app.tick();
            if !matches!(self.app.page().load, Load::Pending(_)) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(180),
                "query still running after 180 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.app.resize(width, height);
        self.terminal.backend_mut().resize(width, height);
    }

    /// The screen as text, one line per row, trailing spaces cut.
    pub fn screen(&mut self) -> String {
        self.terminal.draw(|f| self.app.render(f)).unwrap();
        let buffer = self.terminal.backend().buffer();
        let mut out = Vec::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            for x in 0..buffer.area.width {
                line.push_str(buffer[(x, y)].symbol());
            }
            out.push(line.trim_end().to_string());
        }
        out.join("\n")
    }

    /// The screen without machine-dependent absolute paths (for snapshots).
    pub fn snapshot_text(&mut self) -> String {
        let screen = self.screen();
        screen
            .lines()
            .map(|l| match l.find("file: ") {
                Some(i) => format!("{}file: <path>", &l[..i]),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn buffer(&self) -> &ratatui::buffer::Buffer {
        self.terminal.backend().buffer()
    }

    pub fn title(&self) -> String {
        self.app.page().title()
    }

    /// Text of the selected row of a report view.
    pub fn selected_row(&self) -> Option<Vec<String>> {
        let report = self.app.screen::<ReportScreen>()?;
        report.selected().map(|row| row.cells.clone())
    }

    /// Move the cursor of a report to the first row whose cells include `needle`.
    pub fn cursor_to(&mut self, needle: &str) {
        self.keys("g");
        for _ in 0..500 {
            if self
                .selected_row()
                .is_some_and(|cells| cells.iter().any(|c| c.contains(needle)))
            {
                return;
            }
            self.keys("j");
        }
        panic!("no row with {needle:?} in {}:\n{}", self.title(), self.screen());
    }

    /// Move the cursor of the Hunts page to the hunt titled `title`.
    pub fn cursor_to_hunt(&mut self, title: &str) {
        self.keys("g");
        for _ in 0..100 {
            let hunts = self.app.screen::<HuntsScreen>().expect("the Hunts page");
            if hunts.selected().is_some_and(|hit| hit.title == title) {
                return;
            }
            self.keys("j");
        }
        panic!("no hunt {title:?} in {}:\n{}", self.title(), self.screen());
    }

    /// Move the cursor of a report to the first row whose first cell is `first`.
    pub fn cursor_to_row(&mut self, first: &str) {
        self.keys("g");
        for _ in 0..500 {
            if self
                .selected_row()
                .is_some_and(|cells| cells.first().is_some_and(|c| c == first))
            {
                return;
            }
            self.keys("j");
        }
        panic!("no row starting with {first:?} in {}:\n{}", self.title(), self.screen());
    }

    /// (label, value) summary lines of the current report.
    pub fn summary(&self, label: &str) -> Option<String> {
        let report = self.app.screen::<ReportScreen>()?;
        report
            .report
            .as_ref()?
            .summary
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
    }
}
