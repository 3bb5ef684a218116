//! Groups of files that can be scanned together, and the SQL that reads them.
//!
//! A group is one reader over files of one exact schema (parquet) or one
//! trail partition (raw CloudTrail). Groups are found once when the lake is
//! opened; each query then keeps, per group, only the files its scope needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use duckdb::Connection;

use super::cache::{FlatCache, by_folder};
use super::discovery::{LakeFile, SourceKind};
use super::error::{DbError, Result};
use super::footers::Footers;
use super::model::FileProblem;
use super::projection::{
    ACTOR_KEY_SQL, Flavor, MAX_JSON_OBJECT, SMALL_JSON_OBJECT, file_list, lit, ocsf_select, raw_extract, raw_scan_sql,
    raw_select,
};
use super::records::{RecordGroup, RecordKind, RecordReader, flow_log_fields, raw_kind};
use super::schema::Schema;

/// Compressed size above which a trail file may exceed the small size.
const LARGE_TRAIL_FILE: u64 = 256 * 1024;

/// Security Lake sources whose rows are actor activity.
const ACTIVITY_SOURCES: &[&str] = &["CLOUD_TRAIL_MGMT", "LAMBDA_EXECUTION", "S3_DATA", "EKS_AUDIT"];

#[derive(Debug, Clone)]
pub enum Reader {
    Ocsf {
        flavor: Flavor,
        schema: Schema,
        hive: bool,
    },
    RawJson {
        account: Option<String>,
        region: Option<String>,
    },
    RawNdjson,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub reader: Reader,
    pub label: String,
    /// Lower wins when the same event comes from several groups.
    pub priority: i32,
    pub files: Vec<LakeFile>,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub groups: Vec<Group>,
    /// Flows, DNS, HTTP and findings, one group per reader.
    pub records: Vec<RecordGroup>,
    /// Parquet files that are neither activity nor a record kind lakescope
    /// reads (counted from their footers only).
    pub other_parquet: Vec<LakeFile>,
    pub problems: Vec<FileProblem>,
}

impl Plan {
    /// `footers` answers for the parquet footers read before (and learns
    /// the others).
    pub(crate) fn build(conn: &Connection, files: &[LakeFile], footers: &mut Footers) -> Result<Plan> {
        let mut plan = Plan::default();
        let mut parquet: Vec<&LakeFile> = Vec::new();
        let mut raw: BTreeMap<(Option<String>, Option<String>), Vec<LakeFile>> = BTreeMap::new();
        let mut ndjson = Vec::new();
        let mut flow_text: BTreeMap<Vec<String>, Vec<LakeFile>> = BTreeMap::new();
        let mut resolver = Vec::new();
        for file in files {
            match &file.kind {
                SourceKind::SecurityLake { source, .. }
                    if !ACTIVITY_SOURCES.contains(&source.as_str()) && RecordKind::of_source(source).is_none() =>
                {
                    plan.other_parquet.push(file.clone());
                }
                SourceKind::SecurityLake { .. } | SourceKind::OcsfParquet => parquet.push(file),
                SourceKind::VpcFlowLog => match flow_log_fields(&file.path) {
                    Ok(fields) => flow_text.entry(fields).or_default().push(file.clone()),
                    Err(err) => plan.problems.push(FileProblem {
                        path: file.path.clone(),
                        problem: format!("cannot read the flow log header: {err}"),
                    }),
                },
                SourceKind::ResolverLog => resolver.push(file.clone()),
                SourceKind::CloudTrailJson => {
                    let key = file
                        .partition
                        .as_ref()
                        .map(|p| (Some(p.account.clone()), Some(p.region.clone())))
                        .unwrap_or((None, None));
                    raw.entry(key).or_default().push(file.clone());
                }
                SourceKind::CloudTrailNdjson => ndjson.push(file.clone()),
                SourceKind::ConfigJson { .. } => {}
            }
        }
        plan.add_parquet_groups(conn, &parquet, footers)?;
        for (fields, files) in flow_text {
            plan.records.push(RecordGroup {
                kind: RecordKind::Flows,
                reader: RecordReader::FlowText { fields },
                label: SourceKind::VpcFlowLog.label(),
                files,
            });
        }
        if !resolver.is_empty() {
            plan.records.push(RecordGroup {
                kind: raw_kind(&SourceKind::ResolverLog).unwrap_or(RecordKind::Dns),
                reader: RecordReader::ResolverJson,
                label: SourceKind::ResolverLog.label(),
                files: resolver,
            });
        }
        for ((account, region), files) in raw {
            plan.groups.push(Group {
                label: "CloudTrail".into(),
                priority: 0,
                reader: Reader::RawJson { account, region },
                files,
            });
        }
        if !ndjson.is_empty() {
            plan.groups.push(Group {
                label: "CloudTrail NDJSON".into(),
                priority: 0,
                reader: Reader::RawNdjson,
                files: ndjson,
            });
        }
        Ok(plan)
    }

