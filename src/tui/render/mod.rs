//! Drawing, purely from the app's state: one file per screen region.

mod actors;
mod cells;
mod chrome;
mod events;
mod help;
mod inspector;
mod partitions;
mod report;
mod table;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::app::{App, Mode};
use super::layout::areas;
use super::page::{Load, View};

impl App {
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        let a = areas(area);
        chrome::header(self, frame, a.header);
        chrome::title(self, frame, a.title);
        self.body(frame, a.body);
        chrome::status(self, frame, a.status);
        match &self.mode {
            Mode::Help { offset } => help::overlay(self, frame, a.body, *offset),
            Mode::Command(line) => chrome::candidates(self, frame, a.body, line),
            _ => {}
        }
    }

    fn body(&self, frame: &mut Frame, area: Rect) {
        let page = self.page();
        if page.view.is_empty() && !matches!(page.view, View::Partitions(_)) {
            let text = match &page.load {
                Load::Pending(_) | Load::Stale => "⟳ loading…".to_string(),
                Load::Failed(message) => format!("✗ {}", cells::clip(message, 400)),
                Load::Cancelled => format!(
                    "query cancelled — {} runs it again",
                    self.keymap.hint(super::action::Action::Refresh)
                ),
                Load::Ready => String::new(),
            };
            if !text.is_empty() {
                let style = if matches!(page.load, Load::Failed(_)) {
                    self.theme.error
                } else {
                    self.theme.muted
                };
                frame.render_widget(
                    Paragraph::new(text)
                        .style(style)
                        .wrap(ratatui::widgets::Wrap { trim: true }),
                    area,
                );
                return;
            }
        }
        match &page.view {
            View::Partitions(p) => partitions::render(self, p, frame, area),
            View::Actors(a) => actors::render(self, a, frame, area),
            View::Report(r) => report::render(self, r, frame, area),
            View::Events(e) => events::render(self, e, frame, area),
            View::Inspector(i) => inspector::render(self, i, frame, area),
            View::Timeline(t) => timeline::render(self, t, frame, area),
        }
    }
}
