//! The header (lake, scope, warnings), the breadcrumb line, the screen's
//! body while it loads or failed, the status line with the running query,
//! and command-line completions.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::cells::clip;
use crate::case::Case;
use crate::lake::worker::Running;
use crate::lake::{Lake, Scope};
use crate::text::width;
use crate::tui::action::Action;
use crate::tui::input::LineInput;
use crate::tui::keymap::Keymap;
use crate::tui::mode::{CommandLine, Mode, Status};
use crate::tui::narrow::Narrow;
use crate::tui::screen::{AnyScreen, Draw, Load, Severity};
use crate::tui::theme::Theme;

/// What the app shows around the screen.
pub struct Chrome<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub lake: &'a Lake,
    pub scope: &'a Scope,
    /// Place of the page in the history: (1-based position, pages).
    pub place: (usize, usize),
    pub load: &'a Load,
    pub mode: &'a Mode,
    pub status: Option<&'a Status>,
    pub running: Option<Running>,
    /// The last finished query: what and how long.
    pub last_query: Option<&'a (String, Duration)>,
    /// Show elapsed times (off in snapshot tests).
    pub live_clock: bool,
    /// `/` narrowing the page's table.
    pub narrow: Option<&'a Narrow>,
    /// The case open, for the markers on marked rows.
    pub case: Option<&'a Case>,
    /// Where the pages with an Athena form are asked (`--engine athena`).
    pub engine: Option<String>,
}

/// The screen, or what stands for it while it has no rows: loading, failed, cancelled.
pub fn body(app: &Chrome, screen: &dyn AnyScreen, frame: &mut Frame, area: Rect) {
    if screen.rows() == 0 && !screen.whole_lake() {
        let text = match app.load {
            Load::Pending(_) | Load::Stale => "⟳ loading…".to_string(),
            Load::Failed(message) => format!("✗ {}", clip(message, 400)),
            Load::Cancelled => format!("query cancelled — {} runs it again", app.keymap.hint(Action::Refresh)),
            Load::Ready => String::new(),
        };
        if !text.is_empty() {
            let style = if matches!(app.load, Load::Failed(_)) {
                app.theme.error
            } else {
                app.theme.muted
            };
            frame.render_widget(Paragraph::new(text).style(style).wrap(Wrap { trim: true }), area);
            return;
        }
    }
    let marked = |row: usize| {
        let case = app.case.filter(|c| !c.marks.is_empty());
        case.zip(screen.markable(row))
            .is_some_and(|(c, m)| c.is_marked(m.kind, &m.value))
    };
    let has_marks = app.case.is_some_and(|c| !c.marks.is_empty());
    let draw = Draw {
        theme: app.theme,
        keymap: app.keymap,
        load: app.load,
        narrow: app.narrow.map(|n| (screen.list(), n)),
        marked: has_marks.then_some((screen.list(), &marked as &dyn Fn(usize) -> bool)),
    };
    screen.render(&draw, frame, area);
}

pub fn header(app: &Chrome, frame: &mut Frame, area: Rect) {
    let lake = app
        .lake
        .root()
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let problems = app.lake.problems().len();
    let mut text = format!(
        " lakescope │ {} │ scope: {}",
        clip(&lake, 30),
        clip(&app.scope.describe(), 80)
    );
    if let Some(engine) = &app.engine {
        text.push_str(&format!(" │ {engine}"));
    }
    if let Some(p) = app.lake.partial_answers() {
        // The event store is still being written: say how much answers.
        text.push_str(&format!(" │ partial: {} of {} days", p.days_done, p.days_total));
    }
    if problems > 0 {
        text.push_str(&format!(" │ ⚠ {problems} unreadable"));
    }
    frame.render_widget(
        Paragraph::new(clip(&text, area.width as usize)).style(app.theme.header),
        area,
    );
}

