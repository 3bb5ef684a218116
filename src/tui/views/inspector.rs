//! A JSON value as a foldable tree, with the value under the cursor ready to copy.

use std::collections::BTreeSet;

use serde_json::Value;

use super::list::ListState;

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
}

#[derive(Debug, Clone)]
pub struct InspectorView {
    pub title: String,
    /// What the tree shows, for the line above it.
    pub note: String,
    /// For `:sql` pages: the query whose result rows fill the tree.
    pub sql: Option<String>,
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
                Value::String(s) => (s.clone(), false),
                other => (other.to_string(), false),
            };
            let folded = self.folded.contains(&child_path);
            out.push(Node {
                path: child_path.clone(),
                depth,
                key,
                text,
                container,
                folded,
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
}
