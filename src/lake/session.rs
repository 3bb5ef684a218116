//! One DuckDB connection over an opened lake, and query execution that
//! survives bad files: a file that fails is named, set aside and the query
//! is run again over the rest (`docs/formats.md#bad-files`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use duckdb::{Connection, InterruptHandle, Row, params_from_iter};

mod over_events;

use super::cache::TrailGroup;
use super::connect::open_database;
use super::convert::{self, Cancel};
use super::discovery::LakeFile;
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::model::PartialAnswers;
use super::plan::{Group, Reader, group_sql};
use super::scope::{Filter, Scope};
use super::shared::LakeInner;

/// How many bad files one query may set aside before giving up.
const MAX_RECOVERIES: usize = 64;

/// One connection over a lake: the event source (`ev`) of a scope, and
/// queries that survive bad files. Query modules ([`pivots`](super::pivots),
/// [`timeline`](super::timeline), [`catalog`](super::catalog),
/// [`config`](super::config)…) borrow a session.
pub struct Session {
    lake: Arc<LakeInner>,
    conn: RefCell<Connection>,
    /// What each reusable temp table was filled from (see [`Session::fill_once`]).
    filled: RefCell<HashMap<&'static str, String>>,
    /// Stops the native conversion, as DuckDB's interrupt stops a query.
    cancel: Cancel,
    /// Set once for good: the session's work is no longer wanted (a
    /// background build whose owner went away).
    halted: Arc<AtomicBool>,
    /// The stores' generation when `filled` was last valid.
    filled_in: Cell<u64>,
    /// The partial store the last query answered from, if any.
    partial_used: Cell<Option<PartialAnswers>>,
}

/// Cancels what a session is computing: its DuckDB query and its native
/// raw trail conversion.
pub struct Interrupt {
    db: Arc<InterruptHandle>,
    cancel: Cancel,
}

impl Interrupt {
    pub fn interrupt(&self) {
        self.cancel.set();
        self.db.interrupt();
    }
}

/// Stops a session's work for good, between steps as well as within one.
pub(crate) struct Halt {
    interrupt: Interrupt,
    halted: Arc<AtomicBool>,
}

impl Halt {
    pub(crate) fn halt(&self) {
        self.halted.store(true, Ordering::SeqCst);
        self.interrupt.interrupt();
    }
}

impl Session {
    pub(crate) fn new(lake: Arc<LakeInner>, conn: Connection) -> Session {
        Session {
            lake,
            conn: RefCell::new(conn),
            filled: RefCell::new(HashMap::new()),
            cancel: Cancel::default(),
            halted: Arc::new(AtomicBool::new(false)),
            partial_used: Cell::new(None),
            filled_in: Cell::new(0),
        }
    }

    /// Stops this session's work for good (see [`Halt`]).
    pub(crate) fn halt_handle(&self) -> Halt {
        Halt {
            interrupt: Interrupt {
                db: self.conn.borrow().interrupt_handle(),
                cancel: self.cancel.clone(),
            },
            halted: self.halted.clone(),
        }
    }

    /// Was the last answer taken from the days a running build has
    /// finished (how many of how many), rather than the whole store?
    pub fn partial_used(&self) -> Option<PartialAnswers> {
        self.partial_used.get()
    }

    /// The lake's shared state (files, plan, caches).
    pub(crate) fn lake(&self) -> &LakeInner {
        &self.lake
    }

    /// Lets another thread cancel this session's running query or
    /// conversion.
    pub fn interrupt_handle(&self) -> Arc<Interrupt> {
        Arc::new(Interrupt {
            db: self.conn.borrow().interrupt_handle(),
            cancel: self.cancel.clone(),
        })
    }

    /// Each group with the files the scope admits (groups left with none
    /// are left out), as they stand now.
    pub(crate) fn scoped_groups(&self, scope: &Scope) -> Result<Vec<(Group, Vec<LakeFile>)>> {
        let plan = self.lake.plan()?;
        Ok(plan
            .groups
            .iter()
            .map(|g| (g.clone(), g.files.iter().filter(|f| scope.admits(f)).cloned().collect()))
            .filter(|(_, files): &(Group, Vec<LakeFile>)| !files.is_empty())
            .collect())
    }

