//! The partitions tree.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::cells::bytes;
use super::table::{Cell, Table};
use crate::tui::app::App;
use crate::tui::views::partitions::PartitionsView;

pub fn render(app: &App, view: &PartitionsView, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let events_title = if view.counted {
        "EVENTS, ALL SOURCES"
    } else {
        "EVENTS ⟳"
    };
    let columns = vec![
        (
            "SOURCE / ACCOUNT / REGION / DAY  (enter: scope to it)".to_string(),
            None,
        ),
        ("FILES".to_string(), Some(6)),
        ("SIZE".to_string(), Some(9)),
        (events_title.to_string(), Some(19)),
    ];
    let rows = view
        .visible()
        .into_iter()
        .map(|node| {
            let depth = node.path.len() - 1;
            let marker = if node.leaf {
                "  "
            } else if node.expanded {
                "▾ "
            } else {
                "▸ "
            };
            let name = node.path.last().cloned().unwrap_or_default();
            let style = if depth == 0 { theme.heading } else { theme.text };
            vec![
                Cell::Text(format!("{}{marker}{name}", "  ".repeat(depth)), style),
                Cell::Text(node.totals.files.to_string(), theme.muted),
                Cell::Text(bytes(node.totals.bytes), theme.muted),
                Cell::Text(
                    match (node.totals.events, view.counted) {
                        (Some(n), _) => n.to_string(),
                        (None, true) => String::new(),
                        (None, false) => "…".into(),
                    },
                    theme.text,
                ),
            ]
        })
        .collect();
    Table {
        columns,
        rows,
        list: &view.list,
        empty: "no partitions".into(),
    }
    .render(frame, area, theme);
}
