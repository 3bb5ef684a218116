//! The partitions tree: source → account → region → day, with file counts
//! and sizes from paths (instant) and event counts from one background query.
//! Events are counted once whatever the sources holding copies of them
//! (the engine de-duplicates), so counts are per account, region and day,
//! for all sources together; a source row has no count of its own.

use std::collections::{BTreeMap, BTreeSet};

use crate::lake::worker::Query;
use crate::lake::{EventCriteria, Lake, PartitionCount, PartitionRow, Scope, parse_time};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::render::cells::bytes;
use crate::tui::render::table::{Cell, Rows, Table};
use crate::tui::screen::{AnyScreen, Context, Draw, Effect, Screen, View, copy};
use crate::tui::target::Target;
use ratatui::Frame;
use ratatui::layout::Rect;

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
pub struct PartitionsScreen {
    nodes: BTreeMap<Vec<String>, Totals>,
    pub expanded: BTreeSet<Vec<String>>,
    pub list: ListState,
    pub counted: bool,
}

impl PartitionsScreen {
    pub fn new(rows: &[PartitionRow]) -> PartitionsScreen {
        let mut view = PartitionsScreen::default();
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

    /// Add the engine's de-duplicated event counts to account, region and day nodes.
    pub fn set_counts(&mut self, rows: &[PartitionCount]) {
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| NONE.into());
        let counts: Vec<([String; 3], u64)> = rows
            .iter()
            .map(|row| ([text(&row.account), text(&row.region), text(&row.day)], row.events))
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

impl View for PartitionsScreen {
    fn title(&self) -> String {
        "Partitions".into()
    }

    fn handle(&mut self, action: Action, ctx: &Context) -> Effect {
        match action {
            Action::Expand | Action::Collapse => self.set_expanded(action == Action::Expand),
            Action::Select => {
                return match self.selected() {
                    Some(node) => Effect::SetScope(scope_of(&node.path)),
                    None => Effect::Unhandled,
                };
            }
            Action::EventsOfSelection => return Effect::Go(Target::Events(EventCriteria::default()), None),
            Action::Copy | Action::CopyAll => return copy(self.selected().map(|n| n.path.join("/"))),
            _ if ctx.is_move(action) => {
                let n = self.visible().len();
                ctx.move_cursor(&mut self.list, action, n);
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
        self.visible().len()
    }

    fn row_text(&self, row: usize) -> Option<String> {
        self.visible().get(row).map(|n| n.path.join(" "))
    }

    fn rescoped(&self) -> Option<Box<dyn AnyScreen>> {
        None
    }

    fn whole_lake(&self) -> bool {
        true
    }

    fn lake_reopened(&mut self, lake: &Lake) {
        *self = PartitionsScreen::new(&lake.partitions(&Scope::default()));
    }
}

impl Screen for PartitionsScreen {
    type Reply = Vec<PartitionCount>;

    /// Counts always cover the whole lake: the tree is where a scope is chosen.
    fn request(&self, _scope: &Scope) -> Option<Query<Vec<PartitionCount>>> {
        Some(Query::partition_counts(Scope::default()))
    }

    fn apply(&mut self, rows: Vec<PartitionCount>) -> Result<(), String> {
        self.set_counts(&rows);
        Ok(())
    }
}

fn render(view: &PartitionsScreen, ctx: &Draw, frame: &mut Frame, area: Rect) {
    let theme = ctx.theme;
    let events_title = if view.counted {
        "EVENTS, ALL SOURCES"
    } else {
        "EVENTS ⟳"
    };
    let columns = vec![
        (
            "SOURCE / ACCOUNT / REGION / DAY  (enter: scope to it)".to_string(),
            None,
        ),
        ("FILES".to_string(), Some(6)),
        ("SIZE".to_string(), Some(9)),
        (events_title.to_string(), Some(19)),
    ];
    let visible = view.visible();
    let rows = Rows::of(&visible, |node| {
        let depth = node.path.len() - 1;
        let marker = if node.leaf {
            "  "
        } else if node.expanded {
            "▾ "
        } else {
            "▸ "
        };
        let name = node.path.last().cloned().unwrap_or_default();
        let style = if depth == 0 { theme.heading } else { theme.text };
        vec![
            Cell::Text(format!("{}{marker}{name}", "  ".repeat(depth)), style),
            Cell::Text(node.totals.files.to_string(), theme.muted),
            Cell::Text(bytes(node.totals.bytes), theme.muted),
            Cell::Text(
                match (node.totals.events, view.counted) {
                    (Some(n), _) => n.to_string(),
                    (None, true) => String::new(),
                    (None, false) => "…".into(),
                },
                theme.text,
            ),
        ]
    });
    Table {
        columns,
        rows,
        list: &view.list,
        narrow: ctx.narrow(&view.list),
        marked: ctx.marked(&view.list),
        empty: "no partitions".into(),
    }
    .render(frame, area, theme);
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
        let mut view = PartitionsScreen::new(&[
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
        view.set_counts(&[PartitionCount {
            account: Some("1".into()),
            region: Some("us-east-1".into()),
            day: Some("20240504".into()),
            events: 7,
        }]);
        let nodes = view.visible();
        assert_eq!(nodes[0].totals.events, None, "sources have no count of their own");
        assert_eq!(nodes[1].totals.events, Some(7));
        assert_eq!(nodes[4].totals.events, Some(0), "the other day");
    }
}