    /// Convert the scope's raw CloudTrail files that are not in the flat
    /// cache yet; files that fail are set aside with their error.
    pub(crate) fn fill_cache(&self, scope: &Scope) -> Result<()> {
        self.fill_cache_of(scope, &|_| true)
    }

    /// [`Session::fill_cache`] for the scope's files that `pick` picks.
    fn fill_cache_of(&self, scope: &Scope, pick: &dyn Fn(&LakeFile) -> bool) -> Result<()> {
        let Some(cache) = &self.lake.cache else { return Ok(()) };
        let work = self.scoped_groups(scope)?;
        let groups: Vec<TrailGroup<'_>> = work
            .iter()
            .filter_map(|(group, files)| match &group.reader {
                Reader::RawJson { account, region } => Some(TrailGroup {
                    label: &group.label,
                    account: account.as_deref(),
                    region: region.as_deref(),
                    files: files.iter().filter(|f| pick(f)).collect(),
                }),
                _ => None,
            })
            .filter(|g| !g.files.is_empty())
            .collect();
        if groups.is_empty() {
            return Ok(());
        }
        let task = match groups.as_slice() {
            [one] => format!(
                "converting {} {} {}: day folder",
                one.label,
                one.account.unwrap_or("-"),
                one.region.unwrap_or("-")
            ),
            _ => format!("converting {}: day folder", groups[0].label),
        };
        let progress = |done: usize, total: usize| self.lake.progress(&task, done, total);
        // A cancel that arrived before this work began was for earlier work
        // (the worker repeats its cancel until the work it meant stops).
        self.cancel.reset();
        let result = convert::fill(cache, &self.conn.borrow(), &groups, &self.cancel, &progress);
        self.lake.set_conversion(None);
        let problems = result.map_err(|err| {
            LakeError::from_db(DbError {
                message: format!("cannot convert raw CloudTrail (no file was set aside): {}", err.message),
                kind: err.kind,
            })
        })?;
        if !problems.is_empty() {
            let mut plan = self.lake.plan_mut()?;
            for p in problems {
                tracing::warn!(file = %p.path.display(), problem = %p.problem, "setting a bad file aside");
                plan.quarantine(&p.path, p.problem);
            }
        }
        Ok(())
    }

    /// The source kinds of the lake's event groups (`source_kind` values).
    pub(crate) fn source_kinds(&self) -> Result<Vec<String>> {
        let plan = self.lake.plan()?;
        let mut kinds: Vec<String> = plan.groups.iter().map(|g| g.label.clone()).collect();
        kinds.sort();
        kinds.dedup();
        Ok(kinds)
    }

    /// The lake files a query over `scope` reads (after path pruning and
    /// without the files set aside as unreadable).
    pub fn scan_files(&self, scope: &Scope) -> Result<Vec<PathBuf>> {
        let plan = self.lake.plan()?;
        Ok(plan
            .groups
            .iter()
            .flat_map(|g| g.files.iter())
            .filter(|f| scope.admits(f))
            .map(|f| f.path.clone())
            .collect())
    }

    /// Fill `table` with `fill` unless it was last filled for the same `key`
    /// (zooming a timeline re-reads a small table, not the lake). A failed
    /// fill forgets the key.
    pub(crate) fn fill_once(&self, table: &'static str, key: String, fill: impl FnOnce() -> Result<u64>) -> Result<()> {
        // Tables made while a store was being written hold the days it had
        // then: once it has others, they are all made again.
        let generation = self.lake.stores.generation();
        if self.filled_in.replace(generation) != generation {
            self.filled.borrow_mut().clear();
        }
        if self.filled.borrow().get(table) == Some(&key) {
            return Ok(());
        }
        self.filled.borrow_mut().remove(table);
        fill()?;
        self.filled.borrow_mut().insert(table, key);
        Ok(())
    }

    /// The flag a cancel sets (the worker's `Esc`), for work that is not a
    /// DuckDB query (an Athena query polled from here); cleared first, as
    /// a cancel that came before this work was for earlier work.
    pub(crate) fn fresh_cancel(&self) -> &std::sync::atomic::AtomicBool {
        self.cancel.reset();
        self.cancel.flag()
    }

    /// `CREATE TEMP TABLE table AS select` over tables of our own (no lake
    /// scan, no parameters); the rows written.
    pub(crate) fn materialize_own(&self, table: &str, select: &str) -> Result<u64> {
        let sql = format!("CREATE OR REPLACE TEMP TABLE {table} AS {select}");
        tracing::debug!(%sql, "materialise");
        let n = self.conn.borrow().execute(&sql, []).map_err(LakeError::db)?;
        Ok(n as u64)
    }

