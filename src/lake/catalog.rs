//! Listings of what a lake holds: sources, partitions, event counts per
//! partition, and the files that cannot be read.
//!
//! Partitions come from paths alone. Source listings add event counts:
//! parquet footers for non-activity sources, one counting scan for activity.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::discovery::{KNOWN_VERSIONS, LakeFile, SourceKind};
use super::error::{LakeError, Result};
use super::model::FileProblem;
use super::plan::{EVENT_CLASSES, Reader, known_classes_sql};
use super::projection::file_list;
use super::records::RecordReader;
use super::scope::{Filter, Scope};
use super::session::Session;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionRow {
    pub source: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub day: Option<String>,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceRow {
    pub source: String,
    pub files: u64,
    pub bytes: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    /// Records in the files (every copy, before de-duplication); None for
    /// sources lakescope lists but does not count (Config).
    pub events: Option<u64>,
    pub unreadable_files: u64,
    /// What lakescope reads the source as (`events`, `flows`, `dns`,
    /// `http`, `findings`, `config`, several for loose OCSF parquet); None
    /// when it only counts it.
    pub searchable_as: Option<String>,
    /// Why a source is not searchable, or what was read with care (files
    /// whose types drifted).
    pub note: Option<String>,
}

/// De-duplicated events of one account, region and UTC event day (all
/// sources together: an event reaching the lake through several sources
/// counts once). Missing values stay `None`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionCount {
    pub account: Option<String>,
    pub region: Option<String>,
    /// `YYYYMMDD`, as in partition paths.
    pub day: Option<String>,
    pub events: u64,
}

/// Events per account, region and event day in the scope.
pub fn partition_counts(session: &Session, scope: &Scope) -> Result<Vec<PartitionCount>> {
    let mut filter = Filter::default();
    scope.restrict(&mut filter);
    session.query(
        scope,
        &filter,
        "SELECT account, region, strftime(epoch_ms(time_ms), '%Y%m%d') AS day, count(*) AS events FROM ev \
         GROUP BY ALL ORDER BY ALL",
        |r| {
            Ok(PartitionCount {
                account: r.get(0)?,
                region: r.get(1)?,
                day: r.get(2)?,
                events: r.get::<_, i64>(3)?.max(0) as u64,
            })
        },
    )
}

/// One row per source, account, region and day of `files`, from paths (no scan).
pub(crate) fn partitions(files: &[LakeFile], scope: &Scope) -> Vec<PartitionRow> {
    // (source, account, region, day) -> (files, bytes)
    type Key = (String, Option<String>, Option<String>, Option<String>);
    let mut rows: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
    for file in files.iter().filter(|f| scope.admits(f)) {
        let p = file.partition.as_ref();
        let key = (
            file.kind.label(),
            p.map(|p| p.account.clone()),
            p.map(|p| p.region.clone()),
            p.map(|p| p.day.clone()),
        );
        let entry = rows.entry(key).or_default();
        entry.0 += 1;
        entry.1 += file.size;
    }
    rows.into_iter()
        .map(|((source, account, region, day), (files, bytes))| PartitionRow {
            source,
            account,
            region,
            day,
            files,
            bytes,
        })
        .collect()
}

