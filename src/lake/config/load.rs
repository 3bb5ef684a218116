//! Reading AWS Config items into the session's `config_items` table.
//!
//! One SQL pipeline accepts every spelling (`docs/formats.md#config-item-spellings`): S3
//! delivery files (`configurationItems`), API output (`configurationItems`,
//! `baseConfigurationItems`, `Results` of `select-resource-config`),
//! change notifications (bare or inside an SNS `Message` string) and
//! CloudTrail Lake rows (`eventData`). Names are coalesced, a string
//! `configuration` is parsed, and copies of one state are kept once.

use std::path::PathBuf;

use crate::lake::discovery::SourceKind;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::FileProblem;
use crate::lake::projection::{MAX_JSON_OBJECT, file_list};
use crate::lake::scope::Filter;
use crate::lake::session::Session;

/// Items, one row per JSON item found, with the spelling it came in.
const RAW_SQL: &str = "
CREATE OR REPLACE TEMP TABLE config_raw AS
WITH d AS (SELECT file, doc, try(json(doc->>'Message')) AS msg FROM config_docs),
c AS (
  SELECT file, 'delivery' AS shape, unnest(try_cast(doc->'configurationItems' AS JSON[])) AS ci FROM d
  UNION ALL SELECT file, 'api', unnest(try_cast(doc->'baseConfigurationItems' AS JSON[])) FROM d
  UNION ALL SELECT file, 'api', try(json(r)) FROM (SELECT file, unnest(try_cast(doc->'Results' AS VARCHAR[])) AS r FROM d)
  UNION ALL SELECT file, 'notification', doc->'configurationItem' FROM d WHERE (doc->'configurationItem') IS NOT NULL
  UNION ALL SELECT file, 'notification', msg->'configurationItem' FROM d WHERE (msg->'configurationItem') IS NOT NULL
  UNION ALL SELECT file, 'cloudtrail_lake', doc->'eventData' FROM d WHERE (doc->>'eventCategory') = 'ConfigurationItem'
  UNION ALL SELECT file, 'item', doc FROM d
    WHERE (doc->>'resourceType') IS NOT NULL AND (doc->'configurationItemCaptureTime') IS NOT NULL
)
SELECT file, CASE WHEN shape = 'delivery' AND (ci->'awsAccountId') IS NULL AND (ci->'accountId') IS NOT NULL
                  THEN 'api' ELSE shape END AS shape, ci
FROM c WHERE ci IS NOT NULL AND json_type(ci) = 'OBJECT'";

/// The normalised items; `copies` counts the files that held this state.
const ITEMS_SQL: &str = "
CREATE OR REPLACE TEMP TABLE config_items AS
WITH n AS (
  SELECT file, shape,
    nullif(coalesce(ci->>'awsAccountId', ci->>'accountId'), '') AS account,
    ci->>'awsRegion' AS region,
    ci->>'resourceType' AS resource_type,
    ci->>'resourceId' AS resource_id,
    ci->>'resourceName' AS resource_name,
    nullif(coalesce(ci->>'ARN', ci->>'arn'), '') AS arn,
    CASE WHEN json_type(ci->'configurationItemCaptureTime') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
         THEN CAST(CAST(ci->>'configurationItemCaptureTime' AS DOUBLE) * 1000 AS BIGINT)
         ELSE epoch_ms(try_cast(ci->>'configurationItemCaptureTime' AS TIMESTAMPTZ)) END AS capture_ms,
    ci->>'configurationItemStatus' AS status,
    ci->>'configurationStateId' AS state_id,
    ci->>'availabilityZone' AS availability_zone,
    CASE json_type(ci->'configuration')
         WHEN 'VARCHAR' THEN coalesce(try(json(ci->>'configuration')), to_json(ci->>'configuration'))
         WHEN 'NULL' THEN NULL ELSE ci->'configuration' END AS configuration,
    nullif(ci->'supplementaryConfiguration', 'null'::JSON) AS supplementary,
    nullif(ci->'tags', 'null'::JSON) AS tags,
    nullif(ci->'relationships', 'null'::JSON) AS relationships,
    CASE shape WHEN 'delivery' THEN 0 WHEN 'api' THEN 1 WHEN 'cloudtrail_lake' THEN 2 ELSE 3 END AS prio
  FROM config_raw
)
SELECT * EXCLUDE (prio), count(*) OVER w AS copies
FROM n WHERE resource_id IS NOT NULL AND resource_type IS NOT NULL
WINDOW w AS (PARTITION BY account, region, resource_type, resource_id, coalesce(state_id, capture_ms::VARCHAR))
QUALIFY row_number() OVER (PARTITION BY account, region, resource_type, resource_id,
        coalesce(state_id, capture_ms::VARCHAR) ORDER BY prio, file) = 1";

/// Relationship entries of one raw item (0 when absent or not a list).
const RELS: &str =
    "CASE WHEN json_type(ci->'relationships') = 'ARRAY' THEN json_array_length(ci->'relationships') ELSE 0 END";

/// Files read and what came out of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConfigLoad {
    /// Config files read (bad ones excluded).
    pub files: u64,
    /// Items found, every copy counted (snapshots repeat history).
    pub items_read: u64,
    /// Relationship entries in those items, every copy counted.
    pub relationships_read: u64,
    /// Distinct item states after de-duplication.
    pub items: u64,
    /// Distinct resources.
    pub resources: u64,
    /// The same counts per spelling (`delivery`, `api`, `notification`…).
    pub spellings: Vec<SpellingCount>,
    /// Files that were set aside, with the reason.
    pub problems: Vec<FileProblem>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SpellingCount {
    pub spelling: String,
    pub items_read: u64,
    pub relationships_read: u64,
}