    /// A statement of our own (no lake scan, no parameters, no rows back).
    pub(crate) fn execute(&self, sql: &str) -> Result<()> {
        tracing::debug!(%sql, "execute");
        self.conn.borrow().execute_batch(sql).map_err(LakeError::db)
    }

    /// A plain query (no lake scan) with bound parameters.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        filter: &Filter,
        map: impl Fn(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        tracing::debug!(%sql, "query");
        let conn = self.conn.borrow();
        let mut stmt = conn.prepare(sql).map_err(LakeError::db)?;
        let mut rows = stmt.query(params_from_iter(filter.params())).map_err(LakeError::db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(LakeError::db)? {
            out.push(map(row).map_err(LakeError::db)?);
        }
        Ok(out)
    }

    /// Run `attempt` until it succeeds or fails for a reason other than a
    /// bad lake file; each bad file is named, set aside, and `attempt` runs
    /// again over the rest.
    pub(crate) fn recovering<T>(&self, scope: &Scope, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        for _ in 0..MAX_RECOVERIES {
            let err = match attempt() {
                Ok(v) => return Ok(v),
                Err(LakeError::Db(err)) => err,
                Err(other) => return Err(other),
            };
            match err.kind {
                DbErrorKind::Poisoned => {
                    // The database is unusable after an INTERNAL/FATAL error
                    // (`docs/formats.md#duckdb-traps`): start a fresh one for this session.
                    *self.conn.borrow_mut() = open_database()?;
                    self.filled.borrow_mut().clear();
                    return Err(LakeError::Db(DbError::new(
                        DbErrorKind::Poisoned,
                        format!("{} (the query engine was restarted; please retry)", err.first_line()),
                    )));
                }
                DbErrorKind::BadData { .. } => {}
                _ => return Err(LakeError::Db(err.cleaned())),
            }
            // Our own store, damaged or removed meanwhile: drop it, it is rebuilt.
            if self.lake.stores.discard_named_in(&err) {
                continue;
            }
            let used = self.scan_files(scope)?;
            let culprit = match used.iter().find(|p| err.names(p)) {
                Some(path) => Some((path.clone(), err.first_line())),
                None => self.find_bad_file(scope)?,
            };
            let Some((path, problem)) = culprit else {
                return Err(LakeError::Db(err.cleaned()));
            };
            tracing::warn!(file = %path.display(), %problem, "setting a bad file aside");
            self.lake.plan_mut()?.quarantine(&path, problem);
        }
        Err(LakeError::Db(DbError::new(
            DbErrorKind::BadData {
                file: None,
                oversized: false,
            },
            "too many unreadable files; see `lakescope sources`",
        )))
    }

    /// Read each file of the scope on its own until one fails. Only a file
    /// that fails while others of its group pass is blamed.
    fn find_bad_file(&self, scope: &Scope) -> Result<Option<(PathBuf, String)>> {
        let groups: Vec<Group> = self.lake.plan()?.groups.clone();
        for group in &groups {
            let mut failures = Vec::new();
            let files: Vec<&Path> = group
                .files
                .iter()
                .filter(|f| scope.admits(f))
                .map(|f| f.path.as_path())
                .collect();
            for file in &files {
                let sql = format!(
                    "SELECT count(*) FROM ({}) AS x WHERE hash(x) IS NOT NULL",
                    group_sql(group, &[file], "true", self.lake.cache.as_ref())
                );
                if let Err(LakeError::Db(err)) = self.rows(&sql, &Filter::default(), |r| r.get::<_, i64>(0)) {
                    failures.push((file.to_path_buf(), err.first_line()));
                }
            }
            if !failures.is_empty() && (failures.len() < files.len() || files.len() == 1) {
                return Ok(failures.into_iter().next());
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interrupt_also_stops_a_native_conversion() {
        let conn = Connection::open_in_memory().expect("duckdb");
        let cancel = Cancel::default();
        let interrupt = Interrupt {
            db: conn.interrupt_handle(),
            cancel: cancel.clone(),
        };
        interrupt.interrupt();
        assert!(cancel.is_set(), "the worker's cancel reaches the converter's flag");
    }
}
