//! A table of text cells drawn line by line: header, rows, cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::cells::{fit, fit_middle, widths};
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::theme::Theme;

pub struct Table<'a> {
    /// Column titles and fixed widths (None: the flexible column).
    pub columns: Vec<(String, Option<u16>)>,
    /// Rows of cells; a row may bring its own spans for a column (highlights).
    pub rows: Rows<'a>,
    pub list: &'a ListState,
    /// Shown instead of rows when there are none.
    pub empty: String,
    /// `/`: only these rows are drawn.
    pub narrow: Option<&'a Narrow>,
    /// Rows marked in the case get a ● in a gutter (None: no gutter).
    pub marked: Option<&'a dyn Fn(usize) -> bool>,
}

/// The rows of a table, each built from its index when drawn: a frame
/// formats the rows on screen, not the thousands above and below them.
pub struct Rows<'a> {
    len: usize,
    cells: Box<dyn Fn(usize) -> Vec<Cell> + 'a>,
}

impl<'a> Rows<'a> {
    pub fn new(len: usize, cells: impl Fn(usize) -> Vec<Cell> + 'a) -> Rows<'a> {
        Rows {
            len,
            cells: Box::new(cells),
        }
    }

    /// A row per item of `items`.
    pub fn of<T>(items: &'a [T], cells: impl Fn(&'a T) -> Vec<Cell> + 'a) -> Rows<'a> {
        Rows::new(items.len(), move |i| cells(&items[i]))
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Rows built beforehand (short tables).
impl From<Vec<Vec<Cell>>> for Rows<'static> {
    fn from(rows: Vec<Vec<Cell>>) -> Rows<'static> {
        let len = rows.len();
        let rows = std::cell::RefCell::new(rows.into_iter().map(Some).collect::<Vec<_>>());
        Rows::new(len, move |i| rows.borrow_mut()[i].take().unwrap_or_default())
    }
}

pub enum Cell {
    Text(String, Style),
    /// Pre-built spans for a cell (already escaped and fitted), built from the width.
    Spans(Box<dyn Fn(usize) -> Vec<Span<'static>>>),
}

impl Table<'_> {
    pub fn render(self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let fixed: Vec<Option<u16>> = self.columns.iter().map(|c| c.1).collect();
        // A case with marks: a two-cell gutter for the marker.
        let gutter = if self.marked.is_some() { 2 } else { 0 };
        let w = widths(&fixed, area.width.saturating_sub(gutter), 16);
        let mut lines = Vec::new();
        let header: Vec<String> = w.iter().zip(&self.columns).map(|(w, c)| fit(&c.0, *w)).collect();
        let pad = " ".repeat(gutter as usize);
        lines.push(Line::styled(format!("{pad}{}", header.join(" ")), theme.column));
        let height = area.height.saturating_sub(1) as usize;
        let shown: Box<dyn Iterator<Item = usize>> = match self.narrow {
            Some(narrow) => {
                let at = narrow.position(self.list.cursor).unwrap_or(0);
                let start = narrow.window(at, height);
                Box::new(narrow.rows.iter().copied().skip(start))
            }
            None => Box::new(self.list.offset..self.rows.len),
        };
        match self.narrow {
            _ if self.rows.is_empty() => lines.push(Line::styled(self.empty.clone(), theme.muted)),
            Some(narrow) if narrow.rows.is_empty() => {
                let text = crate::text::sanitize(&narrow.text);
                lines.push(Line::styled(format!("no row holds /{text}"), theme.muted));
            }
            _ => {}
        }
        for i in shown.take(height).filter(|&i| i < self.rows.len) {
            let row = (self.rows.cells)(i);
            let selected = i == self.list.cursor;
            let mut spans = Vec::new();
            if let Some(marked) = self.marked {
                let (mark, style) = if marked(i) {
                    ("● ", theme.warning)
                } else {
                    ("  ", theme.text)
                };
                spans.push(Span::styled(mark, style));
            }
            for (j, (cell, width)) in row.into_iter().zip(&w).enumerate() {
                if j > 0 {
                    spans.push(Span::raw(" "));
                }
                match cell {
                    Cell::Text(text, style) if fixed.get(j).is_some_and(Option::is_none) => {
                        spans.push(Span::styled(fit_middle(&text, *width), style))
                    }
                    Cell::Text(text, style) => spans.push(Span::styled(fit(&text, *width), style)),
                    Cell::Spans(build) => spans.extend(build(*width)),
                }
            }
            let mut line = Line::from(spans);
            if selected {
                line = line.patch_style(theme.selected);
                for span in &mut line.spans {
                    span.style = span.style.patch(theme.selected);
                }
            }
            lines.push(line);
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}
