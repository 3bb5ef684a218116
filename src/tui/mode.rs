//! What the user is doing besides moving around: typing a filter or a
//! command, reading the help; and the status line's message.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::action::Action;
use super::command::{self, Known};
use super::input::LineInput;
use super::screen::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a fuzzy filter; `before` comes back on Esc.
    Filter {
        input: LineInput,
        before: String,
    },
    /// Typing a search (tables without a fuzzy filter); the cursor was on
    /// row `from` and the table narrowed to `before`, as again on Esc.
    Search {
        input: LineInput,
        from: usize,
        before: String,
    },
    Command(CommandLine),
    Help {
        offset: usize,
    },
}

/// What a key typed into the filter or the command line asks of the app.
pub enum Typed {
    Nothing,
    /// Filter the screen by this text (Esc: by the text from before).
    Filter(String),
    /// Move the cursor while filtering.
    Move(Action),
    /// Search for this text from the row the search started on.
    Search(String, usize),
    /// The search was given up: back to this row and this narrowing.
    SearchCancelled(usize, String),
    /// The search was kept: `n`/`N` go on with it.
    Searched(String),
    /// Run this command line.
    Run(String),
}

impl Mode {
    /// A key while typing a filter or a command.
    pub fn typed(&mut self, key: &KeyEvent, known: &Known) -> Typed {
        match self {
            Mode::Filter { input, before } => match key.code {
                KeyCode::Enter => {}
                KeyCode::Esc => {
                    let before = std::mem::take(before);
                    *self = Mode::Normal;
                    return Typed::Filter(before);
                }
                KeyCode::Up => return Typed::Move(Action::Up),
                KeyCode::Down => return Typed::Move(Action::Down),
                _ => {
                    return match input.edit(key) {
                        true => Typed::Filter(input.text().to_string()),
                        false => Typed::Nothing,
                    };
                }
            },
            Mode::Search { input, from, before } => {
                let typed = match key.code {
                    KeyCode::Enter => Typed::Searched(input.text().to_string()),
                    KeyCode::Esc => Typed::SearchCancelled(*from, std::mem::take(before)),
                    _ if input.edit(key) => return Typed::Search(input.text().to_string(), *from),
                    _ => return Typed::Nothing,
                };
                *self = Mode::Normal;
                return typed;
            }
            Mode::Command(line) => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let text = line.input.take();
                    *self = Mode::Normal;
                    return Typed::Run(text);
                }
                KeyCode::Up | KeyCode::Down => {
                    line.recall(key.code == KeyCode::Up);
                    return Typed::Nothing;
                }
                KeyCode::Tab | KeyCode::BackTab => {
                    line.complete(key.code == KeyCode::BackTab, known);
                    return Typed::Nothing;
                }
                _ => {
                    if line.input.edit(key) {
                        line.candidates.clear();
                        line.choice = None;
                    }
                    return Typed::Nothing;
                }
            },
            Mode::Normal | Mode::Help { .. } => return Typed::Nothing,
        }
        *self = Mode::Normal;
        Typed::Nothing
    }

    /// A key in the help overlay: scroll it, or close it.
    pub fn help_key(offset: usize, action: Option<Action>, lines: usize) -> Mode {
        match action {
            Some(Action::Down) => Mode::Help {
                offset: (offset + 1).min(lines),
            },
            Some(Action::Up) => Mode::Help {
                offset: offset.saturating_sub(1),
            },
            Some(Action::Help | Action::Cancel | Action::Quit) => Mode::Normal,
            _ => Mode::Help { offset },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub input: LineInput,
    pub candidates: Vec<String>,
    pub choice: Option<usize>,
    /// Earlier commands, oldest first, and the one ↑/↓ shows.
    pub earlier: Vec<String>,
    pub recalled: Option<usize>,
    /// What was typed before ↑, given back by ↓ past the newest.
    pub draft: String,
}

impl CommandLine {
    pub fn with_history(earlier: Vec<String>) -> CommandLine {
        CommandLine {
            earlier,
            ..CommandLine::default()
        }
    }

    /// ↑ (`older`) or ↓: the previous or next command of the history.
    pub fn recall(&mut self, older: bool) {
        let n = self.earlier.len();
        let next = match (self.recalled, older) {
            (None, true) if n > 0 => {
                self.draft = self.input.text().to_string();
                Some(n - 1)
            }
            (None, _) => return,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        self.recalled = next;
        let text = next.map_or(self.draft.clone(), |i| self.earlier[i].clone());
        self.input.set(&text);
        self.candidates.clear();
        self.choice = None;
    }

    /// Tab (or shift-tab, `backwards`): complete to the common prefix of
    /// the candidates, then cycle through them.
    pub fn complete(&mut self, backwards: bool, known: &Known) {
        if self.candidates.is_empty() {
            self.candidates = command::complete(self.input.text(), known);
            let prefix = command::common_prefix(&self.candidates);
            if self.candidates.len() == 1 {
                let only = self.candidates.remove(0);
                self.input.set(&only);
            } else if prefix.len() > self.input.text().len() {
                self.input.set(&prefix);
            } else if !self.candidates.is_empty() {
                self.choice = Some(0);
                self.input.set(&self.candidates[0]);
            }
        } else {
            let n = self.candidates.len();
            let next = match (self.choice, backwards) {
                (None, _) => 0,
                (Some(i), true) => (i + n - 1) % n,
                (Some(i), false) => (i + 1) % n,
            };
            self.choice = Some(next);
            self.input.set(&self.candidates[next]);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub severity: Severity,
}
