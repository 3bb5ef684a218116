//! The actors table, with fuzzy matches highlighted in the ARN.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::cells::highlighted;
use super::table::{Cell, Table};
use crate::tui::app::App;
use crate::tui::views::actors::{ActorsView, SortKey};
use crate::tui::views::target::{short_time, short_time as t};

pub fn render(app: &App, view: &ActorsView, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 110;
    let arrow = if view.descending { "▼" } else { "▲" };
    let title = |name: &str, key: SortKey| {
        if view.sort == key {
            format!("{name}{arrow}")
        } else {
            name.to_string()
        }
    };
    let mut columns = vec![(title("ACTOR", SortKey::Actor), None)];
    if wide {
        columns.push(("TYPE".to_string(), Some(12)));
    }
    columns.push((title("EVENTS", SortKey::Events), Some(7)));
    columns.push((title("ERRORS", SortKey::Errors), Some(7)));
    if wide {
        columns.push((title("FIRST SEEN", SortKey::FirstSeen), Some(19)));
    }
    columns.push((title("LAST SEEN", SortKey::LastSeen), Some(19)));
    columns.push((title("IPS", SortKey::Ips), Some(4)));
    let theme = app.theme.clone();
    let rows = view
        .shown
        .iter()
        .filter_map(|s| view.rows.get(s.index).map(|r| (s, r)))
        .map(|(shown, r)| {
            let (arn, matched) = (r.arn.clone(), shown.matched.clone());
            let (base, hit) = (theme.text, theme.matched);
            let mut cells = vec![Cell::Spans(Box::new(move |w| {
                highlighted(&arn, &matched, w, base, hit)
            }))];
            if wide {
                cells.push(Cell::Text(r.actor_type.clone().unwrap_or_default(), theme.muted));
            }
            cells.push(Cell::Text(r.events.to_string(), theme.text));
            let err_style = if r.errors > 0 { theme.error } else { theme.muted };
            cells.push(Cell::Text(r.errors.to_string(), err_style));
            if wide {
                cells.push(Cell::Text(short_time(r.first_seen), theme.muted));
            }
            cells.push(Cell::Text(t(r.last_seen), theme.muted));
            cells.push(Cell::Text(r.ip_count.to_string(), theme.text));
            cells
        })
        .collect();
    let empty = if view.rows.is_empty() {
        "no events in this scope".to_string()
    } else {
        format!("no actor matches /{}", crate::text::sanitize(&view.filter))
    };
    Table {
        columns,
        rows,
        list: &view.list,
        empty,
    }
    .render(frame, area, &app.theme);
}