    /// Fingerprint every parquet footer, then describe one file per
    /// fingerprint. Footer-damaged files are found here and set aside.
    fn add_parquet_groups(&mut self, conn: &Connection, files: &[&LakeFile], footers: &mut Footers) -> Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        let mut prints = BTreeMap::new();
        let mut unknown = Vec::new();
        for file in files {
            match footers.get(file) {
                Some(Ok(print)) => {
                    prints.insert(file.path.clone(), print);
                }
                Some(Err(problem)) => self.problems.push(FileProblem {
                    path: file.path.clone(),
                    problem,
                }),
                None => unknown.push(*file),
            }
        }
        if !unknown.is_empty() {
            let read = match fingerprints(conn, &unknown) {
                Ok(found) => found.into_iter().map(|(path, print)| (path, Ok(print))).collect(),
                // Some footer is damaged: check files one by one.
                Err(_) => {
                    let mut read = BTreeMap::new();
                    for file in &unknown {
                        match fingerprints(conn, &[file]) {
                            Ok(p) => read.extend(p.into_iter().map(|(path, print)| (path, Ok(print)))),
                            Err(err) => {
                                read.insert(file.path.clone(), Err(err.message));
                            }
                        }
                    }
                    read
                }
            };
            for file in &unknown {
                let Some(result) = read.get(&file.path) else { continue };
                footers.put(file, result.clone());
                match result {
                    Ok(print) => {
                        prints.insert(file.path.clone(), print.clone());
                    }
                    Err(problem) => self.problems.push(FileProblem {
                        path: file.path.clone(),
                        problem: problem.clone(),
                    }),
                }
            }
        }
        // (fingerprint, source label) -> files; the label keeps versions apart in listings.
        let mut by_print: BTreeMap<(String, String, bool), Vec<LakeFile>> = BTreeMap::new();
        for file in files {
            if let Some(print) = prints.get(&file.path) {
                let hive = matches!(file.kind, SourceKind::SecurityLake { .. });
                by_print
                    .entry((print.clone(), file.kind.label(), hive))
                    .or_default()
                    .push((*file).clone());
            }
        }
        for ((print, label, hive), files) in by_print {
            let first = &files[0];
            let described = match footers.schema(&print) {
                Some(rows) => Ok(rows),
                None => describe(conn, &first.path).inspect(|rows| footers.put_schema(&print, rows.clone())),
            };
            let schema = match described {
                Ok(rows) => Schema::from_describe(rows),
                Err(err) => {
                    self.problems.extend(files.iter().map(|f| FileProblem {
                        path: f.path.clone(),
                        problem: err.message.clone(),
                    }));
                    continue;
                }
            };
            if first.kind.unknown_version().is_some() {
                self.other_parquet.extend(files);
                continue;
            }
            let (source, version) = match &first.kind {
                SourceKind::SecurityLake { source, version, .. } => (Some(source.as_str()), version.as_deref()),
                _ => (None, None),
            };
            let record_kind = match source {
                Some(source) => RecordKind::of_source(source),
                None if Flavor::detect(&schema, None, None).is_none() => RecordKind::detect(&schema),
                None => None,
            };
            if let Some(kind) = record_kind {
                // Loose OCSF parquet of several kinds: tell them apart in listings.
                let label = match source {
                    Some(_) => label,
                    None => format!("{label} ({})", kind.name()),
                };
                self.records.push(RecordGroup {
                    kind,
                    reader: RecordReader::Ocsf { schema, hive },
                    label,
                    files,
                });
                continue;
            }
            match Flavor::detect(&schema, source, version) {
                Some(flavor) => {
                    let priority = match flavor {
                        Flavor::CloudTrailV2 => 1,
                        _ => 2,
                    };
                    self.groups.push(Group {
                        reader: Reader::Ocsf { flavor, schema, hive },
                        label,
                        priority,
                        files,
                    });
                }
                None => self.other_parquet.extend(files),
            }
        }
        Ok(())
    }

    /// Remove a file from every group (it failed while being read).
    pub fn quarantine(&mut self, path: &Path, problem: String) {
        for group in &mut self.groups {
            group.files.retain(|f| f.path != path);
        }
        self.groups.retain(|g| !g.files.is_empty());
        for group in &mut self.records {
            group.files.retain(|f| f.path != path);
        }
        self.records.retain(|g| !g.files.is_empty());
        if !self.problems.iter().any(|p| p.path == path) {
            self.problems.push(FileProblem {
                path: path.to_path_buf(),
                problem,
            });
        }
    }
}

fn fingerprints(conn: &Connection, files: &[&LakeFile]) -> std::result::Result<BTreeMap<PathBuf, String>, DbError> {
    let list = file_list(files.iter().map(|f| f.path.as_path()));
    // Row order inside parquet_schema is the footer's order; number the rows
    // so that the aggregate sees them in that order.
    let sql = format!(
        "SELECT file_name, md5(string_agg(concat_ws(':', name, type, num_children, repetition_type), ',' ORDER BY n)) \
         FROM (SELECT *, row_number() OVER () AS n FROM parquet_schema({list})) GROUP BY file_name"
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| DbError::classify(&e).cleaned())?;
    let rows = stmt
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .map_err(|e| DbError::classify(&e).cleaned())?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (name, print) = row.map_err(|e| DbError::classify(&e).cleaned())?;
        out.insert(PathBuf::from(name), print);
    }
    Ok(out)
}

