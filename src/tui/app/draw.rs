//! Drawing the app: the chrome around the page, the page, the overlays.

use ratatui::Frame;

use super::App;
use crate::tui::layout::areas;
use crate::tui::mode::Mode;
use crate::tui::render::{chrome, help};

impl App {
    pub fn render(&self, frame: &mut Frame) {
        let a = areas(frame.area());
        let page = self.page();
        let chrome = chrome::Chrome {
            theme: &self.theme,
            keymap: &self.keymap,
            lake: &self.lake,
            scope: &page.scope,
            place: (self.current + 1, self.history.len()),
            load: &page.load,
            mode: &self.mode,
            status: self.status.as_ref(),
            running: self.worker.running(),
            last_query: self.last_query.as_ref(),
            live_clock: self.live_clock,
            narrow: page.narrow.as_ref(),
            case: self.case.as_ref().map(|d| &d.case),
            engine: self.athena.as_ref().map(|d| d.label()),
        };
        chrome::header(&chrome, frame, a.header);
        chrome::title(&chrome, &page.title(), frame, a.title);
        chrome::body(&chrome, page.screen.as_ref(), frame, a.body);
        chrome::status(&chrome, frame, a.status);
        match &self.mode {
            Mode::Help { offset } => help::overlay(&self.theme, &self.keymap, frame, a.body, *offset),
            Mode::Command(line) => chrome::candidates(&chrome, frame, a.body, line),
            _ => {}
        }
    }
}
