//! A report (dossier, IP, key, resource): summary, then titled sections.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::Paragraph;

use super::model::{Line, Report, Section};
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::render::cells::{clip, fit, fit_middle, widths};
use crate::tui::theme::Theme;

/// How the rows are drawn: `/`'s narrowing, the case's marks.
pub struct Shown<'a> {
    pub narrow: Option<&'a Narrow>,
    pub marked: Option<&'a dyn Fn(usize) -> bool>,
}

/// `narrow`: only the rows `/` left, drawn from a window of its own;
/// a row marked in the case has a ● after the cursor column.
pub fn render(report: &Report, list: &ListState, shown: Shown, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Shown { narrow, marked } = shown;
    let rows = report.rows();
    let selected = rows.get(list.cursor).copied();
    let total = area.width as usize;
    let mut out = Vec::new();
    let lines = report.lines_among(narrow);
    let start = match (narrow, selected) {
        (Some(narrow), Some(at)) => {
            let line = lines.iter().position(|l| *l == Line::Row(at.0, at.1)).unwrap_or(0);
            narrow.window(line, area.height as usize)
        }
        (Some(narrow), None) => narrow.window(0, area.height as usize),
        (None, _) => list.offset,
    };
    if narrow.is_some_and(|n| n.rows.is_empty()) {
        let text = narrow.map(|n| crate::text::sanitize(&n.text)).unwrap_or_default();
        out.push(TextLine::styled(format!("no row holds /{text}"), theme.muted));
    }
    for line in lines.into_iter().skip(start).take(area.height as usize) {
        out.push(match line {
            Line::Summary(i) => {
                let (label, value) = &report.summary[i];
                TextLine::from(vec![
                    Span::styled(format!("{label:>9}: "), theme.muted),
                    Span::styled(clip(value, total.saturating_sub(11)), theme.text),
                ])
            }
            Line::Blank => TextLine::raw(""),
            Line::Heading(s) => TextLine::styled(clip(&report.sections[s].title, total), theme.heading),
            Line::Nothing(_) => TextLine::styled("  (none)", theme.muted),
            Line::Columns(s) => {
                let section = &report.sections[s];
                let w = column_widths(section, area.width);
                let cells: Vec<String> = section.columns.iter().zip(&w).map(|(c, w)| fit(c.title, *w)).collect();
                TextLine::styled(format!("  {}", cells.join(" ")), theme.column)
            }
            Line::Row(s, r) => {
                let section = &report.sections[s];
                let row = &section.rows[r];
                let w = column_widths(section, area.width);
                let cursor = if Some((s, r)) == selected { "▶" } else { " " };
                let is_marked = marked.is_some_and(|m| rows.iter().position(|at| *at == (s, r)).is_some_and(m));
                let mut spans = vec![Span::raw(cursor)];
                spans.push(match is_marked {
                    true => Span::styled("●", theme.warning),
                    false => Span::raw(" "),
                });
                for (j, (cell, width)) in row.cells.iter().zip(&w).enumerate() {
                    if j > 0 {
                        spans.push(Span::raw(" "));
                    }
                    let style = if j == 0 && row.target.is_some() {
                        theme.link
                    } else {
                        theme.text
                    };
                    let text = if section.columns[j].middle {
                        fit_middle(cell, *width)
                    } else {
                        fit(cell, *width)
                    };
                    spans.push(Span::styled(text, style));
                }
                let mut line = TextLine::from(spans);
                if Some((s, r)) == selected {
                    for span in &mut line.spans {
                        span.style = span.style.patch(theme.selected);
                    }
                }
                line
            }
        });
    }
    frame.render_widget(Paragraph::new(out), area);
}

fn column_widths(section: &Section, width: u16) -> Vec<usize> {
    let fixed: Vec<Option<u16>> = section.columns.iter().map(|c| c.width).collect();
    widths(&fixed, width.saturating_sub(2), 30)
}
