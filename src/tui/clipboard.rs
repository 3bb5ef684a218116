//! Copy through the terminal: OSC 52 asks the terminal (local, or at the
//! far end of SSH, or tmux with `set-clipboard on`) to set its clipboard.

use base64::Engine;

use super::app::{App, Severity};
use super::page::View;

/// The escape sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

impl App {
    /// OSC 52: the terminal (even over SSH) puts the text on the clipboard.
    pub(super) fn copy(&mut self, whole: bool) {
        let text = match &self.page().view {
            View::Inspector(i) if whole => Some(i.whole_text()),
            View::Inspector(i) => i.selected_text(),
            View::Actors(a) => a.selected().map(|r| r.arn.clone()),
            View::Report(r) => r.selected().and_then(|row| row.cells.first().cloned()),
            View::Events(e) => e.selected().and_then(|row| serde_json::to_string_pretty(row).ok()),
            View::Partitions(p) => p.selected().map(|n| n.path.join("/")),
            View::Timeline(t) => t.selected_lane().map(str::to_string).or_else(|| {
                t.selection()
                    .map(|(a, b)| format!("{} {}", crate::lake::format_ms(a), crate::lake::format_ms(b)))
            }),
        };
        let Some(text) = text else {
            self.say(Severity::Info, "nothing to copy here");
            return;
        };
        self.outbox.push(osc52(&text));
        self.say(
            Severity::Info,
            format!("copied {} characters (OSC 52)", text.chars().count()),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64() {
        assert_eq!(super::osc52("hi\u{1b}"), "\u{1b}]52;c;aGkb\u{7}");
    }
}
