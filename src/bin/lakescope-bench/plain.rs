//! The baselines: the same questions as hand-written DuckDB SQL, run by the
//! DuckDB crate with no lakescope engine in between, either over the lake's
//! files (globs, one flat view per source version, as `docs/formats.md` maps them) or over the event
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

/// `ev` over an event store's parquet files (already one copy per event):
/// the days its manifest names, under the stores' root (its parent).
fn store_view(store: &Path) -> anyhow::Result<String> {
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(store.join("manifest.json"))?)?;
    let root = store.parent().unwrap_or(store);
    let files: Vec<String> = manifest["chunks"]
        .as_array()
        .map(|chunks| chunks.iter().filter_map(|c| c["file"].as_str()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|f| lit(&root.join(f).display().to_string()))
        .collect();
    anyhow::ensure!(!files.is_empty(), "no day in {}", store.display());
    Ok(format!(
        "CREATE OR REPLACE TEMP VIEW ev AS SELECT * FROM read_parquet([{}])",
        files.join(", ")
    ))
}

/// Views over the lake's other sources, one per source version (mixing
/// versions in one scan is unsafe), each only when the lake has its files.
/// Views `flows`, `dns`, `findings` over the lake's files; with
/// `flow_index`, `flows` reads lakescope's flow index (flows sorted by
/// address) instead, keeping its `addr` column.
fn network_views(root: &Path, flow_index: Option<&Path>) -> String {
    let hive = "hive_partitioning = true, hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}, \
                union_by_name = true";
    let glob = |source: &str, version: &str| {
        let dir = root.join("aws").join(source).join(version);
        dir.is_dir()
            .then(|| lit(&format!("{}/region=*/accountId=*/eventDay=*/*.parquet", dir.display())))
    };
    let union = |parts: Vec<String>, empty: &str| match parts.is_empty() {
        true => empty.to_string(),
        false => parts.join(" UNION ALL BY NAME "),
    };
    let indexed = flow_index.map(|dir| {
        format!(
            "SELECT addr, time_ms, src_ip, src_port, dst_ip, dst_port, protocol, bytes, packets, \
             action AS verdict, eni, instance FROM read_parquet({}, union_by_name = true)",
            lit(&format!("{}/*.parquet", dir.display()))
        )
    });
    let flows: Vec<String> = [("1.0", "disposition"), ("2.0", "action")]
        .iter()
        .filter_map(|(v, verdict)| {
            glob("VPC_FLOW", v).map(|g| {
                format!(
                    "SELECT \"time\" AS time_ms, src_endpoint.ip AS src_ip, src_endpoint.port AS src_port, \
                     dst_endpoint.ip AS dst_ip, dst_endpoint.port AS dst_port, connection_info.protocol_num AS protocol, \
                     traffic.bytes AS bytes, traffic.packets AS packets, {verdict} AS verdict, \
                     coalesce(src_endpoint.interface_uid, dst_endpoint.interface_uid) AS eni, \
                     coalesce(src_endpoint.instance_uid, dst_endpoint.instance_uid) AS instance \
                     FROM read_parquet({g}, {hive})"
                )
            })
        })
        .collect();
    let dns: Vec<String> = ["1.0", "2.0"]
        .iter()
        .filter_map(|v| {
            glob("ROUTE53", v).map(|g| {
                format!(
                    "SELECT \"time\" AS time_ms, src_endpoint.ip AS src_ip, query.hostname AS hostname, \
                     query.\"type\" AS qtype, rcode, [a.rdata for a in coalesce(answers, [])] AS answers \
                     FROM read_parquet({g}, {hive})"
                )
            })
        })
        .collect();
    let findings: Vec<String> = ["1.0", "2.0"]
        .iter()
        .filter_map(|v| {
            glob("SH_FINDINGS", v)
                .map(|g| format!("SELECT to_json(t)::VARCHAR AS doc FROM read_parquet({g}, {hive}) AS t"))
        })
        .collect();
    let http: Vec<String> = glob("WAF", "2.0")
        .map(|g| {
            format!(
                "SELECT \"time\" AS time_ms, src_endpoint.ip AS client_ip, http_request.http_method AS method, \
                 http_request.url.hostname AS host, http_request.url.path AS path, action, \
                 firewall_rule.uid AS rule FROM read_parquet({g}, {hive})"
            )
        })
        .into_iter()
        .collect();
    format!(
        "CREATE OR REPLACE TEMP VIEW flows AS {};
         CREATE OR REPLACE TEMP VIEW dns AS {};
         CREATE OR REPLACE TEMP VIEW findings AS {};
         CREATE OR REPLACE TEMP VIEW http AS {};",
        indexed.unwrap_or_else(|| union(
            flows,
            "SELECT NULL::BIGINT AS time_ms, NULL AS src_ip, NULL::INTEGER AS src_port, NULL AS dst_ip, \
                      NULL::INTEGER AS dst_port, NULL::INTEGER AS protocol, NULL::BIGINT AS bytes, \
                      NULL::BIGINT AS packets, NULL AS verdict, NULL AS eni, NULL AS instance WHERE false"
        )),
        union(
            dns,
            "SELECT NULL::BIGINT AS time_ms, NULL AS src_ip, NULL AS hostname, NULL AS qtype, NULL AS rcode, \
                    []::VARCHAR[] AS answers WHERE false"
        ),
        union(findings, "SELECT NULL::VARCHAR AS doc WHERE false"),
        union(
            http,
            "SELECT NULL::BIGINT AS time_ms, NULL AS client_ip, NULL AS method, NULL AS host, NULL AS path, \
                    NULL AS action, NULL AS rule WHERE false"
        ),
    )
}

