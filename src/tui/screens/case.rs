//! The case: every mark in time order with its tag and notes; Enter goes
//! back to what was marked (an event: its actor's events in that second).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::case::{Case, Mark, MarkKind, Markable};
use crate::lake::{EventCriteria, Millis, Scope};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::search::row_words;
use crate::tui::target::{Subject, Target, short_time};

#[derive(Debug, Clone)]
pub struct CaseScreen {
    pub name: String,
    pub marks: Vec<Mark>,
    pub list: ListState,
}

impl CaseScreen {
    pub fn new(case: &Case) -> CaseScreen {
        CaseScreen {
            name: case.name.clone(),
            marks: case.in_time_order().into_iter().cloned().collect(),
            list: ListState::default(),
        }
    }

    /// The same screen with the case as it is now, the cursor kept.
    pub fn refreshed(&self, case: &Case) -> CaseScreen {
        let mut fresh = CaseScreen::new(case);
        fresh.list = self.list;
        fresh.list.clamp(fresh.marks.len());
        fresh
    }

    pub fn selected(&self) -> Option<&Mark> {
        self.marks.get(self.list.cursor)
    }
}

/// Where a mark leads back to.
fn pivot(mark: &Mark) -> Effect {
    let v = mark.value.clone();
    let target = match mark.kind {
        MarkKind::Event => {
            let window = mark.time_ms.map(|t| Scope {
                from_ms: Some(t),
                to_ms: Some(t + 1000),
                ..Scope::default()
            });
            let criteria = EventCriteria {
                actor: mark.actor.clone(),
                ..EventCriteria::default()
            };
            return Effect::Go(Target::Events(criteria), window);
        }
        MarkKind::Actor => Target::Open(Subject::Actor(v)),
        MarkKind::Ip => Target::Open(Subject::Ip(v)),
        MarkKind::Key => Target::Open(Subject::Key(v)),
        MarkKind::Resource => Target::Open(Subject::Resource(v)),
        MarkKind::Name => Target::Name(v),
        MarkKind::Finding => Target::Finding(v),
        MarkKind::Hunt => Target::Hunts,
    };
    Effect::Go(target, None)
}

impl View for CaseScreen {
    fn title(&self) -> String {
        format!("Case {} ({} marks)", self.name, self.marks.len())
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Select => match self.selected() {
                Some(mark) => pivot(mark),
                None => Effect::Unhandled,
            },
            Action::Copy => copy(self.selected().map(|m| m.value.clone())),
            Action::CopyAll => copy(self.selected().and_then(|m| serde_json::to_string_pretty(m).ok())),
            _ if ctx.is_move(action) => {
                ctx.move_cursor(&mut self.list, action, self.marks.len());
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        let theme = ctx.theme;
        let columns = vec![
            ("TIME".to_string(), Some(19)),
            ("KIND".to_string(), Some(8)),
            ("TAG".to_string(), Some(10)),
            ("WHAT".to_string(), None),
            ("NOTES".to_string(), Some(area.width.saturating_sub(60).clamp(12, 50))),
        ];
        let rows = Rows::of(&self.marks, |m| {
            let what = match &m.summary {
                Some(s) => format!("{} · {s}", m.value),
                None => m.value.clone(),
            };
            vec![
                Cell::Text(short_time(m.time_ms.map(Millis)), theme.muted),
                Cell::Text(m.kind.label().to_string(), theme.text),
                Cell::Text(m.tag.clone().unwrap_or_default(), theme.warning),
                Cell::Text(what, theme.link),
                Cell::Text(m.notes.join(" · "), theme.text),
            ]
        });
        Table {
            columns,
            rows,
            list: &self.list,
            narrow: ctx.narrow(&self.list),
            marked: ctx.marked(&self.list),
            empty: "nothing marked yet: m marks the selected row of any screen, M adds a note".into(),
        }
        .render(frame, area, theme);
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn rows(&self) -> usize {
        self.marks.len()
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.marks.get(row).and_then(row_words)
    }

    /// A note from here goes to the mark under the cursor.
    fn markable(&self, row: usize) -> Option<Markable> {
        let m = self.marks.get(row)?;
        Some(Markable {
            time_ms: m.time_ms,
            summary: m.summary.clone(),
            actor: m.actor.clone(),
            ..Markable::new(m.kind, &m.value)
        })
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(self.clone()))
    }
}

impl Screen for CaseScreen {
    /// Nothing to ask: the marks are the case's.
    type Reply = ();

    fn request(&self, _scope: &Scope) -> Option<crate::lake::worker::Query<()>> {
        None
    }

    fn apply(&mut self, _reply: ()) -> Result<(), String> {
        Ok(())
    }
}
