//! An entity's report: an actor's dossier, an IP, a key or a resource, as
//! sections of rows that each lead somewhere (`model.rs`), built from the
//! engine's reports (`sections.rs`, with `beyond.rs` for findings, flows,
//! DNS and HTTP), drawn by `render.rs`. A finding and a hostname are shown
//! the same way (`pages.rs`).

mod beyond;
mod hunted;
pub mod model;
mod pages;
mod render;
mod sections;

use std::sync::Arc;

use crate::lake::athena::engine::{self as athena_engine, Engine};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::model::{Line, Report, ReportRow};
use crate::case::{MarkKind, Markable};
use crate::lake::EventCriteria;
use crate::lake::athena::{Question, ReportKind};
use crate::lake::config::ConfigTarget;
use crate::lake::worker::Query;
use crate::lake::{LaneBy, Scope};
use crate::tui::action::Action;
use crate::tui::command::Known;
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::target::{Subject, Target, flows_of_resource};

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// An entity of the API calls (actor, IP, key, resource).
    Entity(Subject),
    /// A finding, by id.
    Finding(String),
    /// A hostname.
    Name(String),
}

#[derive(Debug, Clone)]
pub struct ReportScreen {
    pub about: About,
    pub report: Option<Report>,
    pub list: ListState,
}

impl ReportScreen {
    pub fn new(subject: Subject) -> ReportScreen {
        ReportScreen::about(About::Entity(subject))
    }

    pub fn about(about: About) -> ReportScreen {
        ReportScreen {
            about,
            report: None,
            list: ListState::default(),
        }
    }

    /// The entity the report is about, if it is one.
    fn subject(&self) -> Option<&Subject> {
        match &self.about {
            About::Entity(subject) => Some(subject),
            _ => None,
        }
    }

    /// Where the selected row leads, in its own window or the current scope.
    fn go_selected(&self, scope: &Scope) -> Effect {
        let Some(row) = self.selected() else {
            return Effect::Unhandled;
        };
        let Some(target) = row.target.clone() else {
            return Effect::Unhandled;
        };
        // A row's window narrows the time; the accounts and regions chosen stay.
        let window = row.window.as_ref().map(|w| Scope {
            from_ms: w.from_ms,
            to_ms: w.to_ms,
            ..scope.clone()
        });
        Effect::Go(target, window)
    }

    /// The flows of the subject (an IP, an instance or interface); on a
    /// finding or name page, of the selected row's.
    fn flows(&self) -> Effect {
        let of = |subject: &Subject| match subject {
            Subject::Ip(ip) => Some(crate::lake::network::FlowCriteria {
                ip: Some(ip.clone()),
                ..Default::default()
            }),
            Subject::Resource(id) => flows_of_resource(id),
            _ => None,
        };
        let selected = match self.selected().and_then(|r| r.target.as_ref()) {
            Some(Target::Open(subject)) => of(subject),
            _ => None,
        };
        let criteria = match self.subject() {
            Some(subject) => of(subject),
            None => selected,
        };
        match criteria {
            Some(c) => Effect::Go(Target::Flows(c), None),
            None => Effect::Unhandled,
        }
    }

    pub fn selected(&self) -> Option<&ReportRow> {
        let report = self.report.as_ref()?;
        let at = *report.rows().get(self.list.cursor)?;
        report.row(at)
    }

    /// Move the cursor to the first row of the next (or previous) section that has rows.
    pub fn jump_section(&mut self, forward: bool) {
        let Some(report) = &self.report else { return };
        let rows = report.rows();
        let Some(&(current, _)) = rows.get(self.list.cursor) else {
            return;
        };
        let found = if forward {
            rows.iter().position(|(s, _)| *s > current)
        } else {
            let previous = rows.iter().rev().find(|(s, _)| *s < current).map(|(s, _)| *s);
            previous.and_then(|p| rows.iter().position(|(s, _)| *s == p))
        };
        if let Some(i) = found {
            self.list.cursor = i;
        }
    }

    /// Index of the cursor's screen line (for scrolling).
    pub fn cursor_line(&self) -> usize {
        let Some(report) = &self.report else { return 0 };
        let Some(at) = report.rows().get(self.list.cursor).copied() else {
            return 0;
        };
        report
            .lines()
            .iter()
            .position(|l| *l == Line::Row(at.0, at.1))
            .unwrap_or(0)
    }

    /// Events of the selected row when it names an entity, else of the subject.
    pub fn events_filter(&self) -> Option<EventCriteria> {
        match self.selected().and_then(|r| r.target.clone()) {
            Some(Target::Events(f)) => Some(f),
            Some(Target::Open(subject)) => Some(subject.events()),
            _ => self.subject().map(Subject::events),
        }
    }

    /// The selected resource row, else the report's own resource.
    fn resource(&self) -> Option<String> {
        match self.selected().and_then(|row| row.target.clone()) {
            Some(Target::Open(Subject::Resource(id))) => Some(id),
            _ => match self.subject() {
                Some(Subject::Resource(id)) => Some(id.clone()),
                _ => None,
            },
        }
    }

