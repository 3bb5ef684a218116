//! The AWS Config resource view: the configuration timeline, the diff of
//! the selected change, the CloudTrail events in the window before it
//! (likely causes first) and the relationship tree.

use std::collections::BTreeSet;

use crate::lake::config::{
    ChangeCauses, ConfigTarget, FieldChange, GraphNode, MAX_WINDOW_MS, ResourceConfig, assign_causes, diff_items,
};
use crate::tui::action::Action;
use crate::tui::list::ListState;
use crate::tui::narrow::Narrow;

/// Step of the window keys, and its bounds.
const WINDOW_STEP_MS: i64 = 5 * 60 * 1000;
const MIN_WINDOW_MS: i64 = 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Timeline,
    Events,
    Graph,
}

#[derive(Debug, Clone)]
pub struct ConfigScreen {
    pub target: ConfigTarget,
    pub data: Option<Box<ResourceConfig>>,
    pub focus: Pane,
    /// Cursor in the timeline (the list the app scrolls).
    pub list: ListState,
    pub events: ListState,
    pub graph: ListState,
    /// Tree rows (indices into `data.tree`) whose children are shown.
    pub expanded: BTreeSet<usize>,
    pub window_ms: i64,
    /// The resources walked through to get here (breadcrumb).
    pub trail: Vec<String>,
    /// Events per timeline item for the current window.
    pub causes: Vec<ChangeCauses>,
}

impl ConfigScreen {
    pub fn new(target: ConfigTarget, trail: Vec<String>) -> ConfigScreen {
        ConfigScreen {
            target,
            data: None,
            focus: Pane::Timeline,
            list: ListState::default(),
            events: ListState::default(),
            graph: ListState::default(),
            expanded: BTreeSet::from([0]),
            window_ms: crate::lake::config::DEFAULT_WINDOW_MS,
            trail,
            causes: Vec::new(),
        }
    }

    /// The reply arrived: start on the latest change that has a likely cause, else the last item.
    pub fn set_data(&mut self, data: ResourceConfig) {
        self.data = Some(Box::new(data));
        self.recompute();
        let n = self.items_len();
        let cursor = self
            .causes
            .iter()
            .rposition(|c| c.likely().next().is_some())
            .unwrap_or(n.saturating_sub(1));
        self.list = ListState { cursor, offset: 0 };
        self.events = ListState::default();
    }

    fn recompute(&mut self) {
        self.causes = match &self.data {
            Some(d) => assign_causes(&d.items, &d.candidates, self.window_ms),
            None => Vec::new(),
        };
        let n = self.selected_causes().map_or(0, |c| c.events.len());
        self.events.clamp(n);
    }

