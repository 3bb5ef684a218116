//! The mouse: the wheel scrolls, a click selects a row, a click on the
//! selected row opens it.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::action::Action;
use super::app::{App, Mode};
use super::page::View;
use super::views::report::Line;

impl App {
    pub fn handle_mouse(&mut self, mouse: MouseEvent) {
        if self.mode != Mode::Normal {
            return;
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => (0..3).for_each(|_| self.navigate(Action::Down)),
            MouseEventKind::ScrollUp => (0..3).for_each(|_| self.navigate(Action::Up)),
            MouseEventKind::Down(MouseButton::Left) => self.click(mouse.row),
            _ => {}
        }
        self.fix_scroll();
    }

    /// A click selects a row; a click on the selected row opens it.
    fn click(&mut self, y: u16) {
        let body = super::layout::areas(self.size).body;
        if y < body.y || y >= body.y + body.height {
            return;
        }
        let dy = (y - body.y) as usize;
        let view = &self.page().view;
        let index = match view {
            View::Report(r) => r
                .report
                .as_ref()
                .and_then(|report| match report.lines().get(r.list.offset + dy) {
                    Some(Line::Row(s, i)) => report.rows().iter().position(|at| *at == (*s, *i)),
                    _ => None,
                }),
            // Tables have a column header line above their rows.
            other => dy.checked_sub(1).map(|d| other.list().offset + d),
        };
        let Some(index) = index.filter(|i| *i < view.len()) else {
            return;
        };
        if index == view.list().cursor {
            self.select();
        } else {
            self.page_mut().view.list_mut().cursor = index;
        }
    }
}
