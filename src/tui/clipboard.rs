//! Copy through the terminal: OSC 52 asks the terminal (local, or at the
//! far end of SSH, or tmux with `set-clipboard on`) to set its clipboard.

use base64::Engine;

/// The escape sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64() {
        assert_eq!(super::osc52("hi\u{1b}"), "\u{1b}]52;c;aGkb\u{7}");
    }
}
