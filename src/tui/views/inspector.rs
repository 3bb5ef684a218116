//! A JSON value as a foldable tree, with the value under the cursor ready to copy.

use std::collections::BTreeSet;

use serde_json::Value;

use super::list::ListState;

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
pub struct InspectorView {
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
}

impl InspectorView {
    pub fn new(title: String, note: &str, value: Value) -> InspectorView {
        InspectorView {
            title,
            note: note.to_string(),
            sql: None,
            record: None,
            value,
            folded: BTreeSet::new(),
            list: ListState::default(),
        }
    }

    pub fn nodes(&self) -> Vec<Node> {
        let mut out = Vec::new();
        self.walk(&self.value, "", 0, &mut out);
        out
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
        self.nodes().into_iter().nth(self.list.cursor)
    }

    pub fn set_folded(&mut self, folded: bool) {
        if let Some(node) = self.selected().filter(|n| n.container) {
            if folded {
                self.folded.insert(node.path);
            } else {
                self.folded.remove(&node.path);
            }
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
        let mut view = InspectorView::new("e".into(), "", value);
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
        let mut view = InspectorView::new("e".into(), "", value);
        let start = std::time::Instant::now();
        let nodes = view.nodes();
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