    /// An entity's timeline starts with the lanes that tell its story; on
    /// a finding or name page, the selected entity's, by source (its API
    /// calls, flows, DNS and findings side by side).
    fn timeline(&self) -> Option<Target> {
        let Some(subject) = self.subject() else {
            return match self.selected().and_then(|r| r.target.as_ref()) {
                Some(Target::Open(subject)) => Some(Target::Timeline(subject.events(), Some(LaneBy::Source))),
                _ => None,
            };
        };
        let lanes = match subject {
            Subject::Actor(_) | Subject::Key(_) => LaneBy::Ip,
            Subject::Ip(_) | Subject::Resource(_) => LaneBy::Actor,
        };
        Some(Target::Timeline(subject.events(), Some(lanes)))
    }
}

impl View for ReportScreen {
    fn title(&self) -> String {
        match &self.about {
            About::Entity(Subject::Actor(arn)) => format!("Dossier {arn}"),
            About::Entity(other) => format!("{} {}", capitalised(other.kind()), other.id()),
            About::Finding(id) => format!("Finding {id}"),
            About::Name(name) => format!("Name {name}"),
        }
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::NextSection | Action::PrevSection => self.jump_section(action == Action::NextSection),
            Action::Select => return self.go_selected(ctx.scope),
            Action::EventsOfSelection => {
                // The events around a finding keep their window.
                if let Some(Target::Events(_)) = self.selected().and_then(|r| r.target.as_ref()) {
                    return self.go_selected(ctx.scope);
                }
                return match self.events_filter() {
                    Some(f) => Effect::Go(Target::Events(f), None),
                    None => Effect::Unhandled,
                };
            }
            Action::Timeline => {
                return match self.timeline() {
                    Some(target) => Effect::Go(target, None),
                    None => Effect::Unhandled,
                };
            }
            Action::Flows => return self.flows(),
            Action::ConfigResource => {
                return match self.resource() {
                    Some(id) => Effect::Go(Target::Config(ConfigTarget::Resource(id), Vec::new()), None),
                    None => Effect::Unhandled,
                };
            }
            Action::Copy | Action::CopyAll => {
                return copy(self.selected().and_then(|row| row.cells.first().cloned()));
            }
            _ if ctx.is_move(action) => {
                let n = self.rows();
                ctx.move_cursor(&mut self.list, action, n);
            }
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        if let Some(report) = &self.report {
            let shown = render::Shown {
                narrow: ctx.narrow(&self.list),
                marked: ctx.marked(&self.list),
            };
            render::render(report, &self.list, shown, ctx.theme, frame, area);
        }
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn rows(&self) -> usize {
        self.report.as_ref().map_or(0, |r| r.rows().len())
    }

    /// A row naming an actor, IP, key, resource or finding.
    fn markable(&self, row: usize) -> Option<Markable> {
        let report = self.report.as_ref()?;
        let at = *report.rows().get(row)?;
        let (kind, value) = match report.row(at)?.target.as_ref()? {
            Target::Open(Subject::Actor(v)) => (MarkKind::Actor, v),
            Target::Open(Subject::Ip(v)) => (MarkKind::Ip, v),
            Target::Open(Subject::Key(v)) => (MarkKind::Key, v),
            Target::Open(Subject::Resource(v)) => (MarkKind::Resource, v),
            Target::Finding(v) => (MarkKind::Finding, v),
            Target::Name(v) => (MarkKind::Name, v),
            _ => return None,
        };
        Some(Markable::new(kind, value))
    }

    fn question(&self) -> Option<String> {
        let q = crate::tui::target::quote;
        Some(match &self.about {
            About::Entity(subject) => format!("{} {}", subject.kind(), q(subject.id())),
            About::Finding(id) => format!("finding {}", q(id)),
            About::Name(name) => format!("dns {}", q(name)),
        })
    }

    /// An entity's report has an Athena form (its API sections), and a hostname's.
    fn athena(&self) -> Option<Question> {
        if let About::Name(name) = &self.about {
            return Some(Question::Name(name.clone()));
        }
        let (kind, id) = match self.subject()? {
            Subject::Actor(id) => (ReportKind::Actor, id),
            Subject::Ip(id) => (ReportKind::Ip, id),
            Subject::Key(id) => (ReportKind::Key, id),
            Subject::Resource(id) => (ReportKind::Resource, id),
        };
        Some(Question::Report(kind, id.clone()))
    }

    /// A row's cells, after its section's title (`/sessions` finds the section).
    fn row_text(&self, row: usize) -> Option<String> {
        let report = self.report.as_ref()?;
        let (s, r) = *report.rows().get(row)?;
        let section = report.sections.get(s)?;
        Some(format!("{} {}", section.title, section.rows.get(r)?.cells.join(" ")))
    }

    /// Report lines are not table rows: only a row line selects.
    fn row_at(&self, dy: usize, narrow: Option<&Narrow>) -> Option<usize> {
        let report = self.report.as_ref()?;
        let start = narrow.map_or(self.list.offset, Narrow::start);
        match report.lines_among(narrow).get(start + dy) {
            Some(Line::Row(s, i)) => report.rows().iter().position(|at| *at == (*s, *i)),
            _ => None,
        }
    }

    fn reveal(&mut self, body: Rect) {
        let line = self.cursor_line();
        // Show a section's heading with its first row.
        let report_lines = self.report.as_ref().map(|rep| rep.lines()).unwrap_or_default();
        let above = report_lines[..line.min(report_lines.len())]
            .iter()
            .rev()
            .take_while(|l| matches!(l, Line::Columns(_) | Line::Heading(_) | Line::Blank))
            .count();
        self.list.reveal(line.saturating_sub(above), body.height as usize);
        self.list.reveal(line, body.height as usize);
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        Some(Box::new(ReportScreen::about(self.about.clone())))
    }

    fn learn(&self, known: &mut Known) {
        let Some(report) = &self.report else { return };
        for row in report.sections.iter().flat_map(|s| s.rows.iter()) {
            if let Some(Target::Open(subject)) = &row.target {
                let list = match subject {
                    Subject::Actor(_) => &mut known.actors,
                    Subject::Ip(_) => &mut known.ips,
                    Subject::Key(_) => &mut known.keys,
                    Subject::Resource(_) => &mut known.resources,
                };
                if !list.iter().any(|v| v == subject.id()) {
                    list.push(subject.id().to_string());
                }
            }
        }
    }
}

impl Screen for ReportScreen {
    /// `None`: nothing of the subject in this scope (no actor events, no
    /// finding of that id, no query of that name).
    type Reply = Option<Report>;

