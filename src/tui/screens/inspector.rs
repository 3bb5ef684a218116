//! A JSON value as a foldable tree, with the value under the cursor ready to copy.

use std::collections::BTreeSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use crate::lake::config::ConfigTarget;
use crate::lake::worker::Query;
use crate::lake::{FileProblem, LakeError, Scope};
use crate::text::width;
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::cells::clip;
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Load, Screen, View, copy};
use crate::tui::target::Target;

/// Characters of a string value shown in the tree; copy still takes all of it.
pub const SHOWN_CHARS: usize = 200;

/// One visible line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// JSON pointer of the value (`/request/bucketName`).
    pub path: String,
    pub depth: usize,
    pub key: String,
    /// Leaf text, or `{3}` / `[2]` for containers.
    pub text: String,
    pub container: bool,
    pub folded: bool,
    /// For a string cut for display: its full size in bytes (`text` ends
    /// with the "… (N bytes)" mark, which a narrow screen must keep).
    pub cut: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct InspectorScreen {
    pub title: String,
    /// What the tree shows, for the line above it.
    pub note: String,
    /// For `:sql` pages: the query whose result rows fill the tree.
    pub sql: Option<String>,
    /// For event pages: (source file, event id) of the original record to
    /// load; until it arrives (or if it cannot) `value` holds the event's fields.
    pub record: Option<(String, String)>,
    pub value: Value,
    pub folded: BTreeSet<String>,
    pub list: ListState,
    /// The tree's lines as `value` and `folded` make them, flattened when
    /// they change (a reply, a fold) rather than on every frame: a
    /// 10,000-row `:sql` answer is hundreds of thousands of lines.
    flat: Vec<Node>,
}

impl InspectorScreen {
    pub fn new(title: String, note: &str, value: Value) -> InspectorScreen {
        InspectorScreen {
            title,
            note: note.to_string(),
            sql: None,
            record: None,
            value,
            folded: BTreeSet::new(),
            list: ListState::default(),
            flat: Vec::new(),
        }
        .flattened()
    }

    fn flattened(mut self) -> InspectorScreen {
        self.reflatten();
        self
    }

    /// Flatten the tree again after `value` or `folded` changed.
    pub fn reflatten(&mut self) {
        let mut out = Vec::new();
        self.walk(&self.value, "", 0, &mut out);
        self.flat = out;
    }

    /// `:problems`: the files set aside, and why.
    pub fn problems(problems: &[FileProblem]) -> InspectorScreen {
        let value = Value::Array(
            problems
                .iter()
                .map(|p| serde_json::json!({"path": p.path.display().to_string(), "problem": p.problem}))
                .collect(),
        );
        let title = format!("Unreadable files ({})", problems.len());
        InspectorScreen::new(title, "files set aside; the rest of the lake is answered", value)
    }

    /// `:sql`: the rows of the user's own query.
    pub fn sql(sql: String) -> InspectorScreen {
        let mut view = InspectorScreen::new(format!("SQL {sql}"), "result rows", Value::Null);
        view.sql = Some(sql);
        view
    }

    /// The visible lines of the tree.
    pub fn nodes(&self) -> &[Node] {
        &self.flat
    }

