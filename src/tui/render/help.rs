//! The help overlay, written from the live key bindings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::cells::clip;
use crate::tui::app::App;
use crate::tui::command::COMMANDS;

pub fn overlay(app: &App, frame: &mut Frame, body: Rect, offset: usize) {
    let theme = &app.theme;
    let width = body.width.saturating_sub(4).min(90);
    let area = Rect::new(body.x + (body.width - width) / 2, body.y, width, body.height);
    let inner = width.saturating_sub(2) as usize;
    let rows = app.keymap.help_rows();
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
