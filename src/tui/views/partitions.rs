//! The partitions tree: source → account → region → day, with file counts
//! and sizes from paths (instant) and event counts from one background query.
//! Events are counted once whatever the sources holding copies of them
//! (the engine de-duplicates), so counts are per account, region and day,
//! for all sources together; a source row has no count of its own.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::list::ListState;
use crate::lake::{PartitionRow, Scope, parse_time};

/// De-duplicated event counts per account, region and event day (the whole lake).
pub const COUNT_SQL: &str =
    "SELECT account, region, strftime(epoch_ms(time_ms), '%Y%m%d') AS day, count(*) AS events FROM ev GROUP BY ALL";

const NONE: &str = "-";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: u64,
    pub bytes: u64,
    pub events: Option<u64>,
}

/// A visible node: its path (source, account, region, day) and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    pub path: Vec<String>,
    pub totals: Totals,
    pub expanded: bool,
    pub leaf: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PartitionsView {
    nodes: BTreeMap<Vec<String>, Totals>,
    pub expanded: BTreeSet<Vec<String>>,
    pub list: ListState,
    pub counted: bool,
}

impl PartitionsView {
    pub fn new(rows: &[PartitionRow]) -> PartitionsView {
        let mut view = PartitionsView::default();
        for row in rows {
            let full = [
                row.source.clone(),
                row.account.clone().unwrap_or_else(|| NONE.into()),
                row.region.clone().unwrap_or_else(|| NONE.into()),
                row.day.clone().unwrap_or_else(|| NONE.into()),
            ];
            for depth in 1..=full.len() {
                let totals = view.nodes.entry(full[..depth].to_vec()).or_default();
                totals.files += row.files;
                totals.bytes += row.bytes;
            }
        }
        // Sources and accounts open at first; days stay folded.
        view.expanded = view.nodes.keys().filter(|p| p.len() <= 2).cloned().collect();
        view
    }

    /// Add event counts from [`COUNT_SQL`]'s rows to account, region and day nodes.
    pub fn set_counts(&mut self, rows: &[Value]) {
        let counts: Vec<([String; 3], u64)> = rows
            .iter()
            .map(|row| {
                let text = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or(NONE).to_string();
                (
                    [text("account"), text("region"), text("day")],
                    row.get("events").and_then(Value::as_u64).unwrap_or(0),
                )
            })
            .collect();
        for (path, totals) in self.nodes.iter_mut() {
            totals.events = (path.len() > 1).then(|| {
                counts
                    .iter()
                    .filter(|(key, _)| key.iter().zip(&path[1..]).all(|(k, p)| k == p))
                    .map(|(_, n)| n)
                    .sum()
            });
        }
        self.counted = true;
    }

    pub fn visible(&self) -> Vec<TreeNode> {
        self.nodes
            .iter()
            .filter(|(path, _)| (1..path.len()).all(|d| self.expanded.contains(&path[..d])))
            .map(|(path, totals)| TreeNode {
                path: path.clone(),
                totals: totals.clone(),
                expanded: self.expanded.contains(path),
                leaf: path.len() == 4,
            })
            .collect()
    }

    pub fn selected(&self) -> Option<TreeNode> {
        self.visible().into_iter().nth(self.list.cursor)
    }

    /// Fold or unfold the selected node; folding a leaf folds its parent.
    pub fn set_expanded(&mut self, open: bool) {
        let Some(node) = self.selected() else { return };
        if open && !node.leaf {
            self.expanded.insert(node.path);
        } else if !open && node.expanded {
            self.expanded.remove(&node.path);
        } else if !open && node.path.len() > 1 {
            let parent = node.path[..node.path.len() - 1].to_vec();
            self.expanded.remove(&parent);
            if let Some(i) = self.visible().iter().position(|n| n.path == parent) {
                self.list.cursor = i;
            }
        }
        self.list.clamp(self.visible().len());
    }
}

/// The scope a node stands for: its account, region and day. Sources are
/// not a scope dimension, so a source node means the whole lake.
pub fn scope_of(path: &[String]) -> Scope {
    let mut scope = Scope::default();
    if let Some(account) = path.get(1).filter(|a| *a != NONE) {
        scope.accounts = vec![account.clone()];
    }
    if let Some(region) = path.get(2).filter(|r| *r != NONE) {
        scope.regions = vec![region.clone()];
    }
    if let Some(day) = path.get(3).filter(|d| d.len() == 8) {
        let date = format!("{}-{}-{}", &day[0..4], &day[4..6], &day[6..8]);
        scope.from_ms = parse_time(&date, false).ok();
        scope.to_ms = parse_time(&date, true).ok();
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(account: &str, day: &str, files: u64) -> PartitionRow {
        PartitionRow {
            source: "CloudTrail".into(),
            account: Some(account.into()),
            region: Some("us-east-1".into()),
            day: Some(day.into()),
            files,
            bytes: files * 10,
        }
    }

    #[test]
    fn tree_totals_fold_and_scope() {
        let mut view = PartitionsView::new(&[
            part("1", "20240504", 2),
            part("1", "20240505", 3),
            part("2", "20240504", 1),
        ]);
        let nodes = view.visible();
        // source, account 1, region, account 2, region (regions folded)
        assert_eq!(nodes.len(), 5);
        assert_eq!(nodes[0].totals.files, 6);
        view.list.cursor = 2;
        view.set_expanded(true);
        assert_eq!(view.visible().len(), 7);
        view.list.cursor = 3;
        let day = view.selected().unwrap();
        assert_eq!(day.path[3], "20240504");
        let scope = scope_of(&day.path);
        assert_eq!(scope.accounts, vec!["1".to_string()]);
        assert_eq!(scope.to_ms.unwrap() - scope.from_ms.unwrap(), 86_400_000);
        view.set_counts(&[serde_json::json!({"account": "1", "region": "us-east-1", "day": "20240504", "events": 7})]);
        let nodes = view.visible();
        assert_eq!(nodes[0].totals.events, None, "sources have no count of their own");
        assert_eq!(nodes[1].totals.events, Some(7));
        assert_eq!(nodes[4].totals.events, Some(0), "the other day");
    }
}
