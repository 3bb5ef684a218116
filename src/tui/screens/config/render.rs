//! The AWS Config resource view: breadcrumb, then four panes — timeline
//! and causing events on top, the selected change's diff and the
//! relationship tree below. The focused pane's title is marked `▸`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state::{ConfigScreen, Pane};
use crate::lake::config::DiffKind;
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::cells::{clip, fit};
use crate::tui::render::table::{Cell, Table};
use crate::tui::screen::Draw;
use crate::tui::target::short_time;
use crate::tui::theme::Theme;

pub fn render(view: &ConfigScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let Some(data) = &view.data else { return };
    // The top panes take what their rows need, up to about half the body.
    let most_events = view.causes.iter().map(|c| c.events.len()).max().unwrap_or(0);
    let wanted = if area.width >= 100 {
        data.items.len().max(most_events) + 3
    } else {
        data.items.len() + most_events + 5
    } as u16;
    let top_height = wanted.clamp(6, (area.height.saturating_sub(1) / 2).max(6));
    let [crumb, top, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_height),
        Constraint::Min(3),
    ])
    .areas(area);
    let mut trail: Vec<String> = view.trail.clone();
    trail.push(data.key.resource_id.clone());
    let window = format!(
        " · window {} min ({}/{})",
        view.window_ms / 60_000,
        ctx.keymap.hint(Action::ZoomOut),
        ctx.keymap.hint(Action::ZoomIn)
    );
    let window = match data.others.len() {
        0 => window,
        n => format!("{window} · {n} other resource(s) match too"),
    };
    let room = (area.width as usize).saturating_sub(crate::text::width(&window));
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(clip(&trail.join(" › "), room), theme.link),
            Span::styled(window, theme.muted),
        ])),
        crumb,
    );
    // Side by side when wide; stacked at 80 columns, where halves are too
    // narrow for a time, a status and an actor.
    let [timeline, events] = if area.width >= 100 {
        Layout::horizontal([Constraint::Percentage(42), Constraint::Min(20)]).areas(top)
    } else {
        let rows = (data.items.len() as u16 + 2).clamp(3, top.height / 2);
        Layout::vertical([Constraint::Length(rows), Constraint::Min(2)]).areas(top)
    };
    let [diff, graph] = Layout::horizontal([Constraint::Percentage(50), Constraint::Min(20)]).areas(bottom);
    render_timeline(view, ctx, frame, timeline);
    render_events(view, ctx, frame, events);
    render_diff(view, theme, frame, diff);
    render_graph(ctx, view, frame, graph);
}

/// `2019-02-22 20:43:10`: table times to the second (captures carry ms).
fn seconds(t: Option<crate::lake::Millis>) -> String {
    let mut text = short_time(t);
    text.truncate(19);
    text
}

