//! Keys and mouse to actions, actions to changes of state.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::app::{App, Mode, Severity};
use super::command::{self, Command};
use super::page::{Load, Page, View};
use super::views::actors::ActorsView;
use super::views::events::EventsView;
use super::views::inspector::InspectorView;
use super::views::partitions::scope_of;
use super::views::report::ReportView;
use super::views::resource_config::Pane;
use super::views::target::{EventFilter, Subject, Target};
use super::views::timeline::TimelineView;
use crate::lake::LaneBy;
use crate::lake::buckets::Zone;

impl App {
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let action = self.keymap.action(&key);
        // Ctrl-C (or whatever ctrl key quits) works even while typing.
        if action == Some(Action::Quit) && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        match self.mode.clone() {
            Mode::Normal => {
                if let Some(action) = action {
                    self.act(action);
                }
            }
            Mode::Filter { input, before } => self.filter_key(key, input, before),
            Mode::Command(line) => self.command_key(key, line),
            Mode::Help { offset } => {
                // Help lines: the bindings, a blank, a heading and the commands.
                let last = self.keymap.help_rows().len() + super::command::COMMANDS.len() + 2;
                let offset = match action {
                    Some(Action::Down) => (offset + 1).min(last),
                    Some(Action::Up) => offset.saturating_sub(1),
                    Some(Action::Help | Action::Cancel | Action::Quit) => {
                        self.mode = Mode::Normal;
                        return;
                    }
                    _ => offset,
                };
                self.mode = Mode::Help { offset };
            }
        }
        self.fix_scroll();
    }

    fn filter_key(&mut self, key: KeyEvent, mut input: super::input::LineInput, before: String) {
        match key.code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.set_actor_filter(&before);
                self.mode = Mode::Normal;
            }
            KeyCode::Up | KeyCode::Down => self.act(if key.code == KeyCode::Up {
                Action::Up
            } else {
                Action::Down
            }),
            _ => {
                if input.edit(&key) {
                    self.set_actor_filter(&input.text);
                }
                self.mode = Mode::Filter { input, before };
            }
        }
    }

    fn set_actor_filter(&mut self, text: &str) {
        if let View::Actors(a) = &mut self.page_mut().view {
            a.set_filter(text);
        }
    }

    fn command_key(&mut self, key: KeyEvent, mut line: super::app::CommandLine) {
        match key.code {
            KeyCode::Esc => self.mode = Mode::Normal,
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                match command::parse(&line.input.text) {
                    Ok(cmd) => self.run_command(cmd),
                    Err(message) => self.say(Severity::Error, message),
                }
            }
            KeyCode::Tab | KeyCode::BackTab => {
                if line.candidates.is_empty() {
                    line.candidates = command::complete(&line.input.text, &self.known);
                    let prefix = command::common_prefix(&line.candidates);
                    if line.candidates.len() == 1 {
                        line.input.text = line.candidates.remove(0);
                    } else if prefix.len() > line.input.text.len() {
                        line.input.text = prefix;
                    } else if !line.candidates.is_empty() {
                        line.choice = Some(0);
                        line.input.text = line.candidates[0].clone();
                    }
                } else {
                    let n = line.candidates.len();
                    let next = match (line.choice, key.code) {
                        (None, _) => 0,
                        (Some(i), KeyCode::BackTab) => (i + n - 1) % n,
                        (Some(i), _) => (i + 1) % n,
                    };
                    line.choice = Some(next);
                    line.input.text = line.candidates[next].clone();
                }
                self.mode = Mode::Command(line);
            }
            _ => {
                if line.input.edit(&key) {
                    line.candidates.clear();
                    line.choice = None;
                }
                self.mode = Mode::Command(line);
            }
        }
    }

    pub(super) fn run_command(&mut self, cmd: Command) {
        match cmd {
            Command::Open(subject) => self.open(subject),
            Command::Config(id) => self.open_config(id),
            Command::Scope(scope) => self.set_scope(scope),
            Command::Events(filter) => self.open_events(filter),
            Command::Actors => self.open_actors(),
            Command::Partitions => self.open_partitions(),
            Command::Quit => self.quit = true,
            Command::Zone(zone) => {
                if zone != Zone::Utc {
                    self.other_zone = zone;
                }
                // The offset in force now, not at the epoch (local time has DST).
                let label = zone.label(chrono::Utc::now().timestamp_millis());
                match &mut self.page_mut().view {
                    View::Timeline(t) => {
                        t.zone = zone;
                        t.focus = t.bucket_range(t.cursor).map(|(s, _)| s);
                        self.reload();
                    }
                    _ => self.say(Severity::Info, format!("timelines will use {label}")),
                }
            }
            Command::Problems => {
                let problems = self.lake.problems();
                let value = serde_json::Value::Array(
                    problems
                        .iter()
                        .map(|p| serde_json::json!({"path": p.path.display().to_string(), "problem": p.problem}))
                        .collect(),
                );
                let title = format!("Unreadable files ({})", problems.len());
                let view = InspectorView::new(title, "files set aside; the rest of the lake is answered", value);
                let scope = self.scope().clone();
                self.push(Page::new(scope, View::Inspector(view)));
            }
            Command::Sql(sql) => {
                let mut view = InspectorView::new(format!("SQL {sql}"), "result rows", serde_json::Value::Null);
                view.sql = Some(sql);
                let scope = self.scope().clone();
                self.push(Page::new(scope, View::Inspector(view)));
            }
        }
    }

    fn open(&mut self, subject: Subject) {
        let scope = self.scope().clone();
        self.push(Page::new(scope, View::Report(ReportView::new(subject))));
    }

    fn open_events(&mut self, filter: EventFilter) {
        let scope = self.scope().clone();
        self.push(Page::new(scope, View::Events(EventsView::new(filter))));
    }

    fn open_actors(&mut self) {
        let scope = self.scope().clone();
        self.push(Page::new(scope, View::Actors(ActorsView::default())));
    }

    /// Body rows a page-up/down moves by.
    fn page_rows(&self) -> isize {
        (super::layout::areas(self.size).body.height.saturating_sub(2)).max(1) as isize
    }

    pub fn act(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.mode = Mode::Help { offset: 0 },
            Action::Back => self.back(),
            Action::Forward => self.forward(),
            Action::Filter => match &self.page().view {
                View::Actors(a) => {
                    self.mode = Mode::Filter {
                        input: super::input::LineInput::with(&a.filter),
                        before: a.filter.clone(),
                    }
                }
                _ => self.say(Severity::Info, "the fuzzy filter works on the actors table"),
            },
            Action::Command => self.mode = Mode::Command(Default::default()),
            Action::Cancel => self.cancel(),
            Action::Partitions => self.open_partitions(),
            Action::Actors => self.open_actors(),
            Action::Events => self.open_events(EventFilter::default()),
            Action::Refresh => self.refresh(),
            Action::Timeline => self.open_timeline(),
            Action::ZoomIn
            | Action::ZoomOut
            | Action::PanLeft
            | Action::PanRight
            | Action::Mark
            | Action::Lanes
            | Action::Clock => self.timeline_action(action),
            Action::Copy | Action::CopyAll => self.copy(action == Action::CopyAll),
            Action::Select => self.select(),
            Action::EventsOfSelection => self.events_of_selection(),
            Action::ConfigResource => self.open_config_of_selection(),
            Action::Sort | Action::ReverseSort => match &mut self.page_mut().view {
                View::Actors(a) => {
                    if action == Action::Sort {
                        a.cycle_sort()
                    } else {
                        a.reverse_sort()
                    }
                    let text = format!("sorted by {}", a.sort.label());
                    self.say(Severity::Info, text);
                }
                _ => self.say(Severity::Info, "sorting works on the actors table"),
            },
            _ => self.navigate(action),
        }
    }

    fn cancel(&mut self) {
        if let Load::Pending(id) = self.page().load {
            if self.worker.running().is_some_and(|r| r.id == id) {
                self.worker.cancel();
                self.say(Severity::Warning, "cancelling…");
            } else {
                // Still queued: forget it; its reply will be dropped.
                self.page_mut().load = Load::Cancelled;
                self.say(Severity::Warning, "query cancelled before it started");
            }
            return;
        }
        if let View::Actors(a) = &mut self.page_mut().view
            && !a.filter.is_empty()
        {
            a.set_filter("");
            self.say(Severity::Info, "filter cleared");
        }
    }

    /// Cursor movement, folding and paging.
    pub(super) fn navigate(&mut self, action: Action) {
        let page = self.page_rows();
        let step: isize = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => 0,
        };
        let mut reload = false;
        match &mut self.page_mut().view {
            View::Partitions(p) => match action {
                Action::Expand => p.set_expanded(true),
                Action::Collapse => p.set_expanded(false),
                _ => p.list.move_by(step, p.visible().len()),
            },
            View::Actors(a) => a.list.move_by(step, a.shown.len()),
            View::Report(r) => match action {
                Action::NextSection => r.jump_section(true),
                Action::PrevSection => r.jump_section(false),
                _ => r
                    .list
                    .move_by(step, r.report.as_ref().map_or(0, |rep| rep.rows().len())),
            },
            View::Inspector(i) => match action {
                Action::Expand => i.set_folded(false),
                Action::Collapse => i.set_folded(true),
                _ => i.list.move_by(step, i.nodes().len()),
            },
            View::Timeline(t) => match action {
                Action::Collapse => reload = t.move_cursor(-1),
                Action::Expand => reload = t.move_cursor(1),
                _ => {
                    let rows = t.timeline.as_ref().map_or(0, |x| x.lanes.len() + 1);
                    t.list.move_by(step, rows)
                }
            },
            View::Config(c) => c.navigate(action, step),
            View::Events(e) => {
                let at_end = e.list.cursor + 1 >= e.rows.len();
                let at_start = e.list.cursor == 0;
                let paging = (step > 0 && step < isize::MAX / 2 && at_end && e.next_page().is_some())
                    || (step < 0 && step > isize::MIN / 2 && at_start && e.previous_page(true).is_some());
                if paging {
                    reload = true;
                } else {
                    e.list.move_by(step, e.rows.len());
                }
            }
        }
        if reload {
            self.reload();
        }
    }

    pub(super) fn select(&mut self) {
        let next = match &mut self.page_mut().view {
            View::Partitions(p) => match p.selected() {
                Some(node) => Some(Err(scope_of(&node.path))),
                None => None,
            },
            View::Actors(a) => a.selected().map(|r| Ok(Target::Open(Subject::Actor(r.arn.clone())))),
            View::Report(r) => r.selected().and_then(|row| row.target.clone()).map(Ok),
            View::Events(e) => {
                let Some(row) = e.selected() else { return };
                let title = format!("Event {}", row.event_id.clone().unwrap_or_else(|| "(no id)".into()));
                let value = serde_json::to_value(row).unwrap_or_default();
                // The original record is asked for when the page opens; the
                // event's fields stand in until it comes (or if it cannot).
                let record = row.file.clone().zip(row.event_id.clone());
                let scope = self.scope().clone();
                let note = match record {
                    Some(_) => "original record",
                    None => "event fields (no file or id to find the original record)",
                };
                let mut view = InspectorView::new(title, note, value);
                view.record = record;
                self.push(Page::new(scope, View::Inspector(view)));
                return;
            }
            View::Inspector(i) => {
                let folded = i.selected().is_some_and(|n| n.folded);
                i.set_folded(!folded);
                return;
            }
            View::Timeline(_) => {
                self.events_of_timeline();
                return;
            }
            View::Config(c) => match c.focus {
                Pane::Timeline => {
                    c.focus = Pane::Events;
                    return;
                }
                Pane::Events => c
                    .selected_event()
                    .map(|e| Ok(Target::Open(Subject::Actor(e.actor.clone())))),
                Pane::Graph => {
                    self.open_config_of_selection();
                    return;
                }
            },
        };
        match next {
            Some(Ok(Target::Open(subject))) => self.open(subject),
            Some(Ok(Target::Events(filter))) => self.open_events(filter),
            Some(Err(scope)) => self.set_scope(scope),
            None => self.say(Severity::Info, "nothing to open on this row"),
        }
    }

    fn events_of_selection(&mut self) {
        if matches!(self.page().view, View::Timeline(_)) {
            self.events_of_timeline();
            return;
        }
        let filter = match &self.page().view {
            View::Actors(a) => a.selected().map(|r| Subject::Actor(r.arn.clone()).events()),
            View::Report(r) => Some(r.events_filter()),
            View::Partitions(_) => Some(EventFilter::default()),
            View::Events(_) | View::Inspector(_) | View::Timeline(_) => None,
            View::Config(c) => c.events_resource().map(|r| Subject::Resource(r).events()),
        };
        match filter {
            Some(f) => self.open_events(f),
            None => self.say(Severity::Info, "no events to open from here"),
        }
    }
}

