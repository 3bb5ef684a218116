//! `/` on tables without a fuzzy filter: the table narrows to the rows
//! whose text holds what was typed (case-insensitive), and `n`/`N` go to the
//! next and previous of them, wrapping around. Screens whose lines are not
//! table rows (a JSON tree, a timeline) keep every line and the cursor
//! jumps between the matches instead — as in `less`.

use serde::Serialize;
use serde_json::Value;

use super::narrow::Narrow;
use super::screen::View;

/// The text `/` searches in a row: every string, number and boolean of its
/// serialised form, space-separated.
pub fn row_words<T: Serialize>(row: &T) -> Option<String> {
    let value = serde_json::to_value(row).ok()?;
    let mut words = Vec::new();
    collect(&value, &mut words);
    Some(words.join(" "))
}

fn collect(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect(v, out)),
    }
}

fn holds(view: &dyn View, row: usize, needle: &str) -> bool {
    view.row_text(row).is_some_and(|t| t.to_lowercase().contains(needle))
}

/// The first matching row from `from` (itself included), going forward or
/// back and wrapping around; None when no row matches or `text` is empty.
pub fn find(view: &dyn View, text: &str, from: usize, forward: bool) -> Option<usize> {
    let n = view.rows();
    if n == 0 || text.is_empty() {
        return None;
    }
    let needle = text.to_lowercase();
    let from = from.min(n - 1);
    (0..n)
        .map(|k| match forward {
            true => (from + k) % n,
            false => (from + n - k) % n,
        })
        .find(|&row| holds(view, row, &needle))
}

/// How many rows match `text`, and how many of them are at or above `row`.
pub fn rank(view: &dyn View, text: &str, row: usize) -> (usize, usize) {
    let needle = text.to_lowercase();
    let hits: Vec<usize> = (0..view.rows()).filter(|&r| holds(view, r, &needle)).collect();
    let at = hits.iter().filter(|&&r| r <= row).count();
    (at, hits.len())
}

/// The rows of `view` holding `text`; None when `text` is empty.
pub fn narrow(view: &dyn View, text: &str) -> Option<Narrow> {
    if text.is_empty() {
        return None;
    }
    let needle = text.to_lowercase();
    let rows = (0..view.rows()).filter(|&r| holds(view, r, &needle)).collect();
    Some(Narrow::new(text, rows))
}
