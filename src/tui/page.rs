//! A page in the history: one view, the scope it was opened with, and the
//! state of its query.

use crate::lake::worker::{Request, Response};
use crate::lake::{LakeError, Scope};

use super::views::actors::ActorsView;
use super::views::events::{EventsView, PAGE};
use super::views::inspector::InspectorView;
use super::views::list::ListState;
use super::views::partitions::{COUNT_SQL, PartitionsView};
use super::views::report::ReportView;
use super::views::reports;
use super::views::resource_config::ResourceView;
use super::views::target::Subject;
use super::views::timeline::TimelineView;

#[derive(Debug, Clone)]
pub enum View {
    Partitions(PartitionsView),
    Actors(ActorsView),
    Report(ReportView),
    Events(EventsView),
    Inspector(InspectorView),
    Timeline(TimelineView),
    /// A resource's AWS Config history with the events behind each change.
    Config(ResourceView),
}

impl View {
    pub fn list(&self) -> &ListState {
        match self {
            View::Partitions(v) => &v.list,
            View::Actors(v) => &v.list,
            View::Report(v) => &v.list,
            View::Events(v) => &v.list,
            View::Inspector(v) => &v.list,
            View::Timeline(v) => &v.list,
            View::Config(v) => &v.list,
        }
    }

    pub fn list_mut(&mut self) -> &mut ListState {
        match self {
            View::Partitions(v) => &mut v.list,
            View::Actors(v) => &mut v.list,
            View::Report(v) => &mut v.list,
            View::Events(v) => &mut v.list,
            View::Inspector(v) => &mut v.list,
            View::Timeline(v) => &mut v.list,
            View::Config(v) => &mut v.list,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many rows the cursor can be on.
    pub fn len(&self) -> usize {
        match self {
            View::Partitions(v) => v.visible().len(),
            View::Actors(v) => v.shown.len(),
            View::Report(v) => v.report.as_ref().map_or(0, |r| r.rows().len()),
            View::Events(v) => v.rows.len(),
            View::Inspector(v) => v.nodes().len(),
            View::Timeline(v) => v.timeline.as_ref().map_or(0, |t| t.lanes.len() + 1),
            View::Config(v) => v.items_len(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Nothing to load, or loaded.
    Ready,
    /// Waiting for the worker's reply with this id.
    Pending(u64),
    /// The reply was dropped (the user left); ask again when shown.
    Stale,
    Failed(String),
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub scope: Scope,
    pub view: View,
    pub load: Load,
}

impl Page {
    pub fn new(scope: Scope, view: View) -> Page {
        Page {
            scope,
            view,
            load: Load::Stale,
        }
    }

    /// The query that fills this view, if it needs one.
    pub fn request(&self) -> Option<Request> {
        let scope = self.scope.clone();
        match &self.view {
            // Counts always cover the whole lake: the tree is where a scope is chosen.
            View::Partitions(_) => Some(Request::Sql {
                scope: Scope::default(),
                sql: COUNT_SQL.into(),
            }),
            View::Actors(_) => Some(Request::Actors { scope, search: None }),
            View::Report(r) => Some(r.subject.request(&scope)),
            View::Events(e) => Some(Request::Events {
                scope,
                criteria: e.filter.criteria(),
                page: crate::lake::Page {
                    limit: PAGE,
                    offset: e.offset,
                },
            }),
            View::Timeline(t) => Some(Request::Timeline {
                scope,
                query: t.query(),
            }),
            View::Inspector(i) => match (&i.record, &i.sql) {
                (Some((source_file, event_uid)), _) => Some(Request::Event {
                    source_file: source_file.clone(),
                    event_uid: event_uid.clone(),
                }),
                (None, Some(sql)) => Some(Request::Sql {
                    scope,
                    sql: sql.clone(),
                }),
                (None, None) => None,
            },
            View::Config(c) => Some(Request::Config(c.target.clone())),
        }
    }

    /// Put a reply's result into the view.
    pub fn apply(&mut self, result: Result<Response, LakeError>) {
        let response = match result {
            Ok(r) => r,
            Err(LakeError::Cancelled) => {
                self.load = Load::Cancelled;
                return;
            }
            Err(e) => {
                if let View::Inspector(i) = &mut self.view
                    && i.record.is_some()
                {
                    i.note = format!("original record unreadable ({e}); event fields shown");
                }
                self.load = Load::Failed(e.to_string());
                return;
            }
        };
        self.load = Load::Ready;
        match (&mut self.view, response) {
            (View::Partitions(p), Response::Table(rows)) => p.set_counts(&rows),
            (View::Actors(a), Response::Actors(rows)) => a.set_rows(rows),
            (View::Report(r), Response::Dossier(Some(d))) => r.report = Some(reports::dossier(&d)),
            (View::Report(r), Response::Dossier(None)) => {
                self.load = Load::Failed(format!("no events of {} in this scope", r.subject.id()));
            }
            (View::Report(r), Response::Ip(ip)) => r.report = Some(reports::ip(&ip)),
            (View::Report(r), Response::Key(key)) => r.report = Some(reports::key(&key)),
            (View::Report(r), Response::Resource(res)) => r.report = Some(reports::resource(&res)),
            (View::Events(e), Response::Events(rows)) => e.set_rows(rows),
            (View::Timeline(t), Response::Timeline(timeline)) => t.set_timeline(timeline),
            (View::Config(c), Response::Config(data)) => c.set_data(*data),
            (View::Inspector(i), Response::Table(rows)) => i.value = serde_json::Value::Array(rows),
            (View::Inspector(i), Response::Record(Some(record))) => {
                i.value = record;
                i.note = "original record".into();
                i.folded.clear();
                i.list = Default::default();
            }
            (View::Inspector(i), Response::Record(None)) => {
                i.note = "original record not found in its file; event fields shown".into();
            }
            (_, other) => {
                tracing::warn!(?other, "reply of an unexpected kind");
                self.load = Load::Failed("unexpected reply from the query worker".into());
            }
        }
    }

    /// Title for the breadcrumb line.
    pub fn title(&self) -> String {
        match &self.view {
            View::Partitions(_) => "Partitions".into(),
            View::Actors(a) if a.filter.is_empty() => "Actors".into(),
            View::Actors(a) => format!("Actors /{}", a.filter),
            View::Report(r) => match &r.subject {
                Subject::Actor(arn) => format!("Dossier {arn}"),
                other => format!("{} {}", capitalised(other.kind()), other.id()),
            },
            View::Events(e) if e.filter == Default::default() => "Events (all in scope)".into(),
            View::Events(e) => format!("Events {}", e.filter.describe()),
            View::Inspector(i) => i.title.clone(),
            View::Timeline(t) if t.filter == Default::default() => "Timeline (all in scope)".into(),
            View::Timeline(t) => format!("Timeline {}", t.filter.describe()),
            View::Config(c) => format!("Config {}", c.label()),
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
