//! Keys in each mode, the `:` commands the app runs itself, and bringing
//! an Athena answer's slice home (`:sync-back DIR`).

use std::path::{Path, PathBuf};

use ratatui::crossterm::event::{KeyEvent, KeyEventKind, KeyModifiers};

use super::App;
use crate::lake::config::ConfigTarget;
use crate::tui::action::Action;
use crate::tui::athena_desk::NOT_ON_ATHENA;
use crate::tui::command::{self, Command};
use crate::tui::mode::{Mode, Typed};
use crate::tui::render::help;
use crate::tui::screen::{Effect, Severity};
use crate::tui::screens::inspector::InspectorScreen;
use crate::tui::target::Target;

impl App {
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let action = self.keymap.action(&key);
        // Ctrl-C (or whatever ctrl key quits) works even while typing.
        if action == Some(Action::Quit) && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        match self.mode {
            Mode::Normal => {
                if let Some(action) = action {
                    self.act(action);
                }
            }
            Mode::Help { offset } => self.mode = Mode::help_key(offset, action, help::lines(&self.keymap)),
            Mode::Filter { .. } | Mode::Search { .. } | Mode::Command(_) => match self.mode.typed(&key, &self.known) {
                Typed::Nothing => {}
                Typed::Search(text, from) => self.page_mut().search_typed(&text, from),
                Typed::SearchCancelled(from, before) => self.page_mut().search_cancelled(from, &before),
                Typed::Searched(text) => self.search_kept(text),
                Typed::Filter(text) => self.page_mut().screen.set_fuzzy_filter(&text),
                Typed::Move(action) => self.act(action),
                Typed::Run(line) => {
                    // A mistyped command too: ↑ brings it back to mend.
                    self.remember(&line);
                    match command::parse(&line) {
                        Ok(cmd) => self.run_command(cmd),
                        Err(message) => self.say(Severity::Error, message),
                    }
                }
            },
        }
        self.fix_scroll();
    }

    pub(super) fn run_command(&mut self, cmd: Command) {
        let go = |target| Effect::Go(target, None);
        let effect = match cmd {
            Command::Open(subject) => go(Target::Open(subject)),
            Command::Go(target) => go(target),
            Command::Config(id) => go(Target::Config(ConfigTarget::Resource(id), Vec::new())),
            Command::Events(filter) => go(Target::Events(filter)),
            Command::Actors => go(Target::Actors),
            Command::Scope(scope) => Effect::SetScope(scope),
            Command::Partitions => return self.open_partitions(),
            Command::Quit => return self.quit = true,
            Command::Zone(zone) => return self.set_zone(zone),
            Command::Athena(allow) => {
                let Some((severity, text)) = self.athena.as_ref().map(|d| d.allow(allow)) else {
                    return self.say(Severity::Warning, "the workbench was not started with --engine athena");
                };
                self.reload();
                return self.say(severity, text);
            }
            Command::Problems => Effect::Open(Box::new(InspectorScreen::problems(&self.lake.problems()))),
            Command::Sql(sql) => Effect::Open(Box::new(InspectorScreen::sql(sql))),
            Command::Mark(tag) => return self.mark(tag, None),
            Command::Note(text) => return self.mark(None, Some(text)),
            Command::Case(name) => return self.open_case_named(name),
            Command::SyncBack(dest) => return self.sync_back(dest),
        };
        self.apply(effect, Action::Command);
    }

    fn sync_back(&mut self, dest: PathBuf) {
        let question = self.page().screen.athena();
        let scope = self.page().scope.clone();
        let Some(desk) = self.athena.as_mut() else {
            return self.say(Severity::Warning, NOT_ON_ATHENA);
        };
        // Evidence: the lake open here is read, never written into.
        if inside(&dest, self.lake.root()) {
            return self.say(
                Severity::Error,
                format!(
                    "not syncing into {}: it is inside the lake open here, which lakescope never writes to",
                    dest.display()
                ),
            );
        }
        let (severity, message) = desk.bring_home(question, &scope, dest);
        self.say(severity, message);
    }
}

/// Is `dir` (which may not exist yet) `root` or below it?
fn inside(dir: &Path, root: &Path) -> bool {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let root = real(root);
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    // The deepest part of `dir` that exists, made real, then the rest.
    let mut existing = dir.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut full = real(&existing);
    full.extend(rest.iter().rev());
    full.starts_with(&root)
}

#[cfg(test)]
mod tests {
    use super::inside;

    #[test]
    fn a_folder_below_the_lake_is_inside_it_even_before_it_exists() {
        let lake = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        assert!(inside(&lake.path().join("slices/new"), lake.path()));
        assert!(inside(lake.path(), lake.path()));
        assert!(inside(&lake.path().join("x/../y"), lake.path()));
        assert!(!inside(&other.path().join("slice"), lake.path()));
    }
}