    fn walk(&self, value: &Value, path: &str, depth: usize, out: &mut Vec<Node>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            _ => return,
        };
        for (key, child) in children {
            let child_path = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
            let (text, container) = match child {
                Value::Object(m) => (format!("{{{}}}", m.len()), true),
                Value::Array(a) => (format!("[{}]", a.len()), true),
                Value::String(s) => (shown(s), false),
                other => (other.to_string(), false),
            };
            let cut = match child {
                Value::String(s) if s.char_indices().nth(SHOWN_CHARS).is_some() => Some(s.len()),
                _ => None,
            };
            let folded = self.folded.contains(&child_path);
            out.push(Node {
                path: child_path.clone(),
                depth,
                key,
                text,
                container,
                folded,
                cut,
            });
            if container && !folded {
                self.walk(child, &child_path, depth + 1, out);
            }
        }
    }

    pub fn selected(&self) -> Option<Node> {
        self.flat.get(self.list.cursor).cloned()
    }

    pub fn set_folded(&mut self, folded: bool) {
        if let Some(node) = self.selected().filter(|n| n.container) {
            if folded {
                self.folded.insert(node.path);
            } else {
                self.folded.remove(&node.path);
            }
            self.reflatten();
        }
    }

    /// Text to copy for the selected node: a leaf's value, a container's JSON.
    pub fn selected_text(&self) -> Option<String> {
        let node = self.selected()?;
        let value = self.value.pointer(&node.path)?;
        Some(match value {
            Value::String(s) => s.clone(),
            Value::Object(_) | Value::Array(_) => serde_json::to_string_pretty(value).ok()?,
            other => other.to_string(),
        })
    }

    pub fn whole_text(&self) -> String {
        serde_json::to_string_pretty(&self.value).unwrap_or_default()
    }
}

/// What fills an inspector: result rows of `:sql`, or an event's original record.
#[derive(Debug)]
pub enum InspectorReply {
    Rows(Vec<Value>),
    Record(Option<Value>),
}

impl View for InspectorScreen {
    fn title(&self) -> String {
        self.title.clone()
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Expand | Action::Collapse => self.set_folded(action == Action::Collapse),
            Action::Select => {
                let folded = self.selected().is_some_and(|n| n.folded);
                self.set_folded(!folded);
            }
            Action::Copy => return copy(self.selected_text()),
            Action::CopyAll => return copy(Some(self.whole_text())),
            Action::ConfigResource => {
                return match &self.record {
                    Some((_, uid)) => {
                        let target = ConfigTarget::Event {
                            event_uid: uid.clone(),
                            scope: ctx.scope.clone(),
                        };
                        Effect::Go(Target::Config(target, Vec::new()), None)
                    }
                    None => Effect::Unhandled,
                };
            }
            _ if ctx.is_move(action) => {
                let n = self.nodes().len();
                self.list.move_by(ctx.step(action), n);
            }
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    fn render(&self, ctx: &Draw, frame: &mut Frame, area: Rect) {
        render(self, ctx, frame, area)
    }

    fn list(&self) -> &ListState {
        &self.list
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.list
    }

    fn rows(&self) -> usize {
        self.nodes().len()
    }

    /// A tree (or a SQL answer) keeps every line: `/` jumps between matches.
    fn narrows(&self) -> bool {
        false
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.nodes().get(row).map(|n| format!("{} {}", n.key, n.text))
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        None
    }
}

impl Screen for InspectorScreen {
    type Reply = InspectorReply;

    fn request(&self, scope: &Scope) -> Option<Query<InspectorReply>> {
        match (&self.record, &self.sql) {
            (Some((source_file, event_uid)), _) => {
                Some(Query::event(source_file.clone(), event_uid.clone()).map(InspectorReply::Record))
            }
            (None, Some(sql)) => Some(Query::sql(scope.clone(), sql.clone()).map(InspectorReply::Rows)),
            (None, None) => None,
        }
    }

    fn apply(&mut self, reply: InspectorReply) -> Result<(), String> {
        self.apply_reply(reply);
        self.reflatten();
        Ok(())
    }

