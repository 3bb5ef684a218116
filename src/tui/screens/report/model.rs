//! An entity's report (actor dossier, IP, key, resource) as titled
//! sections of rows; every row that names an entity leads to it.

use crate::lake::Scope;
use crate::tui::narrow::Narrow;
use crate::tui::target::Target;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// Cells wide; None takes what the fixed columns leave.
    pub width: Option<u16>,
    /// A long value loses its middle (ARNs keep account and name), else its end.
    pub middle: bool,
}

pub const fn col(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width: Some(width),
        middle: false,
    }
}

pub const fn flex(title: &'static str) -> Column {
    Column {
        title,
        width: None,
        middle: true,
    }
}

/// A flexible column of prose (a title), which reads from its start.
pub const fn prose(title: &'static str) -> Column {
    Column {
        title,
        width: None,
        middle: false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub cells: Vec<String>,
    pub target: Option<Target>,
    /// The time window the target is shown in (the events around a
    /// finding); `None`: the current scope.
    pub window: Option<Scope>,
}

impl ReportRow {
    pub fn new(cells: Vec<String>, target: Option<Target>) -> ReportRow {
        ReportRow {
            cells,
            target,
            window: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<ReportRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// (label, value) lines above the sections.
    pub summary: Vec<(&'static str, String)>,
    pub sections: Vec<Section>,
}

/// One screen line of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Summary(usize),
    Blank,
    Heading(usize),
    Columns(usize),
    Row(usize, usize),
    Nothing(usize),
}

impl Report {
    pub fn lines(&self) -> Vec<Line> {
        self.lines_among(None)
    }

    /// The lines with only the rows `/` left, and only the sections
    /// holding one of them.
    pub fn lines_among(&self, narrow: Option<&Narrow>) -> Vec<Line> {
        let Some(narrow) = narrow else {
            return self.all_lines();
        };
        let rows = self.rows();
        let shown: Vec<(usize, usize)> = narrow.rows.iter().filter_map(|&i| rows.get(i).copied()).collect();
        let mut out: Vec<Line> = (0..self.summary.len()).map(Line::Summary).collect();
        for (s, section) in self.sections.iter().enumerate() {
            let kept: Vec<Line> = shown
                .iter()
                .filter(|at| at.0 == s)
                .map(|at| Line::Row(at.0, at.1))
                .collect();
            if kept.is_empty() {
                continue;
            }
            out.extend([Line::Blank, Line::Heading(s)]);
            if section.columns.iter().any(|c| !c.title.is_empty()) {
                out.push(Line::Columns(s));
            }
            out.extend(kept);
        }
        out
    }

    fn all_lines(&self) -> Vec<Line> {
        let mut out: Vec<Line> = (0..self.summary.len()).map(Line::Summary).collect();
        for (s, section) in self.sections.iter().enumerate() {
            out.push(Line::Blank);
            out.push(Line::Heading(s));
            if section.rows.is_empty() {
                out.push(Line::Nothing(s));
                continue;
            }
            if section.columns.iter().any(|c| !c.title.is_empty()) {
                out.push(Line::Columns(s));
            }
            out.extend((0..section.rows.len()).map(|r| Line::Row(s, r)));
        }
        out
    }

    /// Every row, in order: what the cursor walks over.
    pub fn rows(&self) -> Vec<(usize, usize)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(s, section)| (0..section.rows.len()).map(move |r| (s, r)))
            .collect()
    }

    pub fn row(&self, at: (usize, usize)) -> Option<&ReportRow> {
        self.sections.get(at.0).and_then(|s| s.rows.get(at.1))
    }
}