/// The lake's Config files, as discovered.
fn config_files(session: &Session) -> Vec<PathBuf> {
    session
        .lake()
        .discovery
        .files
        .iter()
        .filter(|f| matches!(f.kind, SourceKind::ConfigJson { .. }))
        .map(|f| f.path.clone())
        .collect()
}

fn config_loaded(session: &Session) -> Result<bool> {
    let n = session.rows(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'config_items'",
        &Filter::default(),
        |r| r.get::<_, i64>(0),
    )?;
    Ok(n.first().copied().unwrap_or(0) > 0)
}

/// Make sure `config_items` exists (reading the Config files once per
/// connection). Returns what the load found.
pub fn config_load(session: &Session) -> Result<ConfigLoad> {
    if !config_loaded(session)? {
        load_config_items(session)?;
    }
    config_load_summary(session)
}

fn load_config_items(session: &Session) -> Result<()> {
    let mut files = config_files(session);
    let mut problems = Vec::new();
    // A file DuckDB cannot read is found by reading each file alone.
    if let Err(err) = read_config_docs(session, &files) {
        for path in &files {
            if let Err(LakeError::Db(err)) = read_config_docs(session, std::slice::from_ref(path)) {
                problems.push((path.clone(), err.first_line()));
            }
        }
        if problems.is_empty() {
            return Err(err);
        }
        files.retain(|f| !problems.iter().any(|(p, _)| p == f));
        read_config_docs(session, &files)?;
    }
    exec(session, RAW_SQL)?;
    exec(session, ITEMS_SQL)?;
    // Files that were read but gave no item say why.
    let empty = session.rows(
        "SELECT d.file, bool_or((d.doc->>'Message') IS NOT NULL AND NOT json_valid((d.doc->>'Message'))) \
         FROM config_docs d ANTI JOIN config_raw r ON r.file = d.file GROUP BY d.file ORDER BY d.file",
        &Filter::default(),
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<bool>>(1)?.unwrap_or(false))),
    )?;
    for (file, bad_message) in empty {
        let why = if bad_message {
            "AWS Config notification whose SNS Message is not valid JSON"
        } else {
            "no AWS Config configuration item found in this JSON"
        };
        problems.push((PathBuf::from(file), why.to_string()));
    }
    // File names and messages are data: bound, not spliced.
    let mut f = Filter::default();
    let mut values = vec!["(NULL::VARCHAR, NULL::VARCHAR)".to_string()];
    for (path, why) in &problems {
        let p = f.bind_text(&path.to_string_lossy());
        let w = f.bind_text(why);
        values.push(format!("({p}, {w})"));
    }
    session.rows(
        &format!(
            "CREATE OR REPLACE TEMP TABLE config_problems AS SELECT * FROM (VALUES {}) AS t(file, problem)",
            values.join(", ")
        ),
        &f,
        |_| Ok(()),
    )?;
    let mut plan = session.lake().plan_mut()?;
    for (path, problem) in problems {
        tracing::warn!(file = %path.display(), %problem, "unreadable Config file");
        plan.quarantine(&path, problem);
    }
    Ok(())
}

fn read_config_docs(session: &Session, files: &[PathBuf]) -> Result<()> {
    let source = if files.is_empty() {
        "SELECT NULL::VARCHAR AS file, NULL::JSON AS doc WHERE false".to_string()
    } else {
        format!(
            "SELECT filename AS file, json AS doc FROM read_json_objects({}, format = 'auto', \
             maximum_object_size = {MAX_JSON_OBJECT}, filename = true, hive_partitioning = false)",
            file_list(files.iter().map(PathBuf::as_path))
        )
    };
    exec(
        session,
        &format!("CREATE OR REPLACE TEMP TABLE config_docs AS {source}"),
    )
}

fn exec(session: &Session, sql: &str) -> Result<()> {
    session.rows(sql, &Filter::default(), |_| Ok(())).map(|_| ())
}

fn config_load_summary(session: &Session) -> Result<ConfigLoad> {
    let spellings = session.rows(
        &format!("SELECT shape, count(*), sum({RELS})::BIGINT FROM config_raw GROUP BY shape ORDER BY shape"),
        &Filter::default(),
        |r| {
            Ok(SpellingCount {
                spelling: r.get(0)?,
                items_read: r.get::<_, i64>(1)?.max(0) as u64,
                relationships_read: r.get::<_, Option<i64>>(2)?.unwrap_or(0).max(0) as u64,
            })
        },
    )?;
    let sql = "SELECT (SELECT count(DISTINCT file) FROM config_docs WHERE file NOT IN \
                 (SELECT file FROM config_problems WHERE file IS NOT NULL)), \
               (SELECT count(*) FROM config_raw), \
               (SELECT count(*) FROM config_items), \
               (SELECT count(*) FROM (SELECT DISTINCT account, region, resource_type, resource_id FROM config_items))";
    let counts = session.rows(sql, &Filter::default(), |r| {
        Ok([0, 1, 2, 3].map(|i| r.get::<_, Option<i64>>(i).ok().flatten().unwrap_or(0).max(0) as u64))
    })?;
    let [files, items_read, items, resources] = counts.first().copied().unwrap_or_default();
    let relationships_read = spellings.iter().map(|s| s.relationships_read).sum();
    let problems = session.rows(
        "SELECT file, problem FROM config_problems WHERE file IS NOT NULL ORDER BY file",
        &Filter::default(),
        |r| {
            Ok(FileProblem {
                path: PathBuf::from(r.get::<_, String>(0)?),
                problem: r.get(1)?,
            })
        },
    )?;
    Ok(ConfigLoad {
        files,
        items_read,
        relationships_read,
        items,
        resources,
        spellings,
        problems,
    })
}
