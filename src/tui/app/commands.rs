//! The `:` commands the app runs itself, and bringing an Athena answer's
//! slice home (`B`, `:sync-back DIR`).

use std::path::PathBuf;

use super::App;
use crate::lake::config::ConfigTarget;
use crate::tui::action::Action;
use crate::tui::command::Command;
use crate::tui::screen::{Effect, Severity};
use crate::tui::screens::inspector::InspectorScreen;
use crate::tui::target::Target;

impl App {
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

    /// `B`: the `:` line with `sync-back DIR` typed, DIR proposed.
    pub(super) fn propose_sync_back(&mut self) {
        match &self.athena {
            Some(desk) => {
                let dest = desk.proposed_dest();
                self.type_command(&format!("sync-back {}", dest.display()));
            }
            None => self.say(
                Severity::Warning,
                "sync back needs --engine athena: this lake is on disk already",
            ),
        }
    }

    fn sync_back(&mut self, dest: PathBuf) {
        let question = self.page().screen.athena();
        let scope = self.page().scope.clone();
        let Some(desk) = self.athena.as_mut() else {
            return self.say(
                Severity::Warning,
                "sync back needs --engine athena: this lake is on disk already",
            );
        };
        let (severity, message) = desk.bring_home(question, &scope, dest);
        self.say(severity, message);
    }
}
