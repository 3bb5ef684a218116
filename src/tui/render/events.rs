//! One page of events.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::table::{Cell, Table};
use crate::tui::app::App;
use crate::tui::views::events::EventsView;
use crate::tui::views::target::short_time;

pub fn render(app: &App, view: &EventsView, frame: &mut Frame, area: Rect) {
    let [table_area, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let wide = area.width >= 110;
    // At 80 columns the account and region give way to the operation.
    let mut columns = vec![("TIME".to_string(), Some(19))];
    if wide {
        columns.push(("ACCOUNT".to_string(), Some(12)));
        columns.push(("REGION".to_string(), Some(14)));
    }
    columns.push(("ACTOR".to_string(), None));
    columns.push(("SOURCE IP".to_string(), Some(15)));
    columns.push(("OPERATION".to_string(), Some(if wide { 26 } else { 24 })));
    if wide {
        columns.push(("ERROR".to_string(), Some(18)));
    }
    let theme = &app.theme;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows = view
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::Text(short_time(r.time), theme.muted)];
            if wide {
                cells.push(Cell::Text(opt(&r.account), theme.text));
                cells.push(Cell::Text(opt(&r.region), theme.muted));
            }
            cells.push(Cell::Text(r.actor.clone(), theme.text));
            cells.push(Cell::Text(opt(&r.source_ip), theme.text));
            let op_style = if r.error_code.is_some() {
                theme.error
            } else {
                theme.text
            };
            cells.push(Cell::Text(opt(&r.operation), op_style));
            if wide {
                cells.push(Cell::Text(r.error_code.clone().unwrap_or_default(), theme.error));
            }
            cells
        })
        .collect();
    Table {
        columns,
        rows,
        list: &view.list,
        empty: "no events match".into(),
    }
    .render(frame, table_area, theme);
    let first = view.offset + 1;
    let last = view.offset + view.rows.len() as u64;
    let more = if view.has_next() { " · more below" } else { " · end" };
    let text = if view.rows.is_empty() {
        String::new()
    } else {
        format!(
            "rows {first}–{last}{more} · enter inspects · pages of {}",
            crate::tui::views::events::PAGE
        )
    };
    frame.render_widget(Paragraph::new(text).style(theme.muted), footer);
}
