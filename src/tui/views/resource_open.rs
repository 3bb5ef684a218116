//! Ways into the AWS Config resource view: from an event (its resources),
//! a report row naming a resource, or a neighbour in another resource view.

use crate::lake::Scope;
use crate::lake::config::ConfigTarget;
use crate::tui::app::{App, Severity};
use crate::tui::page::{Page, View};
use crate::tui::views::report::ReportView;
use crate::tui::views::resource_config::{Pane, ResourceView};
use crate::tui::views::target::{Subject, Target};

impl App {
    /// The `config_resource` key: the Config view of what the cursor names.
    pub(crate) fn open_config_of_selection(&mut self) {
        let scope = self.scope().clone();
        let next = match &self.page().view {
            View::Events(e) => e.selected().and_then(|row| {
                let event_uid = row.event_id.clone()?;
                // The event's own account and second: a scan of one day's files.
                let narrow = Scope {
                    accounts: row.account.iter().cloned().collect(),
                    regions: Vec::new(),
                    from_ms: row.time.map(|t| t.0),
                    to_ms: row.time.map(|t| t.0 + 1),
                };
                Some((
                    ConfigTarget::Event {
                        event_uid,
                        scope: narrow,
                    },
                    Vec::new(),
                ))
            }),
            View::Inspector(i) => i.record.as_ref().map(|(_, uid)| {
                (
                    ConfigTarget::Event {
                        event_uid: uid.clone(),
                        scope: scope.clone(),
                    },
                    Vec::new(),
                )
            }),
            View::Report(r) => report_resource(r).map(|id| (ConfigTarget::Resource(id), Vec::new())),
            View::Config(c) if c.focus == Pane::Graph => match c.selected_node() {
                Some(node) if node.key.is_some() && node.parent.is_some() => {
                    let id = node.key.as_ref().map(|k| k.resource_id.clone()).unwrap_or_default();
                    let mut trail = c.trail.clone();
                    if let Some(d) = &c.data {
                        trail.push(d.key.resource_id.clone());
                    }
                    Some((ConfigTarget::Resource(id), trail))
                }
                Some(node) if node.parent.is_none() => {
                    self.say(Severity::Info, "this is the resource shown");
                    return;
                }
                Some(_) => {
                    self.say(Severity::Info, "AWS Config recorded no item for this resource");
                    return;
                }
                None => None,
            },
            _ => None,
        };
        match next {
            Some((target, trail)) => self.push(Page::new(scope, View::Config(ResourceView::new(target, trail)))),
            None => self.say(
                Severity::Info,
                "select an event, a resource row or a relationship to open its AWS Config view",
            ),
        }
    }

    /// `:config ID`: the Config view of a resource named by the user.
    pub(crate) fn open_config(&mut self, id: String) {
        let scope = self.scope().clone();
        self.push(Page::new(
            scope,
            View::Config(ResourceView::new(ConfigTarget::Resource(id), Vec::new())),
        ));
    }

    /// The window keys: events up to this long before each change count.
    pub(crate) fn adjust_config_window(&mut self, wider: bool) {
        let text = match &mut self.page_mut().view {
            View::Config(c) => {
                c.adjust_window(wider);
                format!("window before each change: {} min", c.window_ms / 60_000)
            }
            _ => "the window applies to the AWS Config view".into(),
        };
        self.say(Severity::Info, text);
    }
}

/// A report's selected resource row, else the report's own resource.
fn report_resource(r: &ReportView) -> Option<String> {
    match r.selected().and_then(|row| row.target.clone()) {
        Some(Target::Open(Subject::Resource(id))) => Some(id),
        _ => match &r.subject {
            Subject::Resource(id) => Some(id.clone()),
            _ => None,
        },
    }
}
