//! Listings of what a lake holds: sources and partitions.
//!
//! Partitions come from paths alone. Source listings add event counts:
//! parquet footers for non-activity sources, one counting scan for activity.

use std::collections::{BTreeMap, BTreeSet};

use super::discovery::LakeFile;
use super::error::Result;
use super::plan::{clean_error, file_list};
use super::scope::{Filter, Scope};
use super::{Lake, Session};

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

impl Lake {
    /// One row per source, account, region and day, from paths (no scan).
    pub fn partitions(&self, scope: &Scope) -> Vec<PartitionRow> {
        // (source, account, region, day) -> (files, bytes)
        type Key = (String, Option<String>, Option<String>, Option<String>);
        let mut rows: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
        for file in self.files().iter().filter(|f| scope.admits(f)) {
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
}

impl Session {
    /// Sources with their accounts, regions, days and event counts.
    pub fn sources(&self, scope: &Scope) -> Result<Vec<SourceRow>> {
        let files: Vec<&LakeFile> = self.lake.discovery.files.iter().filter(|f| scope.admits(f)).collect();
        let mut by_label: BTreeMap<String, Vec<&LakeFile>> = BTreeMap::new();
        for file in &files {
            by_label.entry(file.kind.label()).or_default().push(file);
        }
        let mut filter = Filter::default();
        scope.restrict(&mut filter);
        let activity: BTreeMap<String, u64> = self
            .query_all_copies(scope, &filter, "SELECT source_kind, count(*) FROM ev GROUP BY 1", |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .into_iter()
            .collect();
        let (other, problems) = {
            let plan = self
                .lake
                .plan
                .read()
                .map_err(|_| super::LakeError::Db("lake state poisoned".into()))?;
            (plan.other_parquet.clone(), plan.problems.clone())
        };
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
            let events = if let Some(n) = activity.get(&label) {
                Some(*n + self.footer_rows(&other_files))
            } else if files.first().is_some_and(|f| f.kind.is_parquet()) {
                Some(self.footer_rows(&other_files))
            } else {
                None
            };
            rows.push(SourceRow {
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
    fn footer_rows(&self, files: &[&LakeFile]) -> u64 {
        if files.is_empty() {
            return 0;
        }
        let count = |files: &[&LakeFile]| -> std::result::Result<u64, String> {
            let sql = format!(
                "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({})",
                file_list(files.iter().map(|f| f.path.as_path()))
            );
            self.rows(&sql, &Filter::default(), |r| r.get::<_, i64>(0))
                .map(|v| v.first().copied().unwrap_or(0) as u64)
                .map_err(|e| clean_error(&e.to_string()))
        };
        match count(files) {
            Ok(n) => n,
            Err(_) => files
                .iter()
                .map(|f| match count(&[f]) {
                    Ok(n) => n,
                    Err(problem) => {
                        if let Ok(mut plan) = self.lake.plan.write() {
                            plan.quarantine(&f.path, problem);
                        }
                        0
                    }
                })
                .sum(),
        }
    }
}
