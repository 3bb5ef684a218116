//! The findings of the scope (Security Hub, and GuardDuty, Inspector…
//! through it), most severe first; Enter opens one finding's page.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

use crate::case::{MarkKind, Markable};
use std::sync::Arc;

use crate::lake::athena::Question;
use crate::lake::athena::engine::{self as athena_engine, Engine};
use crate::lake::findings::FindingCriteria;
use crate::lake::worker::Query;
use crate::lake::{FindingRow, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::cells::fit;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Target, short_time};
use crate::tui::theme::Theme;

#[derive(Debug, Clone)]
pub struct FindingsScreen {
    pub criteria: FindingCriteria,
    pub rows: Vec<FindingRow>,
    pub list: ListState,
}

impl FindingsScreen {
    pub fn new(criteria: FindingCriteria) -> FindingsScreen {
        FindingsScreen {
            criteria,
            rows: Vec::new(),
            list: ListState::default(),
        }
    }

    pub fn selected(&self) -> Option<&FindingRow> {
        self.rows.get(self.list.cursor)
    }
}

/// High and above stand out; medium is a warning.
fn severity_style(id: Option<i32>, theme: &Theme) -> Style {
    match id {
        Some(n) if n >= 4 => theme.error,
        Some(3) => theme.warning,
        _ => theme.muted,
    }
}

impl View for FindingsScreen {
    fn title(&self) -> String {
        let c = &self.criteria;
        let parts: Vec<String> = [
            ("severity≥", &c.severity),
            ("product=", &c.product),
            ("status=", &c.status),
            ("naming ", &c.names),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}{v}")))
        .collect();
        if parts.is_empty() {
            "Findings (all in scope)".into()
        } else {
            format!("Findings {}", parts.join(" "))
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Select => match self.selected() {
                Some(f) => Effect::Go(Target::Finding(f.id.clone()), None),
                None => Effect::Unhandled,
            },
            Action::Copy => copy(self.selected().map(|f| f.id.clone())),
            Action::CopyAll => copy(self.selected().and_then(|f| serde_json::to_string_pretty(f).ok())),
            _ if ctx.is_move(action) => {
                ctx.move_cursor(&mut self.list, action, self.rows.len());
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        let theme = ctx.theme;
        let wide = area.width >= 110;
        let mut columns = vec![
            ("SEVERITY".to_string(), Some(8)),
            ("TIME".to_string(), Some(19)),
            ("PRODUCT".to_string(), Some(12)),
        ];
        if wide {
            columns.push(("TYPE".to_string(), Some(24)));
        }
        columns.push(("TITLE".to_string(), None));
        columns.push(("ACCOUNT".to_string(), Some(12)));
        columns.push(("STATUS".to_string(), Some(10)));
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let rows = Rows::of(&self.rows, |f| {
            let mut cells = vec![
                Cell::Text(opt(&f.severity), severity_style(f.severity_id, theme)),
                Cell::Text(short_time(f.time), theme.muted),
                Cell::Text(opt(&f.product), theme.text),
            ];
            if wide {
                cells.push(Cell::Text(opt(&f.finding_type), theme.muted));
            }
            // A title reads from its start: cut at the end, not the middle.
            let (title, style) = (opt(&f.title), theme.text);
            cells.push(Cell::Spans(Box::new(move |w| {
                vec![Span::styled(fit(&title, w), style)]
            })));
            cells.push(Cell::Text(opt(&f.account), theme.text));
            cells.push(Cell::Text(opt(&f.status), theme.muted));
            cells
        });
        Table {
            columns,
            rows,
            list: &self.list,
            narrow: ctx.narrow(&self.list),
            marked: ctx.marked(&self.list),
            empty: "no findings in this scope".into(),
        }
        .render(frame, area, theme);
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn athena(&self) -> Option<Question> {
        Some(Question::Findings(self.criteria.clone()))
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn markable(&self, row: usize) -> Option<Markable> {
        let f = self.rows.get(row)?;
        Some(Markable {
            time_ms: f.time.map(|t| t.0),
            summary: f.title.clone(),
            ..Markable::new(MarkKind::Finding, &f.id)
        })
    }

    fn question(&self) -> Option<String> {
        Some("findings".into())
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.rows.get(row).and_then(row_words)
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(FindingsScreen::new(self.criteria.clone())))
    }
}

impl Screen for FindingsScreen {
    type Reply = Vec<FindingRow>;

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Vec<FindingRow>>> {
        Some(athena_engine::findings(
            engine.clone(),
            scope.clone(),
            self.criteria.clone(),
        ))
    }

    fn request(&self, scope: &Scope) -> Option<Query<Vec<FindingRow>>> {
        Some(Query::findings(scope.clone(), self.criteria.clone()))
    }

    fn apply(&mut self, rows: Vec<FindingRow>) -> Result<(), String> {
        self.rows = rows;
        self.list.clamp(self.rows.len());
        Ok(())
    }
}