/// `DESCRIBE` of one parquet file: (column, type) rows.
fn describe(conn: &Connection, path: &Path) -> std::result::Result<Vec<(String, String)>, DbError> {
    let sql = format!("DESCRIBE SELECT * FROM read_parquet({})", lit(&path.to_string_lossy()));
    let mut stmt = conn.prepare(&sql).map_err(|e| DbError::classify(&e).cleaned())?;
    let rows = stmt
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
        .map_err(|e| DbError::classify(&e).cleaned())?;
    let mut cols = Vec::new();
    for row in rows {
        cols.push(row.map_err(|e| DbError::classify(&e).cleaned())?);
    }
    Ok(cols)
}

/// The hive types that keep partition values as text (`012345678901`).
pub(crate) const HIVE_TYPES: &str = "{'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}";

/// The OCSF classes read as events from Security Lake activity sources:
/// Account Change 3001, Authentication 3002, API Activity 3005 (OCSF 1.0)
/// and 6003 (OCSF 1.1).
pub const EVENT_CLASSES: &[i64] = &[3001, 3002, 3005, 6003];

/// `t.class_uid` is one of [`EVENT_CLASSES`] (whatever type it was written in).
pub fn known_classes_sql() -> String {
    let list: Vec<String> = EVENT_CLASSES.iter().map(i64::to_string).collect();
    format!("TRY_CAST(t.class_uid AS BIGINT) IN ({})", list.join(", "))
}

/// SQL for one group restricted to `files`, with the flat columns plus
/// `actor_key` and `prio`, filtered by `filter` (a WHERE clause over the
/// flat columns, with `$n` parameters).
pub fn group_sql(group: &Group, files: &[&Path], filter: &str, cache: Option<&FlatCache>) -> String {
    let list = file_list(files.iter().copied());
    let inner = match &group.reader {
        Reader::Ocsf { flavor, schema, hive } => {
            let select = ocsf_select(schema, *flavor, *hive, &group.label);
            let hive_opts = if *hive {
                format!("hive_partitioning = true, hive_types = {HIVE_TYPES}")
            } else {
                "hive_partitioning = false".into()
            };
            // Only the OCSF classes of API activity are events; rows of any
            // other class are counted and named by the catalog, never guessed.
            let classes = match schema.has("class_uid") {
                true => format!("\nWHERE {}", known_classes_sql()),
                false => String::new(),
            };
            format!(
                "SELECT {select}, t.file_index AS file_ord\nFROM read_parquet({list}, {hive_opts}, filename = true) AS t{classes}"
            )
        }
        Reader::RawJson { account, region } => match cache {
            // Already projected to the flat shape (see cache.rs).
            Some(cache) => {
                let wanted: Vec<&LakeFile> = group
                    .files
                    .iter()
                    .filter(|f| files.contains(&f.path.as_path()))
                    .collect();
                let entries: Vec<PathBuf> = by_folder(&wanted)
                    .iter()
                    .map(|batch| cache.entry(batch, account.as_deref(), region.as_deref()))
                    .collect();
                format!(
                    "SELECT *, file_index AS file_ord FROM read_parquet({})",
                    file_list(entries.iter().map(PathBuf::as_path))
                )
            }
            None => {
                let (large, small): (Vec<&Path>, Vec<&Path>) = files
                    .iter()
                    .partition(|p| group.files.iter().any(|f| f.path == **p && f.size > LARGE_TRAIL_FILE));
                let scans: Vec<String> = [(small, SMALL_JSON_OBJECT), (large, MAX_JSON_OBJECT)]
                    .into_iter()
                    .filter(|(files, size)| !files.is_empty() || *size == SMALL_JSON_OBJECT)
                    .map(|(files, size)| {
                        let list = file_list(files.iter().copied());
                        let select = raw_scan_sql(&list, account.as_deref(), region.as_deref(), &group.label, size);
                        format!("SELECT *, 0 AS file_ord FROM ({select})")
                    })
                    .collect();
                scans.join("\nUNION ALL BY NAME\n")
            }
        },
        Reader::RawNdjson => {
            let select = raw_select(None, None, &group.label);
            format!(
                "SELECT {select}, 0 AS file_ord\nFROM (SELECT filename, r, {extract} FROM (\
                 SELECT filename, json AS r FROM read_json_objects({list}, format = 'auto', \
                 maximum_object_size = {MAX_JSON_OBJECT}, filename = true, hive_partitioning = false)))",
                extract = raw_extract()
            )
        }
    };
    // `prio` orders the copies of an event: by source (raw, 2.0, 1.0), then
    // by file. A file's index is 8 bytes where its path would be ~150 in the
    // de-duplication window (3.4 GB instead of 5 GB at 10M events).
    format!(
        "SELECT * EXCLUDE (file_ord) FROM (SELECT *, {ACTOR_KEY_SQL} AS actor_key, \
         {prio} * 4294967296 + file_ord AS prio FROM (\n{inner}\n)) WHERE {filter}",
        prio = group.priority
    )
}