impl App {
    /// The timeline of what the current view shows: the selected actor,
    /// the report's entity, the events' filter, or the whole scope. An
    /// entity's timeline starts with the lanes that tell its story.
    fn open_timeline(&mut self) {
        let (filter, lanes) = match &self.page().view {
            View::Actors(a) => match a.selected() {
                Some(r) => (Subject::Actor(r.arn.clone()).events(), Some(LaneBy::Ip)),
                None => (EventFilter::default(), None),
            },
            View::Report(r) => {
                let lanes = match &r.subject {
                    Subject::Actor(_) | Subject::Key(_) => LaneBy::Ip,
                    Subject::Ip(_) | Subject::Resource(_) => LaneBy::Actor,
                };
                (r.subject.events(), Some(lanes))
            }
            View::Events(e) => (e.filter.clone(), None),
            View::Timeline(t) => (t.filter.clone(), t.lanes),
            View::Config(c) => match c.events_resource() {
                Some(id) => (Subject::Resource(id).events(), Some(LaneBy::Actor)),
                None => (EventFilter::default(), None),
            },
            View::Partitions(_) | View::Inspector(_) => (EventFilter::default(), None),
        };
        let label = super::render::timeline::label_width(self.size.width);
        let columns = (self.size.width as usize).saturating_sub(label + 1);
        let scope = self.scope().clone();
        self.push(Page::new(
            scope,
            View::Timeline(TimelineView::new(filter, lanes, columns)),
        ));
    }

