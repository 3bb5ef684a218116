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
    /// row `from` and goes back there on Esc.
    Search {
        input: LineInput,
        from: usize,
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
    /// The search was given up: back to this row.
    SearchCancelled(usize),
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
                        true => Typed::Filter(input.text.clone()),
                        false => Typed::Nothing,
                    };
                }
            },
            Mode::Search { input, from } => {
                let typed = match key.code {
                    KeyCode::Enter => Typed::Searched(input.text.clone()),
                    KeyCode::Esc => Typed::SearchCancelled(*from),
                    _ if input.edit(key) => return Typed::Search(input.text.clone(), *from),
                    _ => return Typed::Nothing,
                };
                *self = Mode::Normal;
                return typed;
            }
            Mode::Command(line) => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let text = std::mem::take(&mut line.input.text);
                    *self = Mode::Normal;
                    return Typed::Run(text);
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
}

impl CommandLine {
    /// Tab (or shift-tab, `backwards`): complete to the common prefix of
    /// the candidates, then cycle through them.
    pub fn complete(&mut self, backwards: bool, known: &Known) {
        if self.candidates.is_empty() {
            self.candidates = command::complete(&self.input.text, known);
            let prefix = command::common_prefix(&self.candidates);
            if self.candidates.len() == 1 {
                self.input.text = self.candidates.remove(0);
            } else if prefix.len() > self.input.text.len() {
                self.input.text = prefix;
            } else if !self.candidates.is_empty() {
                self.choice = Some(0);
                self.input.text = self.candidates[0].clone();
            }
        } else {
            let n = self.candidates.len();
            let next = match (self.choice, backwards) {
                (None, _) => 0,
                (Some(i), true) => (i + n - 1) % n,
                (Some(i), false) => (i + 1) % n,
            };
            self.choice = Some(next);
            self.input.text = self.candidates[next].clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub severity: Severity,
}
