//! The workbench's case: this lake's case store and the case open in it.
//! Every mark goes through the store's locked update, so the workbench and
//! a `lakescope case mark` run beside it both land.

use std::path::Path;

use super::page::Page;
use super::screens::case::CaseScreen;
use crate::case::store::{CaseError, CaseStore};
use crate::case::{Case, Mark, Markable, Step, now};
use crate::lake::{Scope, format_ms};
use crate::text::shell_quote;

pub struct CaseDesk {
    store: CaseStore,
    pub case: Case,
}

impl CaseDesk {
    /// The current case of the lake at `lake_root`, among the cases kept in `cases`.
    pub fn open(cases: &Path, lake_root: &Path) -> Result<CaseDesk, CaseError> {
        let store = CaseStore::in_dir(cases, lake_root)?;
        let case = store.current()?;
        Ok(CaseDesk { store, case })
    }

    /// Make case `name` the current one, starting it if it is new.
    pub fn switch(&mut self, name: &str) -> Result<(), CaseError> {
        self.case = match self.store.open(name) {
            Err(CaseError::NotFound(_)) => self.store.create(name)?,
            other => other?,
        };
        Ok(())
    }

    pub fn is_marked(&self, m: &Markable) -> bool {
        self.case.is_marked(m.kind, &m.value)
    }

    /// Mark (or tag, or add a note to) what `m` stands for; the message for
    /// the status line.
    pub fn mark(
        &mut self,
        m: Markable,
        tag: Option<String>,
        note: Option<String>,
        path: Vec<Step>,
    ) -> Result<String, CaseError> {
        let again = self.is_marked(&m);
        let what = format!("{} {}", m.kind.label(), m.value);
        let tagged = tag.clone();
        let noted = note.is_some();
        let mark = Mark {
            kind: m.kind,
            value: m.value,
            time_ms: m.time_ms,
            summary: m.summary,
            actor: m.actor,
            tag,
            notes: note.into_iter().collect(),
            marked_at: now(),
            path,
        };
        let (case, ()) = self.store.update(|case| case.mark(mark))?;
        self.case = case;
        let done = match (again, noted) {
            (_, true) => "note added to",
            (true, false) => "already marked:",
            (false, false) => "marked",
        };
        let tag = tagged.map(|t| format!(" [{t}]")).unwrap_or_default();
        Ok(format!(
            "{done} {what}{tag} · case {} ({} marks)",
            self.case.name,
            self.case.marks.len()
        ))
    }
}

/// The scope as `lakescope` flags (leading space each).
pub fn scope_args(scope: &Scope) -> String {
    let mut out = String::new();
    for a in &scope.accounts {
        out.push_str(&format!(" --account {}", shell_quote(a)));
    }
    for r in &scope.regions {
        out.push_str(&format!(" --region {}", shell_quote(r)));
    }
    if let Some(ms) = scope.from_ms {
        out.push_str(&format!(" --from {}", format_ms(ms)));
    }
    if let Some(ms) = scope.to_ms {
        out.push_str(&format!(" --to {}", format_ms(ms)));
    }
    out
}

/// `m`, `M`, `:mark`, `:note` on the page shown: mark its selected row,
/// with the questions of the pages that led there. Returns whether it
/// worked and the status line's message.
pub fn mark_selected(
    desk: Option<&mut CaseDesk>,
    history: &mut [Page],
    current: usize,
    lake_root: &Path,
    tag: Option<String>,
    note: Option<String>,
) -> (bool, String) {
    let Some(desk) = desk else {
        return (
            false,
            "no case: cases need a data directory (see lakescope info)".into(),
        );
    };
    let Some(page) = history.get(current) else {
        return (false, "nothing to mark here".into());
    };
    let Some(markable) = page.screen.markable(page.screen.list().cursor) else {
        return (false, "nothing to mark on this row".into());
    };
    let root = lake_root.canonicalize().unwrap_or_else(|_| lake_root.to_path_buf());
    let lake = shell_quote(&root.display().to_string());
    let path = history[..=current]
        .iter()
        .filter_map(|p| {
            let question = p.screen.question()?;
            Some(Step {
                title: crate::text::sanitize(&p.title()),
                command: format!("lakescope --lake {lake}{} {question}", scope_args(&p.scope)),
            })
        })
        .collect();
    let said = match desk.mark(markable, tag, note, path) {
        Ok(message) => (true, message),
        Err(e) => (false, format!("the case was not written: {e}")),
    };
    // The case screen shows the case as it is now.
    let page = &mut history[current];
    if let Some(case) = page.screen.as_any().downcast_ref::<CaseScreen>() {
        page.screen = Box::new(case.refreshed(&desk.case));
    }
    said
}
