//! Field-level differences between two consecutive configuration items.
//!
//! Paths read like `configuration.ipPermissions[1].fromPort`. Arrays of the
//! same length are compared element by element; otherwise whole elements
//! are matched by value, so an inserted rule shows as one addition instead
//! of a cascade of changes. Strings holding JSON (policy documents) are
//! parsed and compared inside.

use serde::Serialize;
use serde_json::Value;

use super::item::ConfigItem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Added,
    Removed,
    Changed,
}

impl DiffKind {
    pub fn sign(self) -> &'static str {
        match self {
            DiffKind::Added => "+",
            DiffKind::Removed => "-",
            DiffKind::Changed => "~",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub change: DiffKind,
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The parts of an item whose changes matter to a responder.
fn state(item: &ConfigItem) -> Value {
    let rels: Vec<Value> = item
        .relationships
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.verb,
                "resourceType": r.resource_type,
                "resourceId": r.resource_id,
                "resourceName": r.resource_name,
            })
        })
        .collect();
    serde_json::json!({
        "status": item.status,
        "configuration": item.configuration,
        "supplementaryConfiguration": item.supplementary,
        "tags": item.tags,
        "relationships": rels,
    })
}

/// What changed from `before` to `after`. The first item of a timeline
/// has nothing to compare with: no changes.
pub fn diff_items(before: Option<&ConfigItem>, after: &ConfigItem) -> Vec<FieldChange> {
    match before {
        Some(b) => diff_values(&state(b), &state(after)),
        None => Vec::new(),
    }
}

pub fn diff_values(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    let simple = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// A string that holds a JSON object or array, parsed.
fn embedded(v: &Value) -> Option<Value> {
    let s = v.as_str()?.trim_start();
    if !(s.starts_with('{') || s.starts_with('[')) {
        return None;
    }
    serde_json::from_str(s).ok()
}

fn push(out: &mut Vec<FieldChange>, change: DiffKind, path: &str, before: Option<&Value>, after: Option<&Value>) {
    out.push(FieldChange {
        change,
        path: path.to_string(),
        before: before.cloned(),
        after: after.cloned(),
    });
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Null, _) => push(out, DiffKind::Added, path, None, Some(after)),
        (_, Value::Null) => push(out, DiffKind::Removed, path, Some(before), None),
        (Value::Object(b), Value::Object(a)) => {
            for (k, bv) in b {
                let p = join(path, k);
                match a.get(k) {
                    Some(av) => walk(&p, bv, av, out),
                    None if bv.is_null() => {}
                    None => push(out, DiffKind::Removed, &p, Some(bv), None),
                }
            }
            for (k, av) in a {
                if !b.contains_key(k) && !av.is_null() {
                    push(out, DiffKind::Added, &join(path, k), None, Some(av));
                }
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                walk(&format!("{path}[{i}]"), bv, av, out);
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for (i, bv) in b.iter().enumerate() {
                if !a.contains(bv) {
                    push(out, DiffKind::Removed, &format!("{path}[{i}]"), Some(bv), None);
                }
            }
            for (i, av) in a.iter().enumerate() {
                if !b.contains(av) {
                    push(out, DiffKind::Added, &format!("{path}[{i}]"), None, Some(av));
                }
            }
        }
        _ => match (embedded(before), embedded(after)) {
            (Some(b), Some(a)) => walk(&format!("{path}<json>"), &b, &a, out),
            _ => push(out, DiffKind::Changed, path, Some(before), Some(after)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_paths_added_removed_changed() {
        let b = json!({"a": {"x": 1, "gone": true}, "list": [{"p": 22}], "policy": "{\"S\":[1]}"});
        let a = json!({"a": {"x": 2, "new": "y"}, "list": [{"p": 22}, {"p": 443}], "policy": "{\"S\":[2]}"});
        let d = diff_values(&b, &a);
        let got: Vec<(DiffKind, &str)> = d.iter().map(|c| (c.change, c.path.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (DiffKind::Changed, "a.x"),
                (DiffKind::Removed, "a.gone"),
                (DiffKind::Added, "a.new"),
                (DiffKind::Added, "list[1]"),
                (DiffKind::Changed, "policy<json>.S[0]"),
            ]
        );
        assert_eq!(d[3].after, Some(json!({"p": 443})));
    }

    #[test]
    fn equal_values_have_no_diff_and_odd_keys_are_quoted() {
        assert!(diff_values(&json!({"a": [1]}), &json!({"a": [1]})).is_empty());
        let d = diff_values(&json!({}), &json!({"Configuration.NetworkInterfaces.0": 1}));
        assert_eq!(d[0].path, "[\"Configuration.NetworkInterfaces.0\"]");
    }
}