    fn failed(&mut self, error: &LakeError) {
        if self.record.is_some() {
            self.note = format!("original record unreadable ({error}); event fields shown");
        }
    }
}

impl InspectorScreen {
    fn apply_reply(&mut self, reply: InspectorReply) {
        match reply {
            InspectorReply::Rows(rows) => self.value = Value::Array(rows),
            InspectorReply::Record(Some(record)) => {
                self.value = record;
                self.note = "original record".into();
                self.folded.clear();
                self.list = Default::default();
            }
            InspectorReply::Record(None) => {
                self.note = "original record not found in its file; event fields shown".into();
            }
        }
    }
}

/// The foldable JSON tree, under a line saying what it shows.
fn render(view: &InspectorScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let k = |a| ctx.keymap.hint(a);
    let note = match (&view.record, ctx.load) {
        (Some(_), Load::Pending(_) | Load::Stale) => "loading record…".to_string(),
        (Some(_), Load::Cancelled) => format!(
            "record not loaded (cancelled; {} loads it); event fields shown",
            k(Action::Refresh)
        ),
        _ => view.note.clone(),
    };
    let mut lines = vec![Line::styled(
        clip(
            &format!(
                "{} · {} fold · {} unfold · {} copy · {} copy all",
                note,
                k(Action::Collapse),
                k(Action::Expand),
                k(Action::Copy),
                k(Action::CopyAll)
            ),
            area.width as usize,
        ),
        theme.column,
    )];
    let height = area.height.saturating_sub(1) as usize;
    for (i, node) in view.nodes().iter().enumerate().skip(view.list.offset).take(height) {
        let indent = "  ".repeat(node.depth);
        let marker = match (node.container, node.folded) {
            (true, true) => "▸ ",
            (true, false) => "▾ ",
            _ => "  ",
        };
        let key = format!("{indent}{marker}{}: ", clip(&node.key, 40));
        let room = (area.width as usize).saturating_sub(width(&key));
        let value_style = if node.container { theme.muted } else { theme.text };
        let mut line = Line::from(vec![
            Span::styled(key, theme.heading),
            Span::styled(value_text(node, room), value_style),
        ]);
        if i == view.list.cursor {
            for span in &mut line.spans {
                span.style = span.style.patch(theme.selected);
            }
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The value clipped to `room` cells; a string cut for display keeps its
/// "… (N bytes)" mark however narrow the screen.
fn value_text(node: &Node, room: usize) -> String {
    match node.cut {
        Some(bytes) => {
            let mark = cut_mark(bytes);
            let shown = node.text.strip_suffix(mark.as_str()).unwrap_or(&node.text);
            let head = clip(shown, room.saturating_sub(width(&mark)));
            // `clip` marks its own cut with "…": one mark is enough.
            let head = head.strip_suffix('…').unwrap_or(&head);
            format!("{head}{mark}")
        }
        None => clip(&node.text, room),
    }
}

/// A string as the tree shows it: a long one is cut, with its full size.
fn shown(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}{}", &s[..cut], cut_mark(s.len())),
        None => s.to_string(),
    }
}

/// What follows the shown part of a cut string.
pub fn cut_mark(bytes: usize) -> String {
    format!("… ({bytes} bytes)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_copies() {
        let value = serde_json::json!({"a": 1, "req": {"bucket": "x/y", "tags": ["t1", "t2"]}});
        let mut view = InspectorScreen::new("e".into(), "", value);
        assert_eq!(view.nodes().len(), 6);
        view.list.cursor = 1;
        assert_eq!(view.selected().unwrap().path, "/req");
        view.set_folded(true);
        assert_eq!(view.nodes().len(), 2);
        assert!(view.selected_text().unwrap().contains("\"bucket\": \"x/y\""));
        view.set_folded(false);
        view.list.cursor = 2;
        assert_eq!(view.selected_text().unwrap(), "x/y");
    }

    #[test]
    fn long_strings_are_cut_for_display_but_copied_whole() {
        let big = "x".repeat(17 * 1024 * 1024);
        let value = serde_json::json!({"requestParameters": {"policy": big}, "eventName": "PutBucketPolicy"});
        let mut view = InspectorScreen::new("e".into(), "", value);
        let start = std::time::Instant::now();
        let nodes = view.nodes().to_vec();
        assert!(
            start.elapsed() < std::time::Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
        let policy = nodes.iter().find(|n| n.key == "policy").unwrap();
        assert_eq!(
            policy.text,
            format!("{}… ({} bytes)", "x".repeat(SHOWN_CHARS), big.len())
        );
        view.list.cursor = nodes.iter().position(|n| n.key == "policy").unwrap();
        assert_eq!(view.selected_text().unwrap().len(), big.len());
        assert_eq!(shown("héllo"), "héllo");
    }
}