/// The conversations of one IP, most bytes first (the `flows --ip` question).
/// `{where}` selects the IP's flows.
const FLOWS_OF_IP: &str = "SELECT CASE WHEN src_ip = $1 THEN dst_ip ELSE src_ip END AS peer, \
     least(src_port, dst_port) AS port, protocol, sum(bytes) FILTER (src_ip = $1), sum(bytes) FILTER (dst_ip = $1), \
     sum(packets) FILTER (src_ip = $1), sum(packets) FILTER (dst_ip = $1), count(*), \
     count(*) FILTER (verdict IN ('Allowed', 'ACCEPT')), count(*) FILTER (verdict IN ('Denied', 'Blocked', 'REJECT')), \
     min(time_ms), max(time_ms), list(DISTINCT eni), list(DISTINCT instance) \
     FROM flows WHERE {where} GROUP BY ALL ORDER BY sum(bytes) DESC LIMIT 50";

fn flows_of_ip(flow_index: Option<&Path>) -> String {
    let which = match flow_index {
        Some(_) => "addr = $1",
        None => "src_ip = $1 OR dst_ip = $1",
    };
    FLOWS_OF_IP.replace("{where}", which)
}

/// Run one baseline query; returns the number of result rows.
pub fn run(
    root: &Path,
    store: Option<&Path>,
    flow_index: Option<&Path>,
    query: &str,
    arg: &str,
) -> anyhow::Result<u64> {
    let conn = Connection::open_in_memory()?;
    // DuckDB spills to `.tmp` in the working directory unless told otherwise.
    let spill = std::env::temp_dir().join("lakescope-bench-spill");
    conn.execute_batch(&format!(
        "SET temp_directory = '{}'",
        spill.display().to_string().replace('\'', "''")
    ))?;
    conn.execute_batch("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")?;
    conn.execute_batch(&match store {
        Some(store) => store_view(store)?,
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
        "flows-ip" => {
            conn.execute_batch(&network_views(root, flow_index))?;
            count(&flows_of_ip(flow_index))
        }
        // The IP dossier: API activity, user agents, network, DNS, findings and HTTP (WAF).
        "ip-network" => {
            conn.execute_batch(&network_views(root, flow_index))?;
            let flows = flows_of_ip(flow_index);
            let mut n = 0;
            for sql in [
                "SELECT actor_arn, operation, count(*), min(time_ms), max(time_ms) FROM ev \
                 WHERE src_ip = $1 GROUP BY ALL",
                &flows,
                "SELECT hostname, qtype, rcode, list(answers), count(*), min(time_ms), max(time_ms) FROM dns \
                 WHERE src_ip = $1 GROUP BY ALL LIMIT 50",
                "SELECT hostname, qtype, rcode, count(*) FROM dns WHERE list_contains(answers, $1) GROUP BY ALL LIMIT 50",
                "SELECT doc FROM findings WHERE contains(doc, $1)",
                "SELECT user_agent, count(*) FROM ev WHERE src_ip = $1 GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
                "SELECT client_ip, method, host, path, action, rule, count(*), min(time_ms), max(time_ms) FROM http \
                 WHERE client_ip = $1 GROUP BY ALL ORDER BY count(*) DESC LIMIT 50",
            ] {
                n += count(sql)?;
            }
            Ok(n)
        }
        // The same question as `events --actor`: the actor's own events and those of the
        // sessions it issued (as the timeline below).
        "events" => {
            count("SELECT * FROM ev WHERE actor_arn = $1 OR session_issuer = $1 ORDER BY time_ms, event_uid LIMIT 100")
        }
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