    fn request(&self, scope: &Scope) -> Option<Query<Option<Report>>> {
        let scope = scope.clone();
        let subject = match &self.about {
            About::Finding(id) => {
                return Some(Query::finding(id.clone()).map(|d| d.map(|d| pages::finding(&d))));
            }
            About::Name(name) => {
                let report = |r: crate::lake::network::NameReport| (r.queries > 0).then(|| pages::name(&r));
                return Some(Query::name(scope, name.clone()).map(report));
            }
            About::Entity(subject) => subject,
        };
        Some(match subject {
            Subject::Actor(arn) => Query::dossier_with_hunts(scope, arn.clone()).map(|d| {
                d.map(|(d, hits)| {
                    let mut report = sections::dossier(&d);
                    report.sections.splice(0..0, hunted::section(&d.arn, &hits));
                    report
                })
            }),
            Subject::Ip(ip) => Query::ip(scope, ip.clone()).map(|r| Some(sections::ip(&r))),
            Subject::Key(key) => Query::key(scope, key.clone()).map(|r| Some(sections::key(&r))),
            Subject::Resource(id) => Query::resource(scope, id.clone()).map(|r| Some(sections::resource(&r))),
        })
    }

    fn athena_request(&self, scope: &Scope, engine: &Arc<Engine>) -> Option<Query<Option<Report>>> {
        let (e, scope) = (engine.clone(), scope.clone());
        if let About::Name(name) = &self.about {
            let report = |r: crate::lake::network::NameReport| (r.queries > 0).then(|| pages::name(&r));
            return Some(athena_engine::name(e, scope, name.clone()).map(report));
        }
        let subject = self.subject()?;
        let query = match subject {
            Subject::Actor(arn) => {
                athena_engine::dossier(e, scope, arn.clone()).map(|d| d.map(|d| sections::dossier(&d)))
            }
            Subject::Ip(ip) => athena_engine::ip(e, scope, ip.clone()).map(|r| Some(sections::ip(&r))),
            Subject::Key(key) => athena_engine::key(e, scope, key.clone()).map(|r| Some(sections::key(&r))),
            Subject::Resource(id) => {
                athena_engine::resource(e, scope, id.clone()).map(|r| Some(sections::resource(&r)))
            }
        };
        // The network and findings tables can be large: not asked with the
        // report, each one a key away under its own cost guard.
        let (id, flows) = match subject {
            Subject::Ip(id) | Subject::Resource(id) => (id.clone(), "f its flows, "),
            Subject::Actor(id) | Subject::Key(id) => (id.clone(), ""),
        };
        let hint = format!("API calls only; ask the other tables one at a time: {flows}:findings names={id}");
        Some(query.map(move |r| {
            r.map(|mut r| {
                r.summary.push(("on Athena", hint.clone()));
                r
            })
        }))
    }

    fn apply(&mut self, report: Option<Report>) -> Result<(), String> {
        match report {
            Some(report) => {
                self.report = Some(report);
                Ok(())
            }
            None => Err(match &self.about {
                About::Entity(subject) => format!("no events of {} in this scope", subject.id()),
                About::Finding(id) => format!("no finding {id} in the lake"),
                About::Name(name) => format!("no DNS query of {name} in this scope"),
            }),
        }
    }
}

fn capitalised(word: &str) -> String {
    match word {
        "ip" => "IP".into(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}
