//! One DuckDB connection over an opened lake, and query execution that
//! survives bad files: a file that fails is named, set aside and the query
//! is run again over the rest (`docs/formats.md#bad-files`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use duckdb::{Connection, InterruptHandle, Row, params_from_iter};

use super::cache::TrailGroup;
use super::connect::open_database;
use super::convert::{self, Cancel};
use super::discovery::LakeFile;
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::model::PartialAnswers;
use super::plan::{Group, Reader, group_sql};
use super::projection::{ACTOR_KEY_SQL, FLAT_COLUMNS};
use super::scope::{Filter, Scope};
use super::shared::LakeInner;
use super::store::{Begun, EventStore, Stage};

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

    /// The `WITH ev AS (…)` prefix over the scope's events: the event
    /// store when `dedupe` and one can be had, else the lake's files (one
    /// copy per event when `dedupe`), or an empty relation when none is left.
    fn events_cte(&self, scope: &Scope, filter: &Filter, dedupe: bool) -> Result<String> {
        if dedupe && let Some(store) = self.event_store(scope)? {
            let body = store.select(scope, filter).unwrap_or_else(|| no_events(filter));
            return Ok(format!("WITH ev AS ({body})\n"));
        }
        self.fill_cache(scope)?;
        let cache = self.lake.cache.as_ref();
        let plan = self.lake.plan()?;
        let mut parts = Vec::new();
        for group in &plan.groups {
            let files: Vec<&Path> = group
                .files
                .iter()
                .filter(|f| scope.admits(f))
                .map(|f| f.path.as_path())
                .collect();
            if files.is_empty() {
                continue;
            }
            parts.push(group_sql(group, &files, &filter.sql(), cache));
        }
        let body = match parts.len() {
            0 => no_events(filter),
            _ if !dedupe => format!("SELECT * EXCLUDE (prio) FROM ({})", parts.join("\nUNION ALL BY NAME\n")),
            // The same event can come from several groups (Security Lake 1.0
            // and 2.0 overlap, raw trail files), and twice from one (files an
            // Iceberg compaction replaced, a trail delivered twice): keep one
            // copy, the best source.
            // Operation and time are part of the key because sanitised real
            // samples reuse one eventID for different events.
            _ => format!(
                "SELECT * EXCLUDE (prio) FROM ({}) \
                 QUALIFY event_uid IS NULL OR row_number() OVER \
                 (PARTITION BY event_uid, operation, time_ms ORDER BY prio) = 1",
                parts.join("\nUNION ALL BY NAME\n")
            ),
        };
        Ok(format!("WITH ev AS ({body})\n"))
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

    /// Run `tail` (SQL reading the `ev` relation) over the scope's events.
    pub(crate) fn query<T>(
        &self,
        scope: &Scope,
        filter: &Filter,
        tail: &str,
        map: impl Fn(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        self.query_with(scope, filter, tail, true, map)
    }

    /// Like [`Session::query`], but every copy of an event is kept (for
    /// per-source counts).
    pub(crate) fn query_all_copies<T>(
        &self,
        scope: &Scope,
        filter: &Filter,
        tail: &str,
        map: impl Fn(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        self.query_with(scope, filter, tail, false, map)
    }

    fn query_with<T>(
        &self,
        scope: &Scope,
        filter: &Filter,
        tail: &str,
        dedupe: bool,
        map: impl Fn(&Row<'_>) -> duckdb::Result<T>,
    ) -> Result<Vec<T>> {
        self.with_recovery(scope, filter, dedupe, |sql_prefix| {
            let sql = format!("{sql_prefix}{tail}");
            self.rows(&sql, filter, &map)
        })
    }

    /// Materialise `select` (SQL reading `ev`) into a temp table, so that a
    /// report's several aggregates scan the lake once.
    pub(crate) fn materialize_select(&self, scope: &Scope, filter: &Filter, table: &str, select: &str) -> Result<u64> {
        self.with_recovery(scope, filter, true, |prefix| {
            let sql = format!("CREATE OR REPLACE TEMP TABLE {table} AS {prefix}{select}");
            tracing::debug!(%sql, "materialise");
            let conn = self.conn.borrow();
            let mut stmt = conn.prepare(&sql).map_err(LakeError::db)?;
            let n = stmt.execute(params_from_iter(filter.params())).map_err(LakeError::db)?;
            Ok(n as u64)
        })
    }

    /// Fill `table` with `fill` unless it was last filled for the same `key`
    /// (zooming a timeline re-reads a small table, not the lake). A failed
    /// fill forgets the key.
    pub(crate) fn fill_once(&self, table: &'static str, key: String, fill: impl FnOnce() -> Result<u64>) -> Result<()> {
        if self.filled.borrow().get(table) == Some(&key) {
            return Ok(());
        }
        self.filled.borrow_mut().remove(table);
        fill()?;
        self.filled.borrow_mut().insert(table, key);
        Ok(())
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

    fn with_recovery<T>(
        &self,
        scope: &Scope,
        filter: &Filter,
        dedupe: bool,
        run: impl Fn(&str) -> Result<T>,
    ) -> Result<T> {
        self.recovering(scope, || run(&self.events_cte(scope, filter, dedupe)?))
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

    /// The de-duplicated store for the scope's files, written first if
    /// needed. None when there is no cache directory, or when writing it
    /// failed for a reason other than the lake's files (the caller then
    /// de-duplicates in the query itself). While another thread writes it
    /// for answers given progressively, the days it has finished.
    pub(crate) fn event_store(&self, scope: &Scope) -> Result<Option<EventStore>> {
        let stores = &self.lake.stores;
        if !stores.enabled() {
            return Ok(None);
        }
        self.partial_used.set(None);
        if let Some(store) = self.finished_store(scope)? {
            return Ok(Some(store));
        }
        if stores.progressive() {
            return Ok(match stores.partial() {
                Some((store, answers)) => {
                    self.partial_used.set(Some(answers));
                    Some(store)
                }
                None => stores.empty(),
            });
        }
        self.write_event_store(scope)
    }

    /// A store already written for the scope's files (or the whole lake's).
    pub(crate) fn finished_store(&self, scope: &Scope) -> Result<Option<EventStore>> {
        let stores = &self.lake.stores;
        let key = stores.key(&self.lake.files_in(scope));
        // A store of the whole lake answers any narrower scope: the scope's
        // own conditions are in the filter, and its days select the files.
        let whole = match scope.is_everything() {
            true => None,
            false => Some(stores.key(&self.lake.files_in(&Scope::default()))),
        };
        for name in std::iter::once(&key).chain(&whole) {
            if let Some(store) = stores.load(name) {
                self.adopt_problems(&store, scope)?;
                return Ok(Some(store));
            }
        }
        Ok(None)
    }

    /// The store for the scope's files, written now if it is not there.
    pub(crate) fn write_event_store(&self, scope: &Scope) -> Result<Option<EventStore>> {
        let stores = &self.lake.stores;
        if !stores.enabled() {
            return Ok(None);
        }
        let _one_build_per_process = stores.one_build()?;
        if let Some(store) = self.finished_store(scope)? {
            return Ok(Some(store));
        }
        let key = stores.key(&self.lake.files_in(scope));
        let built = self.build_store(scope, &key);
        self.lake.set_conversion(None);
        stores.publish(None);
        match built {
            Ok(store) => {
                stores.trim();
                Ok(Some(store))
            }
            Err(LakeError::Cancelled) => Err(LakeError::Cancelled),
            Err(err) => {
                tracing::warn!(%err, "cannot write the event store; de-duplicating in each query instead");
                stores.set_progressive(false);
                Ok(None)
            }
        }
    }

    /// Is `path` one of the lake's files that the scope admits?
    fn in_scope(&self, scope: &Scope, path: &Path) -> bool {
        self.lake.files_in(scope).iter().any(|f| f.path == path)
    }

    /// Files of the scope that the store's builder set aside are set aside
    /// here too (and so reported), without reading them again.
    fn adopt_problems(&self, store: &EventStore, scope: &Scope) -> Result<()> {
        if store.problems().is_empty() {
            return Ok(());
        }
        let mut plan = self.lake.plan_mut()?;
        for p in store.problems() {
            if self.in_scope(scope, &p.path) && !plan.problems.iter().any(|known| known.path == p.path) {
                plan.quarantine(&p.path, p.problem.clone());
            }
        }
        Ok(())
    }

    /// Write the scope's store one partition day at a time, newest first:
    /// convert its raw trail files, stage every copy (setting bad files
    /// aside), de-duplicate the day and publish the days done so far;
    /// then the days no partition is named after, and the manifest.
    fn build_store(&self, scope: &Scope, key: &str) -> Result<EventStore> {
        let build = match self.lake.stores.begin(key)? {
            Begun::Done(store) => return Ok(store),
            Begun::Building(build) => build,
        };
        let progress = |task: &str, done: usize, total: usize| self.lake.progress(task, done, total);
        let days = partition_days(&self.lake.files_in(scope));
        let mut stages: Vec<Stage> = Vec::new();
        let mut chunks = Vec::new();
        let dated = days.iter().filter(|d| d.is_some()).count();
        self.lake.stores.publish(Some((build.partial(&chunks), 0, dated)));
        let mut done = 0;
        for day in &days {
            if self.halted.load(Ordering::SeqCst) {
                return Err(LakeError::Cancelled);
            }
            let label = match day {
                Some(d) => format!("indexing day {d} ({} of {dated})", done + 1),
                None => "indexing files without a day".to_string(),
            };
            let progress =
                |task: &str, n: usize, total: usize| self.lake.progress(&format!("{label}: {task}"), n, total);
            let of_day = |f: &LakeFile| f.partition.as_ref().map(|p| p.day.as_str()) == day.as_deref();
            self.fill_cache_of(scope, &of_day)?;
            let staged = self.recovering(scope, || {
                let groups = self.scoped_groups(scope)?;
                let groups: Vec<(Group, Vec<LakeFile>)> = groups
                    .into_iter()
                    .map(|(g, files)| (g, files.into_iter().filter(|f| of_day(f)).collect::<Vec<_>>()))
                    .filter(|(_, files)| !files.is_empty())
                    .collect();
                build.stage_groups(&self.conn.borrow(), &groups, self.lake.cache.as_ref(), &progress)
            })?;
            stages.extend(staged);
            if let Some(epoch_day) = day.as_deref().and_then(epoch_day) {
                chunks.extend(build.dedupe_ready(&self.conn.borrow(), &stages, epoch_day)?);
                done += 1;
                self.lake.stores.publish(Some((build.partial(&chunks), done, dated)));
            }
        }
        let files = self.lake.files_in(scope).len();
        let problems = {
            let plan = self.lake.plan()?;
            plan.problems
                .iter()
                .filter(|p| self.in_scope(scope, &p.path))
                .cloned()
                .collect()
        };
        build.finish(&self.conn.borrow(), stages, files, problems, &progress)
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

/// The partition days of `files`, newest first, files without one first
/// (they may hold events of any day).
fn partition_days(files: &[&LakeFile]) -> Vec<Option<String>> {
    let mut days: Vec<Option<String>> = files
        .iter()
        .map(|f| f.partition.as_ref().map(|p| p.day.clone()))
        .collect();
    days.sort_unstable();
    days.dedup();
    // None sorts first; the days after it newest first.
    let dated = days.iter().position(Option::is_some).unwrap_or(days.len());
    days[dated..].reverse();
    days
}

/// Days since 1970-01-01 of a `YYYYMMDD` partition day.
fn epoch_day(day: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y%m%d").ok()?;
    Some(
        date.signed_duration_since(chrono::DateTime::UNIX_EPOCH.date_naive())
            .num_days(),
    )
}

/// No events, still naming the filter: its values are bound to the statement.
fn no_events(filter: &Filter) -> String {
    format!("SELECT * FROM ({}) WHERE false AND ({})", empty_events(), filter.sql())
}

/// A relation with the flat columns and no rows.
fn empty_events() -> String {
    let cols: Vec<String> = FLAT_COLUMNS
        .iter()
        .map(|(name, ty)| format!("NULL::{ty} AS {name}"))
        .collect();
    format!(
        "SELECT *, {ACTOR_KEY_SQL} AS actor_key FROM (SELECT {}) WHERE false",
        cols.join(", ")
    )
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