    pub fn items_len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.items.len())
    }

    /// Widen (`more`) or narrow the window before each change by 5 minutes.
    pub fn adjust_window(&mut self, more: bool) {
        let next = if more {
            self.window_ms + WINDOW_STEP_MS
        } else {
            self.window_ms - WINDOW_STEP_MS
        };
        self.window_ms = next.clamp(MIN_WINDOW_MS, MAX_WINDOW_MS);
        self.recompute();
    }

    pub fn selected_causes(&self) -> Option<&ChangeCauses> {
        self.causes.get(self.list.cursor)
    }

    /// Field changes of the selected item against the previous one.
    pub fn selected_diff(&self) -> Vec<FieldChange> {
        let Some(d) = &self.data else { return Vec::new() };
        let i = self.list.cursor;
        match d.items.get(i) {
            Some(item) => diff_items(i.checked_sub(1).and_then(|p| d.items.get(p)), item),
            None => Vec::new(),
        }
    }

    pub fn selected_event(&self) -> Option<&crate::lake::config::CauseEvent> {
        self.selected_causes()?.events.get(self.events.cursor)
    }

    /// Tree rows shown: every ancestor expanded.
    pub fn visible_nodes(&self) -> Vec<usize> {
        let Some(d) = &self.data else { return Vec::new() };
        let mut out = Vec::new();
        for (i, node) in d.tree.iter().enumerate() {
            let mut parent = node.parent;
            let mut shown = true;
            while let Some(p) = parent {
                if !self.expanded.contains(&p) {
                    shown = false;
                    break;
                }
                parent = d.tree[p].parent;
            }
            if shown {
                out.push(i);
            }
        }
        out
    }

    pub fn selected_node(&self) -> Option<&GraphNode> {
        let index = *self.visible_nodes().get(self.graph.cursor)?;
        self.data.as_ref()?.tree.get(index)
    }

    pub fn has_children(&self, index: usize) -> bool {
        self.data
            .as_ref()
            .is_some_and(|d| d.tree.iter().any(|n| n.parent == Some(index)))
    }

    pub fn set_expanded(&mut self, open: bool) {
        let Some(&index) = self.visible_nodes().get(self.graph.cursor) else {
            return;
        };
        if open {
            self.expanded.insert(index);
        } else if !self.expanded.remove(&index) {
            // Folding a leaf folds its parent and moves there, as file trees do.
            if let Some(parent) = self.data.as_ref().and_then(|d| d.tree[index].parent) {
                self.expanded.remove(&parent);
                if let Some(at) = self.visible_nodes().iter().position(|i| *i == parent) {
                    self.graph.cursor = at;
                }
            }
        }
        let n = self.visible_nodes().len();
        self.graph.clamp(n);
    }

    pub fn next_pane(&mut self, forward: bool) {
        self.focus = match (self.focus, forward) {
            (Pane::Timeline, true) | (Pane::Graph, false) => Pane::Events,
            (Pane::Events, true) | (Pane::Timeline, false) => Pane::Graph,
            (Pane::Graph, true) | (Pane::Events, false) => Pane::Timeline,
        };
    }

    /// Move the focused pane's cursor (`/` narrows the captures).
    pub fn move_by(&mut self, step: isize, narrow: Option<&Narrow>) {
        match self.focus {
            Pane::Timeline => {
                let before = self.list.cursor;
                self.list.move_among(step, self.items_len(), narrow);
                if self.list.cursor != before {
                    self.events = ListState::default();
                }
            }
            Pane::Events => {
                let n = self.selected_causes().map_or(0, |c| c.events.len());
                self.events.move_by(step, n);
            }
            Pane::Graph => {
                let n = self.visible_nodes().len();
                self.graph.move_by(step, n);
            }
        }
    }

    /// Resource label for titles and breadcrumbs: type, id and name.
    pub fn label(&self) -> String {
        match &self.data {
            Some(d) => {
                let name = d.items.iter().rev().find_map(|i| i.resource_name.clone());
                match name {
                    Some(n) if n != d.key.resource_id => format!("{} {} ({n})", d.key.resource_type, d.key.resource_id),
                    _ => format!("{} {}", d.key.resource_type, d.key.resource_id),
                }
            }
            None => self.target.label(),
        }
    }

    /// What `e` filters the events view by: the ARN when known, else the id.
    pub fn events_resource(&self) -> Option<String> {
        let d = self.data.as_ref()?;
        Some(
            d.items
                .iter()
                .rev()
                .find_map(|i| i.arn.clone())
                .unwrap_or_else(|| d.key.resource_id.clone()),
        )
    }

    /// Text for the clipboard: the focused row's main value.
    pub fn selected_text(&self) -> Option<String> {
        match self.focus {
            Pane::Timeline => self.events_resource(),
            Pane::Events => self.selected_event().map(|e| e.actor.clone()),
            Pane::Graph => self.selected_node().and_then(|n| n.resource_id.clone()),
        }
    }
}

impl ConfigScreen {
    /// Cursor keys, folding and pane switching.
    pub fn navigate(&mut self, action: Action, step: isize, narrow: Option<&Narrow>) {
        match action {
            Action::NextSection => self.next_pane(true),
            Action::PrevSection => self.next_pane(false),
            Action::Expand | Action::Collapse if self.focus == Pane::Graph => {
                self.set_expanded(action == Action::Expand)
            }
            _ => self.move_by(step, narrow),
        }
    }
}
