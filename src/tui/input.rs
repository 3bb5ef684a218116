//! A one-line text input (filter, search and command line) that edits like
//! a shell line: ←/→ and ctrl-←/→ (words), home/end (ctrl-a/e), backspace
//! and delete, ctrl-w (word), ctrl-u/ctrl-k (to start/end), ctrl-y (yank).
//! The editing is tui-input's; this keeps control characters out.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

#[derive(Debug, Clone, Default)]
pub struct LineInput {
    input: Input,
}

impl PartialEq for LineInput {
    fn eq(&self, other: &LineInput) -> bool {
        self.text() == other.text() && self.cursor() == other.cursor()
    }
}

impl Eq for LineInput {}

impl LineInput {
    /// `text`, the cursor at its end.
    pub fn with(text: &str) -> LineInput {
        LineInput {
            input: Input::new(text.to_string()),
        }
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// Replace the text, the cursor at its end.
    pub fn set(&mut self, text: &str) {
        *self = LineInput::with(text);
    }

    /// The text, leaving the line empty.
    pub fn take(&mut self) -> String {
        self.input.value_and_reset()
    }

    /// Apply an editing key; false when the key is not an edit.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let typed_control = matches!(key.code, KeyCode::Char(c) if c.is_control());
        let alt_char = matches!(key.code, KeyCode::Char(_)) && key.modifiers == KeyModifiers::ALT;
        if typed_control || alt_char {
            return false;
        }
        match to_input_request(&Event::Key(*key)) {
            Some(request) => {
                self.input.handle(request);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn typed(text: &str) -> LineInput {
        let mut input = LineInput::default();
        for c in text.chars() {
            input.edit(&key(KeyCode::Char(c), KeyModifiers::NONE));
        }
        input
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut input = typed("ip 1.2");
        input.edit(&key(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "ip ");
        input.edit(&key(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(input.text(), "ip");
        assert!(!input.edit(&key(KeyCode::Enter, KeyModifiers::NONE)));

        // Into the middle: home, to the next word and back a character.
        let mut input = typed("actor bob");
        input.edit(&key(KeyCode::Home, KeyModifiers::NONE));
        assert_eq!(input.cursor(), 0);
        input.edit(&key(KeyCode::Right, KeyModifiers::CONTROL));
        input.edit(&key(KeyCode::Left, KeyModifiers::NONE));
        input.edit(&key(KeyCode::Char('s'), KeyModifiers::NONE));
        assert_eq!(input.text(), "actors bob");
        input.edit(&key(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "actors");
        input.edit(&key(KeyCode::Left, KeyModifiers::NONE));
        input.edit(&key(KeyCode::Delete, KeyModifiers::NONE));
        assert_eq!(input.text(), "actor");
        assert_eq!(input.take(), "actor");
        assert_eq!(input.text(), "");
    }

    #[test]
    fn control_characters_are_not_typed() {
        let mut input = LineInput::default();
        assert!(!input.edit(&key(KeyCode::Char('\u{1b}'), KeyModifiers::NONE)));
        assert!(!input.edit(&key(KeyCode::Char('x'), KeyModifiers::ALT)));
        assert_eq!(input.text(), "");
    }
}
