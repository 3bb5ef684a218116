//! A one-line text input (filter and command line): typing at the end,
//! backspace, ctrl-u (clear) and ctrl-w (delete a word).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
}

impl LineInput {
    pub fn with(text: &str) -> LineInput {
        LineInput { text: text.to_string() }
    }

    /// Apply an editing key; false when the key is not an edit.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.text.clear(),
            KeyCode::Char('w') if ctrl => {
                let trimmed = self.text.trim_end();
                let cut = trimmed.rfind(' ').map_or(0, |i| i + 1);
                self.text.truncate(cut);
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) && !c.is_control() => {
                self.text.push(c)
            }
            KeyCode::Backspace => {
                self.text.pop();
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        let mut input = LineInput::default();
        for c in "ip 1.2".chars() {
            input.edit(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(input.text, "ip 1.2");
        input.edit(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(input.text, "ip ");
        input.edit(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(input.text, "ip");
        assert!(!input.edit(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    }
}