/// Sources with their accounts, regions, days and event counts.
pub fn sources(session: &Session, scope: &Scope) -> Result<Vec<SourceRow>> {
    let files: Vec<&LakeFile> = session.lake().files_in(scope);
    // Loose parquet is listed by what it was read as.
    let loose_labels: BTreeMap<PathBuf, String> = {
        let plan = session.lake().plan()?;
        let records = plan
            .records
            .iter()
            .flat_map(|g| g.files.iter().map(|f| (f, g.label.clone())));
        let other = plan
            .other_parquet
            .iter()
            .map(|f| (f, "Parquet of another shape".to_string()));
        records
            .chain(other)
            .filter(|(f, _)| f.kind == SourceKind::OcsfParquet)
            .map(|(f, label)| (f.path.clone(), label))
            .collect()
    };
    let mut by_label: BTreeMap<String, Vec<&LakeFile>> = BTreeMap::new();
    for file in &files {
        let label = loose_labels
            .get(&file.path)
            .cloned()
            .unwrap_or_else(|| file.kind.label());
        by_label.entry(label).or_default().push(file);
    }
    let mut filter = Filter::default();
    scope.restrict(&mut filter);
    let activity: BTreeMap<String, u64> = session
        .query_all_copies(scope, &filter, "SELECT source_kind, count(*) FROM ev GROUP BY 1", |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?
        .into_iter()
        .collect();
    let (other, problems, readers, drift) = {
        let plan = session.lake().plan()?;
        // Loose OCSF parquet shares one label across kinds.
        let mut readers: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
        for g in &plan.groups {
            readers.entry(g.label.clone()).or_default().insert("events");
        }
        for g in &plan.records {
            readers.entry(g.label.clone()).or_default().insert(g.kind.name());
        }
        let mut counted = plan.other_parquet.clone();
        counted.extend(
            plan.records
                .iter()
                .filter(|g| matches!(g.reader, RecordReader::Ocsf { .. }))
                .flat_map(|g| g.files.iter().cloned()),
        );
        let mut drift: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for g in &plan.records {
            if let RecordReader::Ocsf { schema, .. } = &g.reader {
                let found = g.kind.drift(schema);
                if !found.is_empty() {
                    let names: Vec<String> = g.files.iter().map(|f| f.path.display().to_string()).collect();
                    drift.entry(g.label.clone()).or_default().push(format!(
                        "{} in {}",
                        found.join(", "),
                        names.join(", ")
                    ));
                }
            }
        }
        (counted, plan.problems.clone(), readers, drift)
    };
    let other_classes = other_classes(session, &files)?;
    let mut rows = Vec::new();
    for (label, files) in by_label {
        let accounts: BTreeSet<String> = files
            .iter()
            .filter_map(|f| f.partition.as_ref().map(|p| p.account.clone()))
            .collect();
        let regions: BTreeSet<String> = files
            .iter()
            .filter_map(|f| f.partition.as_ref().map(|p| p.region.clone()))
            .collect();
        let days: BTreeSet<String> = files
            .iter()
            .filter_map(|f| f.partition.as_ref().map(|p| p.day.clone()))
            .collect();
        let unreadable = files
            .iter()
            .filter(|f| problems.iter().any(|p| p.path == f.path))
            .count() as u64;
        let other_files: Vec<&LakeFile> = other
            .iter()
            .filter(|o| files.iter().any(|f| f.path == o.path))
            .collect();
        let (classes, class_rows) = other_classes.get(&label).cloned().unwrap_or_default();
        let events = if let Some(n) = activity.get(&label) {
            Some(*n + class_rows + footer_rows(session, &other_files))
        } else if files.first().is_some_and(|f| f.kind.is_parquet()) {
            Some(footer_rows(session, &other_files))
        } else {
            None
        };
        let searchable_as = match files.first().map(|f| &f.kind) {
            Some(SourceKind::ConfigJson { .. }) => Some("config".to_string()),
            _ => readers
                .get(&label)
                .map(|kinds| kinds.iter().copied().collect::<Vec<_>>().join(", ")),
        };
        let drifted: Vec<String> = drift.get(&label).cloned().unwrap_or_default();
        let unknown_version = files.first().and_then(|f| f.kind.unknown_version());
        let note = match (&searchable_as, files.first().map(|f| &f.kind)) {
            (Some(_), _) if !drifted.is_empty() => Some(format!(
                "types drifted ({}): read with casts, values that do not convert are empty",
                drifted.join("; ")
            )),
            (Some(_), _) if class_rows > 0 => Some(format!(
                "{class_rows} rows of OCSF class {} are counted, not read as events (lakescope reads classes {} here)",
                classes.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                EVENT_CLASSES.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            )),
            (Some(_), _) => None,
            _ if unreadable == files.len() as u64 => Some("no file could be read".to_string()),
            (None, _) if unknown_version.is_some() => unknown_version.map(|v| {
                format!(
                    "source version {v} is not one lakescope knows ({}): its rows are counted, not searched",
                    KNOWN_VERSIONS.join(", ")
                )
            }),
            (None, Some(SourceKind::SecurityLake { source, .. })) => Some(format!(
                "lakescope has no reader for {source} yet: its rows are counted, not searched"
            )),
            (None, _) => Some("not a shape lakescope reads: rows are counted, not searched".to_string()),
        };
        rows.push(SourceRow {
            searchable_as,
            note,
            source: label,
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.size).sum(),
            accounts: accounts.into_iter().collect(),
            regions: regions.into_iter().collect(),
            first_day: days.first().cloned(),
            last_day: days.last().cloned(),
            events,
            unreadable_files: unreadable,
        });
    }
    Ok(rows)
}

