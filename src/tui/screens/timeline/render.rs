//! The timeline: a histogram (errors in the error colour), a time axis, the
//! cursor bucket's numbers, first-sighting markers and one sparkline per lane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state::{MAX_LANES, TimelineScreen};
use crate::lake::Timeline;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::render::cells::{clip, fit, fit_middle};
use crate::tui::screen::Draw;

const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Widest lane label.
const LABEL: usize = 26;

/// Columns left of the histogram for lane labels, in every body width.
pub fn label_width(body_width: u16) -> usize {
    LABEL.min(body_width as usize / 3)
}

pub fn render(view: &TimelineScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let Some(t) = &view.timeline else { return };
    let theme = ctx.theme;
    let label = label_width(area.width);
    let n = t.bucket_count();
    let col = ((area.width as usize).saturating_sub(label + 1) / n.max(1)).clamp(1, 4);
    let totals: Vec<(u64, u64)> = (0..n)
        .map(|i| {
            let lanes = t.lanes.len().max(1);
            t.buckets[i * lanes..(i + 1) * lanes]
                .iter()
                .fold((0, 0), |(e, r), b| (e + b.events, r + b.errors))
        })
        .collect();
    let mut lines: Vec<Line> = Vec::new();
    let Some((from, to)) = t.range else {
        frame.render_widget(Paragraph::new("no events in this scope").style(theme.muted), area);
        return;
    };
    lines.push(Line::styled(
        clip(
            &format!(
                "{} buckets of {} · {} → {} · {} · lanes: {}",
                n,
                t.width,
                t.zone.format(from, "%Y-%m-%d %H:%M"),
                t.zone.format(to, "%Y-%m-%d %H:%M"),
                t.zone.label(from),
                view.lanes.map_or("none", |l| l.name()),
            ),
            area.width as usize,
        ),
        theme.heading,
    ));
    let size = Marks { label, col, n };
    // First sightings after the baseline, over their bucket.
    let new = |s: i64, e: i64| t.firsts.iter().any(|f| f.new && s <= f.time.0 && f.time.0 < e);
    lines.push(marker_row(view, &size, "new:", "▼", theme.warning, new));
    // A hunt's hits (the events it kept), over their bucket.
    if !view.hits.is_empty() {
        let hit = |s: i64, e: i64| view.hits.iter().any(|&h| s <= h && h < e);
        lines.push(marker_row(view, &size, "hits:", "◆", theme.error, hit));
    }
    let fixed_rows = 7 + t.lanes.len().min(MAX_LANES + 1) + 1 + usize::from(!view.hits.is_empty());
    let height = (area.height as usize).saturating_sub(fixed_rows).clamp(3, 20);
    let max = totals.iter().map(|(e, _)| *e).max().unwrap_or(0).max(1);
    let selection = view.mark.map(|m| (m.min(view.cursor), m.max(view.cursor)));
    for row in (0..height).rev() {
        let mut spans = vec![Span::styled(
            fit(
                &if row == height - 1 {
                    format!("{max} max")
                } else {
                    String::new()
                },
                label,
            ),
            theme.muted,
        )];
        spans.push(Span::raw(" "));
        for (i, (events, errors)) in totals.iter().enumerate() {
            let fill = eighths(*events, max, height).saturating_sub(row * 8).min(8);
            let error_fill = eighths(*errors, max, height).saturating_sub(row * 8).min(8);
            let mut style = if error_fill * 2 >= fill.max(1) && error_fill > 0 {
                theme.error
            } else {
                theme.link
            };
            if i == view.cursor {
                style = style.add_modifier(Modifier::REVERSED);
            } else if selection.is_some_and(|(a, b)| a <= i && i <= b) {
                style = style.add_modifier(Modifier::UNDERLINED);
            }
            // Above its bar the cursor is a thin line, so the bars stay readable.
            let (glyph, style) = match (i == view.cursor, fill) {
                (true, 0) => ('│', theme.warning),
                _ => (BLOCKS[fill], style),
            };
            spans.push(Span::styled(glyph.to_string().repeat(col), style));
        }
        lines.push(Line::from(spans));
    }
    lines.push(axis(view, t, label, col, n));
    lines.push(cursor_line(ctx, view, t, &totals, area.width as usize));
    lines.push(Line::raw(""));
    for (row, lane) in std::iter::once(None).chain(t.lanes.iter().map(Some)).enumerate() {
        if view.lanes.is_none() && row > 0 {
            break;
        }
        let name = match lane {
            None => "all events".to_string(),
            Some(l) => l.name.clone().unwrap_or_else(|| "events".into()),
        };
        let selected = row == view.list.cursor;
        let label_style = if selected { theme.selected } else { theme.text };
        let mut spans = vec![Span::styled(fit_middle(&name, label), label_style), Span::raw(" ")];
        let counts: Vec<(u64, u64)> = match lane {
            None => totals.clone(),
            Some(l) => t
                .buckets
                .iter()
                .filter(|b| b.lane == l.name)
                .map(|b| (b.events, b.errors))
                .collect(),
        };
        let lane_max = counts.iter().map(|c| c.0).max().unwrap_or(0).max(1);
        for (i, (events, errors)) in counts.iter().enumerate() {
            let level = if *events == 0 {
                0
            } else {
                eighths(*events, lane_max, 1).clamp(1, 8)
            };
            let mut style = if *errors * 2 >= (*events).max(1) {
                theme.error
            } else {
                theme.ok
            };
            if i == view.cursor {
                style = style.add_modifier(Modifier::REVERSED);
            }
            spans.push(Span::styled(BLOCKS[level].to_string().repeat(col), style));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled(
        clip(
            &format!(
                "{} bucket · {}/{} zoom · {}/{} pan · {} select range · {} events of selection · {} lanes · {} clock",
                keys(ctx.keymap, Action::Collapse, Action::Expand),
                ctx.keymap.hint(Action::ZoomIn),
                ctx.keymap.hint(Action::ZoomOut),
                ctx.keymap.hint(Action::PanLeft),
                ctx.keymap.hint(Action::PanRight),
                ctx.keymap.hint(Action::Mark),
                ctx.keymap.hint(Action::Select),
                ctx.keymap.hint(Action::Lanes),
                ctx.keymap.hint(Action::Clock),
            ),
            area.width as usize,
        ),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Where marker rows go: label width, cells per bucket, buckets.
struct Marks {
    label: usize,
    col: usize,
    n: usize,
}

/// A row of `glyph` over each bucket `[start, end)` where `marked` holds.
fn marker_row<'a>(
    view: &TimelineScreen,
    size: &Marks,
    label: &str,
    glyph: &str,
    style: Style,
    marked: impl Fn(i64, i64) -> bool,
) -> Line<'a> {
    let col = size.col;
    let mut spans = vec![Span::raw(fit(label, size.label)), Span::raw(" ")];
    for i in 0..size.n {
        let (s, e) = view.bucket_range(i).unwrap_or_default();
        let text = match marked(s, e) {
            true => format!("{glyph:^col$}"),
            false => " ".repeat(col),
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn keys(keymap: &Keymap, a: Action, b: Action) -> String {
    format!("{}/{}", keymap.hint(a), keymap.hint(b))
}

/// Height of a bar in eighths of a cell, for `rows` rows; at least one
/// eighth for any non-zero value so that a single event shows.
fn eighths(value: u64, max: u64, rows: usize) -> usize {
    if value == 0 {
        return 0;
    }
    ((value as u128 * rows as u128 * 8).div_ceil(max.max(1) as u128) as usize).max(1)
}

/// Labels under the histogram at round times (every 10 minutes … every
/// day), as close as fits without touching; midnights show the date.
fn axis<'a>(view: &TimelineScreen, t: &Timeline, label: usize, col: usize, n: usize) -> Line<'a> {
    const MINUTES: [i64; 13] = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080];
    let bucket_minutes = (t.width.ms() / 60_000).max(1);
    // Widest label is "05-01" or "13:45": 5 cells, a tick and a space.
    let every = MINUTES
        .iter()
        .copied()
        .find(|m| *m >= bucket_minutes && (m / bucket_minutes) as usize * col >= 8)
        .unwrap_or(10080);
    let mut text = " ".repeat(label + 1);
    let mut used = 0;
    for i in 0..n {
        let Some((s, _)) = view.bucket_range(i) else { break };
        let clock = t.zone.format(s, "%H:%M");
        let minute_of_day = clock[..2].parse::<i64>().unwrap_or(0) * 60 + clock[3..].parse::<i64>().unwrap_or(0);
        let round = if every >= 1440 {
            let days = every / 1440;
            minute_of_day == 0 && t.zone.format(s, "%j").parse::<i64>().unwrap_or(0) % days == 0
        } else {
            minute_of_day % every == 0
        };
        let pos = i * col;
        if !round || pos < used {
            continue;
        }
        let mark = if minute_of_day == 0 {
            t.zone.format(s, "%m-%d")
        } else {
            clock
        };
        text.push_str(&" ".repeat(pos - used));
        text.push('╵');
        text.push_str(&mark);
        used = pos + 1 + mark.chars().count();
    }
    Line::styled(text, Style::default().add_modifier(Modifier::DIM))
}

/// The cursor bucket in words, with its first sightings.
fn cursor_line<'a>(ctx: &Draw, view: &TimelineScreen, t: &Timeline, totals: &[(u64, u64)], width: usize) -> Line<'a> {
    let theme = ctx.theme;
    let Some((s, e)) = view.bucket_range(view.cursor) else {
        return Line::raw("");
    };
    let (events, errors) = totals.get(view.cursor).copied().unwrap_or_default();
    let mut text = format!(
        "▶ {} – {} {}: {events} events, {errors} errors",
        t.zone.format(s, "%Y-%m-%d %H:%M"),
        t.zone.format(e, "%H:%M"),
        t.zone.label(s),
    );
    if let Some((a, b)) = view.selection().filter(|_| view.mark.is_some()) {
        text.push_str(&format!(
            " · selected {} → {}",
            t.zone.format(a, "%m-%d %H:%M"),
            t.zone.format(b, "%m-%d %H:%M")
        ));
    }
    for f in t.firsts.iter().filter(|f| f.new && s <= f.time.0 && f.time.0 < e) {
        text.push_str(&format!(
            " · first {} {} at {}",
            f.kind,
            f.value,
            t.zone.format(f.time.0, "%H:%M:%S")
        ));
    }
    Line::styled(clip(&text, width), theme.text)
}
