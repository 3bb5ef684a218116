//! The event inspector: a foldable JSON tree.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::cells::clip;
use crate::text::width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::page::Load;
use crate::tui::views::inspector::{InspectorView, Node, cut_mark};

pub fn render(app: &App, view: &InspectorView, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let k = |a| app.keymap.hint(a);
    let note = match (&view.record, &app.page().load) {
        (Some(_), Load::Pending(_) | Load::Stale) => "loading record…".to_string(),
        (Some(_), Load::Cancelled) => format!(
            "record not loaded (cancelled; {} loads it); event fields shown",
            k(Action::Refresh)
        ),
        _ => view.note.clone(),
    };
    let mut lines = vec![Line::styled(
        clip(
            &format!(
                "{} · {} fold · {} unfold · {} copy · {} copy all",
                note,
                k(Action::Collapse),
                k(Action::Expand),
                k(Action::Copy),
                k(Action::CopyAll)
            ),
            area.width as usize,
        ),
        theme.column,
    )];
    let height = area.height.saturating_sub(1) as usize;
    for (i, node) in view.nodes().iter().enumerate().skip(view.list.offset).take(height) {
        let indent = "  ".repeat(node.depth);
        let marker = match (node.container, node.folded) {
            (true, true) => "▸ ",
            (true, false) => "▾ ",
            _ => "  ",
        };
        let key = format!("{indent}{marker}{}: ", clip(&node.key, 40));
        let room = (area.width as usize).saturating_sub(width(&key));
        let value_style = if node.container { theme.muted } else { theme.text };
        let mut line = Line::from(vec![
            Span::styled(key, theme.heading),
            Span::styled(value_text(node, room), value_style),
        ]);
        if i == view.list.cursor {
            for span in &mut line.spans {
                span.style = span.style.patch(theme.selected);
            }
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The value clipped to `room` cells; a string cut for display keeps its
/// "… (N bytes)" mark however narrow the screen.
fn value_text(node: &Node, room: usize) -> String {
    match node.cut {
        Some(bytes) => {
            let mark = cut_mark(bytes);
            let shown = node.text.strip_suffix(mark.as_str()).unwrap_or(&node.text);
            let head = clip(shown, room.saturating_sub(width(&mark)));
            // `clip` marks its own cut with "…": one mark is enough.
            let head = head.strip_suffix('…').unwrap_or(&head);
            format!("{head}{mark}")
        }
        None => clip(&node.text, room),
    }
}
