//! Everything a key (or the mouse, or a command) can ask the app to do.
//! Serde names are the ones used in key-binding files.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Back,
    Forward,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Collapse,
    Expand,
    Select,
    NextSection,
    PrevSection,
    Filter,
    Command,
    Cancel,
    Sort,
    ReverseSort,
    Partitions,
    Actors,
    Events,
    EventsOfSelection,
    Copy,
    CopyAll,
    Refresh,
    Timeline,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    Mark,
    Lanes,
    Clock,
    ConfigResource,
    Findings,
    Flows,
    Hunts,
    NextMatch,
    PrevMatch,
    CaseMark,
    CaseNote,
    Case,
    CopyAthena,
    SyncBack,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 46] = [
        Action::Partitions,
        Action::Actors,
        Action::Events,
        Action::Timeline,
        Action::Hunts,
        Action::Findings,
        Action::Flows,
        Action::Select,
        Action::EventsOfSelection,
        Action::ConfigResource,
        Action::CaseMark,
        Action::CaseNote,
        Action::Case,
        Action::Back,
        Action::Forward,
        Action::Filter,
        Action::NextMatch,
        Action::PrevMatch,
        Action::Command,
        Action::Sort,
        Action::ReverseSort,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextSection,
        Action::PrevSection,
        Action::Expand,
        Action::Collapse,
        Action::ZoomIn,
        Action::ZoomOut,
        Action::PanLeft,
        Action::PanRight,
        Action::Mark,
        Action::Lanes,
        Action::Clock,
        Action::Copy,
        Action::CopyAll,
        Action::CopyAthena,
        Action::SyncBack,
        Action::Refresh,
        Action::Cancel,
        Action::Help,
        Action::Quit,
    ];

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::Back => "back to the previous view",
            Action::Forward => "forward again",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up (events: previous page)",
            Action::PageDown => "page down (events: next page)",
            Action::Top => "first row",
            Action::Bottom => "last row",
            Action::Collapse => "fold (tree, JSON); timeline: previous bucket",
            Action::Expand => "unfold (tree, JSON); timeline: next bucket",
            Action::Select => "open / pivot to the selected row",
            Action::NextSection => "next section",
            Action::PrevSection => "previous section",
            Action::Filter => "fuzzy filter (actors); narrow the table to the rows holding a text",
            Action::NextMatch => "next row matching the search",
            Action::PrevMatch => "previous row matching the search",
            Action::Command => "command line (:actor :ip :key :resource :findings :dns :flows :scope)",
            Action::Cancel => "cancel the running query, else clear the filter",
            Action::Sort => "sort by the next column (actors)",
            Action::ReverseSort => "reverse the sort (actors)",
            Action::Partitions => "partitions tree (choose the scope)",
            Action::Actors => "actors in scope",
            Action::Events => "events in scope",
            Action::EventsOfSelection => "events of this entity / of the selected row",
            Action::Copy => "copy the selected value (OSC 52)",
            Action::CopyAll => "copy the whole record (OSC 52)",
            Action::Refresh => "run the view's query again",
            Action::Timeline => "timeline of the scope, entity or selected row",
            Action::ZoomIn => "timeline: zoom in around the cursor; Config: narrower cause window",
            Action::ZoomOut => "timeline: zoom out; Config: wider cause window",
            Action::PanLeft => "timeline: pan back in time",
            Action::PanRight => "timeline: pan forward in time",
            Action::Mark => "timeline: start or clear a range selection",
            Action::Lanes => "timeline: lanes by ip, session, key, account, region, operation, actor, source, none",
            Action::Clock => "timeline: UTC or local time",
            Action::ConfigResource => "AWS Config view of this event / resource",
            Action::Findings => "findings in scope, most severe first",
            Action::Flows => "network flows of this IP / instance / interface",
            Action::Hunts => "hunts: built-in and your detections over the scope, most severe first",
            Action::CaseMark => "mark the selected row in the case (type a tag or just Enter)",
            Action::CaseNote => "add a note to the selected row's mark (marking it)",
            Action::Case => "the case: marks in time order with their notes",
            Action::CopyAthena => "copy the page's question as Athena SQL (OSC 52; AWS_REGION names the tables)",
            Action::SyncBack => "(--engine athena) sync the partitions the page's answer touched, to go on offline",
        }
    }

    /// The action's binding-file name (`back`, `page_down`…).
    pub fn name(self) -> String {
        match toml::Value::try_from(self) {
            Ok(toml::Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        toml::Value::String(name.to_string()).try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(&action.name()), Some(action));
        }
        assert_eq!(Action::PageDown.name(), "page_down");
        assert_eq!(Action::from_name("nope"), None);
    }
}
