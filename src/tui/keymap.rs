//! Key strings ("ctrl-c", "shift-tab", "G") parsed into a map from keys to
//! actions. The defaults are data (`default_keys.toml`); user files replace
//! the keys of the actions they name; the help overlay is built from the map.

use std::collections::{BTreeMap, HashMap};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

const DEFAULT_KEYS: &str = include_str!("default_keys.toml");

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("key bindings: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("key bindings: unknown action {0:?}")]
    UnknownAction(String),
    #[error("key bindings: cannot read key {0:?}")]
    BadKey(String),
}

/// A key with its modifiers, normalised so that a binding and an event compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers = modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // Terminals report shift-tab as BackTab, sometimes with SHIFT.
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            // The character already carries the shift ('G', '?').
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            other => other,
        };
        Key { code, modifiers }
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// Parse "ctrl-c", "alt-left", "shift-tab", "G", "-", "space"…
    pub fn parse(text: &str) -> Option<Key> {
        let mut rest = text;
        let mut modifiers = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") && rest.len() > 5 {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            modifiers |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => KeyCode::F(f[1..].parse().ok()?),
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(Key::new(code, modifiers))
    }

    /// The key as written in binding files.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            out.push_str("shift-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("space"),
            KeyCode::Char(c) => out.push(c),
            KeyCode::BackTab => out.push_str("shift-tab"),
            KeyCode::F(n) => out.push_str(&format!("f{n}")),
            KeyCode::PageUp => out.push_str("pageup"),
            KeyCode::PageDown => out.push_str("pagedown"),
            other => out.push_str(&format!("{other:?}").to_ascii_lowercase()),
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<Key, Action>,
    /// Keys of each action, in the order written (for help and hints).
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl Keymap {
    /// The built-in bindings.
    pub fn defaults() -> Result<Keymap, KeymapError> {
        let mut map = Keymap {
            keys: HashMap::new(),
            by_action: BTreeMap::new(),
        };
        map.apply(&toml::from_str(DEFAULT_KEYS)?)?;
        Ok(map)
    }

    /// Replace the keys of every action named in `table` (action = [keys]).
    pub fn apply(&mut self, table: &BTreeMap<String, Vec<String>>) -> Result<(), KeymapError> {
        let mut parsed = Vec::new();
        for (name, keys) in table {
            let action = Action::from_name(name).ok_or_else(|| KeymapError::UnknownAction(name.clone()))?;
            let keys = keys
                .iter()
                .map(|k| Key::parse(k).ok_or_else(|| KeymapError::BadKey(k.clone())))
                .collect::<Result<Vec<_>, _>>()?;
            parsed.push((action, keys));
        }
        for (action, keys) in parsed {
            // A key moved to this action leaves the action it had.
            for key in &keys {
                if let Some(old) = self.keys.remove(key)
                    && let Some(list) = self.by_action.get_mut(&old)
                {
                    list.retain(|k| k != key);
                }
            }
            if let Some(old_keys) = self.by_action.remove(&action) {
                for key in old_keys {
                    self.keys.remove(&key);
                }
            }
            for key in &keys {
                self.keys.insert(*key, action);
            }
            self.by_action.insert(action, keys);
        }
        Ok(())
    }

    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.keys.get(&Key::from_event(event)).copied()
    }

    /// Labels of the keys bound to an action ("q", "ctrl-c").
    pub fn keys_of(&self, action: Action) -> Vec<String> {
        self.by_action
            .get(&action)
            .map(|keys| keys.iter().map(Key::label).collect())
            .unwrap_or_default()
    }

    /// The first key of an action, for hints ("?" for help); "" when unbound.
    pub fn hint(&self, action: Action) -> String {
        self.keys_of(action).into_iter().next().unwrap_or_default()
    }

    /// (keys, description) for every bound action: the help overlay's rows.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        Action::ALL
            .iter()
            .filter_map(|a| {
                let keys = self.keys_of(*a);
                (!keys.is_empty()).then(|| (keys.join(" "), a.describe()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn parses_key_strings() {
        assert_eq!(
            Key::parse("ctrl-c"),
            Some(Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            Key::parse("shift-tab"),
            Some(Key::new(KeyCode::BackTab, KeyModifiers::NONE))
        );
        assert_eq!(Key::parse("G"), Some(Key::new(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert_eq!(Key::parse("-"), Some(Key::new(KeyCode::Char('-'), KeyModifiers::NONE)));
        assert_eq!(Key::parse("alt-left"), Some(Key::new(KeyCode::Left, KeyModifiers::ALT)));
        assert_eq!(Key::parse("f1"), Some(Key::new(KeyCode::F(1), KeyModifiers::NONE)));
        assert_eq!(Key::parse("nonsense"), None);
    }

    #[test]
    fn events_match_bindings_whatever_shift_the_terminal_reports() {
        let map = Keymap::defaults().unwrap();
        assert_eq!(
            map.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevSection)
        );
        assert_eq!(
            map.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn user_bindings_replace_an_actions_keys_and_help_follows() {
        let mut map = Keymap::defaults().unwrap();
        let table: BTreeMap<String, Vec<String>> = toml::from_str("back = [\"b\"]").unwrap();
        map.apply(&table).unwrap();
        assert_eq!(
            map.action(&ev(KeyCode::Char('b'), KeyModifiers::NONE)),
            Some(Action::Back)
        );
        assert_eq!(map.action(&ev(KeyCode::Backspace, KeyModifiers::NONE)), None);
        assert!(
            map.help_rows()
                .iter()
                .any(|(keys, what)| keys == "b" && what.starts_with("back"))
        );
        let bad: BTreeMap<String, Vec<String>> = toml::from_str("fly = [\"x\"]").unwrap();
        assert!(map.apply(&bad).is_err());
    }
}