/// A pane's title line; returns the area below it.
fn pane_title(theme: &Theme, frame: &mut Frame, area: Rect, title: &str, focused: bool) -> Rect {
    let [head, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let (mark, style) = if focused {
        ("▸ ", theme.title)
    } else {
        ("  ", theme.heading)
    };
    frame.render_widget(
        Paragraph::new(clip(&format!("{mark}{title}"), area.width as usize)).style(style),
        head,
    );
    rest
}

/// The list scrolled so its cursor shows in `area` (one header line).
fn scrolled(list: &ListState, area: Rect) -> ListState {
    let rows = area.height.saturating_sub(1).max(1) as usize;
    let mut l = *list;
    l.offset = l.cursor.saturating_sub(rows - 1);
    l
}

fn render_timeline(view: &ConfigScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let Some(data) = &view.data else { return };
    let title = format!("Timeline ({} items)", data.items.len());
    let area = pane_title(theme, frame, area, &title, view.focus == Pane::Timeline);
    // Narrow panes drop the year: `05-05 02:28:26`.
    let narrow = area.width < 50;
    let when = |t| {
        let full = seconds(t);
        match full.get(5..) {
            Some(rest) if narrow && full.len() == 19 => rest.to_string(),
            _ => full,
        }
    };
    let rows: Vec<Vec<Cell>> = data
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let likely = view.causes.get(i).map_or(0, |c| c.likely().count());
            let changes = crate::lake::config::diff_items(i.checked_sub(1).map(|p| &data.items[p]), item).len();
            let status = item.status.clone().unwrap_or_else(|| "-".into());
            let status_style = match status.as_str() {
                "OK" => theme.text,
                s if s.starts_with("ResourceDeleted") => theme.error,
                "ResourceNotRecorded" => theme.warning,
                _ => theme.muted,
            };
            let delta = if i == 0 {
                "new".to_string()
            } else {
                format!("Δ{changes}")
            };
            let stars = if likely > 0 {
                format!("★{likely}")
            } else {
                String::new()
            };
            vec![
                Cell::Text(when(item.capture), theme.muted),
                Cell::Text(format!("{delta:<4}{stars}"), theme.warning),
                Cell::Text(status, status_style),
            ]
        })
        .collect();
    Table {
        columns: vec![
            ("CAPTURED".into(), Some(if narrow { 14 } else { 19 })),
            ("CHANGE".into(), Some(6)),
            ("STATUS".into(), None),
        ],
        rows: rows.into(),
        list: &scrolled(&view.list, area),
        narrow: ctx.narrow(&view.list),
        marked: ctx.marked(&view.list),
        empty: "no items".into(),
    }
    .render(frame, area, theme);
}

