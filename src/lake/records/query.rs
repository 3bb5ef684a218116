//! Running SQL over one record kind (`rec`), surviving bad files the way
//! activity queries do: a file that fails is named, set aside, and the
//! question is asked again over the rest.

use std::path::{Path, PathBuf};

use duckdb::Row;

use super::group::{RecordGroup, empty};
use super::kind::RecordKind;
use crate::lake::error::{DbError, DbErrorKind, LakeError, Result};
use crate::lake::scope::{Filter, Scope};
use crate::lake::session::Session;

/// How many bad files one question may set aside before giving up.
const MAX_RECOVERIES: usize = 64;

/// The kind's groups with the files the scope admits.
fn scoped(session: &Session, kind: RecordKind, scope: &Scope) -> Result<Vec<(RecordGroup, Vec<PathBuf>)>> {
    let plan = session.lake().plan()?;
    Ok(plan
        .records
        .iter()
        .filter(|g| g.kind == kind)
        .map(|g| {
            let files = g
                .files
                .iter()
                .filter(|f| scope.admits(f))
                .map(|f| f.path.clone())
                .collect();
            (g.clone(), files)
        })
        .filter(|(_, files): &(RecordGroup, Vec<PathBuf>)| !files.is_empty())
        .collect())
}

/// Does the lake hold any record of this kind (in any scope)?
pub fn present(session: &Session, kind: RecordKind) -> Result<bool> {
    Ok(session.lake().plan()?.records.iter().any(|g| g.kind == kind))
}

/// `WITH rec AS (…)`: the scope's records of `kind` passing `filter`.
/// Findings keep their latest record per finding (a finding is re-sent
/// each time it changes, and once per Security Lake version).
fn cte(session: &Session, kind: RecordKind, scope: &Scope, filter: &Filter) -> Result<String> {
    let parts: Vec<String> = scoped(session, kind, scope)?
        .iter()
        .map(|(group, files)| {
            let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            format!("SELECT * FROM ({}) WHERE {}", group.sql(&files), filter.sql())
        })
        .collect();
    let body = match parts.len() {
        0 => format!("SELECT * FROM ({}) WHERE {}", empty(kind), filter.sql()),
        _ => parts.join("\nUNION ALL BY NAME\n"),
    };
    let body = match kind {
        RecordKind::Findings => format!(
            "SELECT *, count(*) OVER (PARTITION BY finding_uid) AS records FROM ({body}) \
             QUALIFY finding_uid IS NULL OR row_number() OVER \
             (PARTITION BY finding_uid ORDER BY time_ms DESC, source_kind DESC) = 1"
        ),
        _ => body,
    };
    Ok(format!("WITH rec AS ({body})\n"))
}

/// Run `tail` (SQL reading `rec`) over the scope's records of `kind`.
pub(crate) fn query<T>(
    session: &Session,
    kind: RecordKind,
    scope: &Scope,
    filter: &Filter,
    tail: &str,
    map: impl Fn(&Row<'_>) -> duckdb::Result<T>,
) -> Result<Vec<T>> {
    session.recovering(scope, || {
        for _ in 0..MAX_RECOVERIES {
            let sql = format!("{}{tail}", cte(session, kind, scope, filter)?);
            let err = match session.rows(&sql, filter, &map) {
                Ok(rows) => return Ok(rows),
                Err(LakeError::Db(err)) if err.is_bad_data() => err,
                Err(other) => return Err(other),
            };
            let Some((path, problem)) = culprit(session, kind, scope, &err)? else {
                return Err(LakeError::Db(err.cleaned()));
            };
            tracing::warn!(file = %path.display(), %problem, "setting a bad file aside");
            session.lake().plan_mut()?.quarantine(&path, problem);
        }
        Err(LakeError::Db(DbError::new(
            DbErrorKind::BadData {
                file: None,
                oversized: false,
            },
            "too many unreadable files; see `lakescope sources`",
        )))
    })
}

/// The file an error names, else the first file that fails on its own.
fn culprit(session: &Session, kind: RecordKind, scope: &Scope, err: &DbError) -> Result<Option<(PathBuf, String)>> {
    culprit_among(session, &scoped(session, kind, scope)?, err)
}

/// [`culprit`] among these groups' files.
pub(crate) fn culprit_among(
    session: &Session,
    groups: &[(RecordGroup, Vec<PathBuf>)],
    err: &DbError,
) -> Result<Option<(PathBuf, String)>> {
    if let Some(path) = groups.iter().flat_map(|(_, files)| files).find(|p| err.names(p)) {
        return Ok(Some((path.clone(), err.first_line())));
    }
    for (group, files) in groups {
        for file in files {
            let sql = format!(
                "SELECT count(*) FROM ({}) AS x WHERE hash(x) IS NOT NULL",
                group.sql(&[file.as_path()])
            );
            if let Err(LakeError::Db(e)) = session.rows(&sql, &Filter::default(), |r| r.get::<_, i64>(0)) {
                return Ok(Some((file.clone(), e.first_line())));
            }
        }
    }
    Ok(None)
}
