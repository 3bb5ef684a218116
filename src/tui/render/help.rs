//! The help overlay, written from the live key bindings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::cells::clip;
use crate::tui::command::COMMANDS;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// Lines of the overlay: the bindings, a blank, a heading and the commands.
pub fn lines(keymap: &Keymap) -> usize {
    keymap.help_rows().len() + COMMANDS.len() + 2
}

pub fn overlay(theme: &Theme, keymap: &Keymap, frame: &mut Frame, body: Rect, offset: usize) {
    let width = body.width.saturating_sub(4).min(90);
    let area = Rect::new(body.x + (body.width - width) / 2, body.y, width, body.height);
    let inner = width.saturating_sub(2) as usize;
    let rows = keymap.help_rows();
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(inner / 2);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{:<key_width$}  ", clip(keys, key_width)), theme.heading),
                Span::styled(clip(what, inner.saturating_sub(key_width + 2)), theme.text),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands (tab completes)", theme.column));
    lines.extend(
        COMMANDS
            .iter()
            .map(|(_, usage)| Line::styled(clip(usage, inner), theme.text)),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" keys (from your bindings) · esc closes ", theme.title));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((offset as u16, 0)), area);
}
