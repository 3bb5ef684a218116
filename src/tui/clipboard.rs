//! Copy through the terminal: OSC 52 asks the terminal (local, or at the
//! far end of SSH, or tmux with `set-clipboard on`) to set its clipboard.
//! The sequence is crossterm's.

use ratatui::crossterm::Command;
use ratatui::crossterm::clipboard::CopyToClipboard;

/// The escape sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let mut sequence = String::new();
    // Writing into a String cannot fail.
    let _ = CopyToClipboard::to_clipboard_from(text).write_ansi(&mut sequence);
    sequence
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64() {
        assert_eq!(super::osc52("hi\u{1b}"), "\u{1b}]52;c;aGkb\u{1b}\\");
    }
}