/// `-42s`, `-5m02s`, `+10s`: an event's time relative to the capture.
fn offset(event_ms: i64, capture_ms: i64) -> String {
    let d = event_ms - capture_ms;
    let sign = if d < 0 { "-" } else { "+" };
    let s = d.unsigned_abs() / 1000;
    match s {
        0..60 => format!("{sign}{s}s"),
        60..3600 => format!("{sign}{}m{:02}s", s / 60, s % 60),
        _ => format!("{sign}{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

fn render_events(view: &ConfigScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let causes = view.selected_causes();
    let events = causes.map(|c| c.events.as_slice()).unwrap_or_default();
    let likely = events.iter().filter(|e| e.likely).count();
    let title = format!("CloudTrail before this change ({} · ★ {likely} likely)", events.len());
    let area = pane_title(theme, frame, area, &title, view.focus == Pane::Events);
    let capture = causes.and_then(|c| c.capture).map(|c| c.0);
    let wide = area.width >= 90;
    let rows: Vec<Vec<Cell>> = events
        .iter()
        .map(|e| {
            let style = if e.likely {
                theme.warning
            } else if e.error_code.is_some() {
                theme.error
            } else {
                theme.muted
            };
            let when = match (e.time, capture) {
                (Some(t), Some(c)) => offset(t.0, c),
                _ => "-".into(),
            };
            let mut cells = vec![
                Cell::Text(if e.likely { "★".into() } else { " ".into() }, theme.warning),
                Cell::Text(when, theme.muted),
                Cell::Text(
                    match (&e.operation, &e.error_code, wide) {
                        (Some(op), Some(err), false) => format!("{op} ✗{err}"),
                        (op, _, _) => op.clone().unwrap_or_default(),
                    },
                    style,
                ),
            ];
            if wide {
                cells.push(Cell::Text(e.error_code.clone().unwrap_or_default(), theme.error));
            }
            cells.push(Cell::Text(
                e.actor.clone(),
                if e.likely { theme.link } else { theme.text },
            ));
            cells
        })
        .collect();
    let mut columns = vec![
        ("".to_string(), Some(1)),
        ("BEFORE".to_string(), Some(7)),
        ("OPERATION".to_string(), Some(if area.width >= 60 { 22 } else { 14 })),
    ];
    if wide {
        columns.push(("ERROR".to_string(), Some(12)));
    }
    columns.push(("ACTOR (enter: dossier)".to_string(), None));
    Table {
        columns,
        rows: rows.into(),
        list: &scrolled(&view.events, area),
        narrow: ctx.narrow(&view.events),
        marked: ctx.marked(&view.events),
        empty: "no event names this resource in the window".into(),
    }
    .render(frame, area, theme);
}

fn value_text(v: &Option<serde_json::Value>) -> String {
    match v {
        None => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn render_diff(view: &ConfigScreen, theme: &Theme, frame: &mut Frame, area: Rect) {
    let diff = view.selected_diff();
    let title = match view.list.cursor {
        0 => "Diff (first item: nothing before it)".to_string(),
        _ => format!("Diff with the previous item ({})", diff.len()),
    };
    let area = pane_title(theme, frame, area, &title, false);
    let w = (area.width as usize).max(4);
    let mut lines: Vec<Line> = Vec::new();
    for c in &diff {
        let style: Style = match c.change {
            DiffKind::Added => theme.ok,
            DiffKind::Removed => theme.error,
            DiffKind::Changed => theme.warning,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", c.change.sign()), style),
            Span::styled(clip(&c.path, w - 2), style),
        ]));
        let detail = match c.change {
            DiffKind::Added => value_text(&c.after),
            DiffKind::Removed => value_text(&c.before),
            DiffKind::Changed => format!("{} → {}", value_text(&c.before), value_text(&c.after)),
        };
        // The value under its path, wrapped over at most three lines.
        let chars: Vec<char> = crate::text::sanitize(&detail).chars().collect();
        for chunk in chars.chunks(w - 4).take(3) {
            let text: String = chunk.iter().collect();
            lines.push(Line::styled(clip(&format!("    {text}"), w), theme.muted));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn short_type(t: Option<&str>) -> &str {
    t.map(|t| t.rsplit("::").next().unwrap_or(t)).unwrap_or("?")
}

fn render_graph(ctx: &Draw, view: &ConfigScreen, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let Some(data) = &view.data else { return };
    let at = match data.tree_at {
        Some(t) => format!(" as of {}", seconds(Some(t))),
        None => " (latest items)".to_string(),
    };
    let title = format!("Relationships{at}");
    let area = pane_title(theme, frame, area, &title, view.focus == Pane::Graph);
    let rows: Vec<Vec<Cell>> = view
        .visible_nodes()
        .into_iter()
        .map(|i| {
            let n = &data.tree[i];
            let fold = if n.cycle {
                "↺"
            } else if n.repeat {
                "≡"
            } else if !view.has_children(i) {
                "·"
            } else if view.expanded.contains(&i) {
                "▾"
            } else {
                "▸"
            };
            let via = n.relationship.as_deref().map(|v| format!("{v} ")).unwrap_or_default();
            let name = n
                .resource_name
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let note = if n.cycle {
                " cycle, not followed"
            } else if n.repeat {
                " (expanded elsewhere)"
            } else if n.key.is_none() {
                " not recorded"
            } else {
                ""
            };
            let text = format!(
                "{}{fold} {via}{} {}{name}{note}",
                "  ".repeat(n.depth),
                short_type(n.resource_type.as_deref()),
                n.resource_id.as_deref().or(n.resource_name.as_deref()).unwrap_or("?"),
            );
            let style = if n.key.is_some() { theme.text } else { theme.muted };
            vec![Cell::Spans(Box::new(move |w| vec![Span::styled(fit(&text, w), style)]))]
        })
        .collect();
    Table {
        columns: vec![(
            format!(
                "{} opens · {}/{} unfold/fold",
                ctx.keymap.hint(Action::Select),
                ctx.keymap.hint(Action::Expand),
                ctx.keymap.hint(Action::Collapse)
            ),
            Some(area.width),
        )],
        rows: rows.into(),
        list: &scrolled(&view.graph, area),
        narrow: ctx.narrow(&view.graph),
        marked: ctx.marked(&view.graph),
        empty: "no relationships recorded".into(),
    }
    .render(frame, area, theme);
}
