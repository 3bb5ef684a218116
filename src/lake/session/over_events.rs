//! Questions over the scope's events: the `ev` relation they read (the
//! event store, or the lake's files with copies removed in the query), and
//! the store itself: which one answers, and writing one a partition day at
//! a time (see [`crate::lake::store`]).

use std::path::Path;
use std::sync::atomic::Ordering;

use duckdb::{Row, params_from_iter};

use super::Session;
use crate::lake::discovery::LakeFile;
use crate::lake::error::{LakeError, Result};
use crate::lake::plan::Group;
use crate::lake::plan::group_sql;
use crate::lake::projection::{ACTOR_KEY_SQL, FLAT_COLUMNS};
use crate::lake::scope::Filter;
use crate::lake::scope::Scope;
use crate::lake::store::{Begun, EventStore, Stage};

impl Session {
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
            tracing::debug!(%sql, params = ?filter.params(), "materialise");
            let conn = self.conn.borrow();
            let mut stmt = conn.prepare(&sql).map_err(LakeError::db)?;
            let n = stmt.execute(params_from_iter(filter.params())).map_err(LakeError::db)?;
            Ok(n as u64)
        })
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