pub fn title(app: &Chrome, title: &str, frame: &mut Frame, area: Rect) {
    let place = format!("[{}/{}] ", app.place.0, app.place.1);
    let state = match app.load {
        Load::Pending(_) => " ⟳",
        Load::Failed(_) => " ✗",
        Load::Cancelled => " (cancelled)",
        Load::Ready | Load::Stale => "",
    };
    let room = (area.width as usize).saturating_sub(width(&place) + width(state));
    let line = Line::from(vec![
        Span::styled(place, app.theme.muted),
        Span::styled(clip(title, room), app.theme.title),
        Span::styled(state, app.theme.warning),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

pub fn status(app: &Chrome, frame: &mut Frame, area: Rect) {
    let w = area.width as usize;
    let line = match app.mode {
        Mode::Filter { input, .. } => typing("/", input, Some("enter keeps · esc restores"), w, app.theme),
        Mode::Search { input, .. } => typing("/", input, Some("enter keeps · esc returns"), w, app.theme),
        Mode::Command(line) => typing(":", &line.input, None, w, app.theme),
        _ => status_line(app, w),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The status line while typing after `prompt`, with a `hint` when there is room.
fn typing(prompt: &str, input: &LineInput, hint: Option<&str>, w: usize, theme: &Theme) -> Line<'static> {
    let room = w.saturating_sub(if hint.is_some() { 30 } else { 2 });
    let mut spans = vec![Span::styled(prompt.to_string(), theme.title)];
    spans.extend(editing(input, room, theme));
    if let Some(hint) = hint {
        spans.push(Span::styled(format!("  {hint}"), theme.muted));
    }
    Line::from(spans)
}

/// A line being edited, at most `room` cells: the text around the cursor,
/// which is a block at the end or the character under it reversed.
fn editing(input: &LineInput, room: usize, theme: &Theme) -> Vec<Span<'static>> {
    let chars: Vec<char> = input.text().chars().collect();
    let cursor = input.cursor().min(chars.len());
    // The cursor stays in view: characters go from the left first.
    let start = (cursor + 1).saturating_sub(room.max(1));
    let before: String = chars[start..cursor].iter().collect();
    match chars.get(cursor) {
        None => vec![Span::raw(before), Span::styled("█", theme.muted)],
        Some(c) => {
            let after: String = chars[cursor + 1..].iter().collect();
            let left = room.saturating_sub(cursor - start + 1);
            vec![
                Span::raw(before),
                Span::styled(c.to_string(), Style::default().add_modifier(Modifier::REVERSED)),
                Span::raw(clip(&after, left)),
            ]
        }
    }
}

fn status_line(app: &Chrome, w: usize) -> Line<'static> {
    // What runs, for how long, and how to stop it, always wins the right side.
    // A first query over raw CloudTrail converts it once: say how far it is.
    let conversion = app.lake.conversion();
    let what = |r: &crate::lake::worker::Running| match &conversion {
        Some(c) => format!("{} — {}", r.what, c.describe()),
        None => r.what.clone(),
    };
    let right = match &app.running {
        Some(r) if app.live_clock => format!("⟳ {} {:.1}s · esc cancels", what(r), r.since.elapsed().as_secs_f32()),
        Some(r) => format!("⟳ {} · esc cancels", what(r)),
        // Indexing beside the queries: how far it is.
        None => match (&conversion, app.last_query) {
            (Some(c), _) => format!("⟳ {}", c.describe()),
            (None, Some((what, took))) if app.live_clock => format!("{what}: {:.2}s", took.as_secs_f32()),
            _ => String::new(),
        },
    };
    // One-time work on the lake (conversion, indexing) may take minutes:
    // its progress counter, at the end, gets most of the line.
    let share = if conversion.is_some() { w * 4 / 5 } else { w / 2 };
    let right = clip(&right, share);
    let room = w.saturating_sub(width(&right) + 1);
    let (left, style) = match app.status {
        Some(s) => (
            s.text.clone(),
            match s.severity {
                Severity::Info => app.theme.text,
                Severity::Warning => app.theme.warning,
                Severity::Error => app.theme.error,
            },
        ),
        None => (hints(app), app.theme.muted),
    };
    let left = clip(&left, room);
    let gap = w.saturating_sub(width(&left) + width(&right));
    Line::from(vec![
        Span::styled(left, style),
        Span::raw(" ".repeat(gap)),
        Span::styled(right, app.theme.warning),
    ])
}

fn hints(app: &Chrome) -> String {
    let k = |a| app.keymap.hint(a);
    let loading = matches!(app.load, Load::Pending(_));
    let mut parts = vec![
        format!("{} help", k(Action::Help)),
        format!("{} command", k(Action::Command)),
        format!("{} filter", k(Action::Filter)),
        format!("{} open", k(Action::Select)),
        format!("{} back", k(Action::Back)),
        format!("{} quit", k(Action::Quit)),
    ];
    if loading {
        parts.insert(0, format!("{} cancel", k(Action::Cancel)));
    }
    parts.join(" · ")
}

/// Completion candidates just above the command line.
pub fn candidates(app: &Chrome, frame: &mut Frame, body: Rect, line: &CommandLine) {
    let shown = line.candidates.len().min(6).min(body.height as usize);
    if shown == 0 {
        return;
    }
    let area = Rect::new(body.x, body.y + body.height - shown as u16, body.width, shown as u16);
    let start = line.choice.unwrap_or(0).saturating_sub(shown - 1);
    let lines: Vec<Line> = line
        .candidates
        .iter()
        .enumerate()
        .skip(start)
        .take(shown)
        .map(|(i, c)| {
            let style = if Some(i) == line.choice {
                app.theme.selected
            } else {
                app.theme.text
            };
            Line::styled(format!(" {}", clip(c, (body.width as usize).saturating_sub(1))), style)
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).style(app.theme.text), area);
}