/// Row counts from parquet footers; unreadable footers count as 0 and
/// are reported through the lake's problems.
fn footer_rows(session: &Session, files: &[&LakeFile]) -> u64 {
    if files.is_empty() {
        return 0;
    }
    let count = |files: &[&LakeFile]| -> Result<u64> {
        let sql = format!(
            "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({})",
            file_list(files.iter().map(|f| f.path.as_path()))
        );
        session
            .rows(&sql, &Filter::default(), |r| r.get::<_, i64>(0))
            .map(|v| v.first().copied().unwrap_or(0) as u64)
    };
    match count(files) {
        Ok(n) => n,
        Err(_) => files
            .iter()
            .map(|f| match count(&[f]) {
                Ok(n) => n,
                Err(err) => {
                    // The problem as shown elsewhere: "DuckDB: <first line>".
                    let problem = err.to_string().lines().next().unwrap_or_default().trim().to_string();
                    if let Ok(mut plan) = session.lake().plan_mut() {
                        plan.quarantine(&f.path, problem);
                    }
                    0
                }
            })
            .sum(),
    }
}

/// Read every file of the scope completely (every column, every page)
/// and set aside the ones that fail. Queries only read the columns they
/// need, so page-level damage elsewhere in a file shows up only here.
/// Returns the lake's problems afterwards.
pub fn check(session: &Session, scope: &Scope) -> Result<Vec<FileProblem>> {
    session.fill_cache(scope)?;
    let plan = session.lake().plan()?;
    let parquet: Vec<PathBuf> = plan
        .groups
        .iter()
        .filter(|g| matches!(g.reader, Reader::Ocsf { .. }))
        .flat_map(|g| g.files.iter())
        .chain(plan.other_parquet.iter())
        .chain(
            plan.records
                .iter()
                .filter(|g| matches!(g.reader, RecordReader::Ocsf { .. }))
                .flat_map(|g| g.files.iter()),
        )
        .filter(|f| scope.admits(f))
        .map(|f| f.path.clone())
        .collect();
    drop(plan);
    for path in parquet {
        let sql = format!(
            "SELECT count(*) FROM read_parquet({}) AS t WHERE hash(t) IS NOT NULL",
            file_list([path.as_path()])
        );
        if let Err(LakeError::Db(err)) = session.rows(&sql, &Filter::default(), |r| r.get::<_, i64>(0)) {
            session.lake().plan_mut()?.quarantine(&path, err.first_line());
        }
    }
    Ok(session.lake().plan().map(|p| p.problems.clone()).unwrap_or_default())
}

/// Per source label, the OCSF classes of activity-source rows in `files`
/// that are not read as events, and how many rows they are.
fn other_classes(session: &Session, files: &[&LakeFile]) -> Result<BTreeMap<String, (Vec<i64>, u64)>> {
    let groups: Vec<(String, Vec<PathBuf>)> = {
        let plan = session.lake().plan()?;
        plan.groups
            .iter()
            .filter(|g| matches!(&g.reader, Reader::Ocsf { schema, .. } if schema.has("class_uid")))
            .map(|g| {
                let paths = g.files.iter().filter(|f| files.iter().any(|s| s.path == f.path));
                (g.label.clone(), paths.map(|f| f.path.clone()).collect())
            })
            .filter(|(_, paths): &(String, Vec<PathBuf>)| !paths.is_empty())
            .collect()
    };
    let mut out: BTreeMap<String, (Vec<i64>, u64)> = BTreeMap::new();
    for (label, paths) in groups {
        let sql = format!(
            "SELECT TRY_CAST(t.class_uid AS BIGINT), count(*) FROM read_parquet({}) AS t \
             WHERE NOT coalesce({}, false) GROUP BY 1 ORDER BY 1",
            file_list(paths.iter().map(PathBuf::as_path)),
            known_classes_sql()
        );
        // A file that cannot be read is named by the rest of the catalog.
        let Ok(found) = session.rows(&sql, &Filter::default(), |r| {
            Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)? as u64))
        }) else {
            continue;
        };
        let entry = out.entry(label).or_default();
        for (class, rows) in found {
            entry.0.extend(class);
            entry.1 += rows;
        }
    }
    out.retain(|_, (_, rows)| *rows > 0);
    Ok(out)
}
