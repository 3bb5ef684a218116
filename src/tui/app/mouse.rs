//! The mouse: the wheel scrolls, a click selects a row, a click on the
//! selected row opens it.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::App;
use crate::tui::action::Action;
use crate::tui::layout::areas;
use crate::tui::mode::Mode;

impl App {
    /// The mouse: the wheel scrolls, a click selects a row, a click on the
    /// selected row opens it.
    pub fn handle_mouse(&mut self, mouse: MouseEvent) {
        if self.mode != Mode::Normal {
            return;
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => (0..3).for_each(|_| self.screen_action(Action::Down)),
            MouseEventKind::ScrollUp => (0..3).for_each(|_| self.screen_action(Action::Up)),
            MouseEventKind::Down(MouseButton::Left) => self.click(mouse.row),
            _ => {}
        }
        self.fix_scroll();
    }

    fn click(&mut self, y: u16) {
        let body = areas(self.size).body;
        if y < body.y || y >= body.y + body.height {
            return;
        }
        let page = self.page();
        let screen = &page.screen;
        let at = screen.row_at((y - body.y) as usize, page.narrow.as_ref());
        let Some(index) = at.filter(|i| *i < screen.rows()) else {
            return;
        };
        if index == screen.list().cursor {
            self.screen_action(Action::Select);
        } else {
            self.page_mut().screen.list_mut().cursor = index;
        }
    }
}
