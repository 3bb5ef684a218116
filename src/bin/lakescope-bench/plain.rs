//! The baselines: the same questions as hand-written DuckDB SQL, run by the
//! DuckDB crate with no lakescope engine in between, either over the lake's
//! files (globs, in the style of lake-spec/normalize.sql) or over the event
//! store lakescope wrote (the same input lakescope's queries read).

use std::path::Path;

use duckdb::{Connection, params};

/// A SQL string literal (paths are ours, from the command line).
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn views(root: &Path) -> String {
    let root = root.display().to_string();
    let g = |rest: &str| lit(&format!("{root}/{rest}"));
    let hive = "hive_partitioning = true, hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}";
    let ocsf = |arn: &str, prio: u8| {
        format!(
            "metadata.uid AS event_uid, \"time\" AS time_ms, accountId AS account, actor.user.type AS actor_type, \
             {arn} AS actor_arn, actor.user.credential_uid AS access_key_id, actor.session.issuer AS session_issuer, \
             src_endpoint.ip AS src_ip, api.service.name AS service, api.operation AS operation, \
             api.response.error AS error_code, {prio} AS prio"
        )
    };
    format!(
        "CREATE OR REPLACE TEMP VIEW ev AS SELECT * FROM (
           SELECT {v1}, unmapped['requestParameters'] AS request_json, unmapped['responseElements'] AS response_json
             FROM read_parquet({p1}, {hive})
           UNION ALL BY NAME
           SELECT {v2}, api.request.data AS request_json, api.response.data AS response_json
             FROM read_parquet({p2}, {hive})
           UNION ALL BY NAME
           SELECT r->>'eventID' AS event_uid, epoch_ms((r->>'eventTime')::TIMESTAMP) AS time_ms,
                  regexp_extract(filename, '/AWSLogs/(?:o-[^/]+/)?([0-9]+)/', 1) AS account,
                  r->>'$.userIdentity.type' AS actor_type, r->>'$.userIdentity.arn' AS actor_arn,
                  nullif(r->>'$.userIdentity.accessKeyId', '') AS access_key_id,
                  r->>'$.userIdentity.sessionContext.sessionIssuer.arn' AS session_issuer,
                  r->>'sourceIPAddress' AS src_ip, r->>'eventSource' AS service, r->>'eventName' AS operation,
                  r->>'errorCode' AS error_code, 0 AS prio,
                  (r->'requestParameters')::VARCHAR AS request_json, (r->'responseElements')::VARCHAR AS response_json
             FROM (SELECT filename, unnest(Records) AS r FROM read_json([{t1}, {t2}],
                   columns = {{'Records': 'JSON[]'}}, maximum_object_size = 268435456, filename = true,
                   hive_partitioning = false))
         ) QUALIFY row_number() OVER (PARTITION BY event_uid, operation, time_ms ORDER BY prio) = 1",
        v1 = ocsf("actor.user.uuid", 2),
        v2 = ocsf("actor.user.uid", 1),
        p1 = g("aws/CLOUD_TRAIL_MGMT/1.0/region=*/accountId=*/eventDay=*/*.parquet"),
        p2 = g("aws/CLOUD_TRAIL_MGMT/2.0/region=*/accountId=*/eventDay=*/*.parquet"),
        t1 = g("AWSLogs/o-*/*/CloudTrail/*/*/*/*/*_CloudTrail_*.json.gz"),
        t2 = g("AWSLogs/[0-9]*/CloudTrail/*/*/*/*/*_CloudTrail_*.json.gz"),
    )
}

/// `ev` over an event store's parquet files (already one copy per event).
fn store_view(store: &Path) -> String {
    format!(
        "CREATE OR REPLACE TEMP VIEW ev AS SELECT * FROM read_parquet({})",
        lit(&format!("{}/*.parquet", store.display()))
    )
}

/// Run one baseline query; returns the number of result rows.
pub fn run(root: &Path, store: Option<&Path>, query: &str, arg: &str) -> anyhow::Result<u64> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")?;
    conn.execute_batch(&match store {
        Some(store) => store_view(store),
        None => views(root),
    })?;
    let count = |sql: &str| -> anyhow::Result<u64> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query(params![arg])?;
        let mut n = 0;
        while rows.next()?.is_some() {
            n += 1;
        }
        Ok(n)
    };
    match query {
        "actors" => count(
            "SELECT coalesce(actor_arn, actor_type), count(*), count(error_code), min(time_ms), max(time_ms), \
             count(DISTINCT src_ip) FROM ev WHERE $1 = $1 GROUP BY 1 ORDER BY 2 DESC",
        ),
        "actor" => {
            conn.execute(
                "CREATE TEMP TABLE a AS SELECT * FROM ev WHERE actor_arn = $1 OR session_issuer = $1",
                params![arg],
            )?;
            let mut n = 0;
            for sql in [
                "SELECT count(*), count(error_code), min(time_ms), max(time_ms) FROM a",
                "SELECT access_key_id, count(*), min(time_ms), max(time_ms) FROM a GROUP BY 1",
                "SELECT src_ip, count(*), min(time_ms), max(time_ms) FROM a GROUP BY 1",
                "SELECT service, operation, count(*), count(error_code) FROM a GROUP BY ALL",
                "SELECT TRY_CAST(response_json AS JSON)->>'$.credentials.accessKeyId' FROM a \
                 WHERE operation = 'AssumeRole'",
            ] {
                let mut stmt = conn.prepare(sql)?;
                let mut rows = stmt.query([])?;
                while rows.next()?.is_some() {
                    n += 1;
                }
            }
            Ok(n)
        }
        "ip" => count(
            "SELECT actor_arn, operation, count(*), min(time_ms), max(time_ms) FROM ev \
             WHERE src_ip = $1 GROUP BY ALL",
        ),
        "events" => count("SELECT * FROM ev WHERE actor_arn = $1 ORDER BY time_ms, event_uid LIMIT 100"),
        "timeline" => count(
            "SELECT time_ms // 3600000 * 3600000 AS h, count(*), count(error_code) FROM ev \
             WHERE $1 = $1 GROUP BY 1 ORDER BY 1",
        ),
        "timeline-actor" => count(
            "SELECT time_ms // 3600000 * 3600000 AS h, src_ip, count(*), count(error_code) FROM ev \
             WHERE actor_arn = $1 OR session_issuer = $1 GROUP BY ALL ORDER BY 1",
        ),
        other => anyhow::bail!("unknown baseline query {other:?}"),
    }
}