    fn timeline_action(&mut self, action: Action) {
        // In a Config view, zooming is about the cause window: in is narrower.
        if matches!(self.page().view, View::Config(_)) && matches!(action, Action::ZoomIn | Action::ZoomOut) {
            self.adjust_config_window(action == Action::ZoomOut);
            return;
        }
        let other_zone = self.other_zone;
        let View::Timeline(t) = &mut self.page_mut().view else {
            let hint = self.keymap.hint(Action::Timeline);
            self.say(
                Severity::Info,
                format!("zoom, pan and lanes work on a timeline ({hint} opens one)"),
            );
            return;
        };
        let (reload, note) = match action {
            Action::ZoomIn => match t.zoom(true) {
                true => (true, None),
                false => (false, Some("one-minute buckets are the finest")),
            },
            Action::ZoomOut => match t.zoom(false) {
                true => (true, None),
                false => (false, Some("one-day buckets are the coarsest")),
            },
            Action::PanLeft | Action::PanRight => match t.pan(action == Action::PanRight) {
                true => (true, None),
                false => (false, Some("at the edge of the data")),
            },
            Action::Mark => {
                t.toggle_mark();
                (false, None)
            }
            Action::Lanes => {
                t.lanes = LaneBy::cycle(t.lanes);
                t.list = Default::default();
                (true, None)
            }
            Action::Clock => {
                t.zone = match t.zone {
                    Zone::Utc => other_zone,
                    _ => Zone::Utc,
                };
                // Local days and hours have other edges: start again from
                // the same width and cursor time.
                t.focus = t.bucket_range(t.cursor).map(|(s, _)| s);
                (true, None)
            }
            _ => (false, None),
        };
        if let Some(note) = note {
            self.say(Severity::Info, note);
        }
        if reload {
            self.reload();
        }
    }

    /// Enter on a timeline: the events of the cursor's bucket (or the
    /// selected range, and the selected lane) in a page whose scope is that
    /// time range, so that further pivots keep it.
    fn events_of_timeline(&mut self) {
        let View::Timeline(t) = &self.page().view else { return };
        match t.events_of_selection(self.scope()) {
            Some((scope, filter)) => self.push(Page::new(scope, View::Events(EventsView::new(filter)))),
            None => self.say(Severity::Info, "no bucket under the cursor yet"),
        }
    }
}
