//! Bulk VPC flows for the benchmark: flows are usually a lake's largest
//! source, so the benchmark lake gets millions of them beside its API
//! events. Written by DuckDB straight to Security Lake 2.0 partitions of a
//! *generated* lake (never evidence), a few per thousand touching the
//! story's intruder IP and instance.

use std::path::Path;

use anyhow::{Context, Result, bail};
use duckdb::Connection;

/// (first day `YYYY-MM-DD`, days, accounts, intruder IP) from TRUTH.json.
fn lake_shape(lake: &Path) -> Result<(String, u64, Vec<String>, String)> {
    let path = lake.join("TRUTH.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let truth: serde_json::Value = serde_json::from_str(&text)?;
    let first = truth["generator"]["first_day"]
        .as_str()
        .context("generator.first_day")?;
    let days = truth["generator"]["days"].as_u64().context("generator.days")?;
    let accounts: Vec<String> = truth["accounts"]
        .as_array()
        .context("accounts")?
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let ip = truth["intrusion"]["new_ip"].as_str().context("intrusion.new_ip")?;
    if accounts.is_empty() {
        bail!("no accounts in {}", path.display());
    }
    Ok((first.to_string(), days, accounts, ip.to_string()))
}

fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// One endpoint with the generator's field set (so that plain DuckDB can
/// read both kinds of files with `union_by_name`). The opener of a
/// connection uses an ephemeral port; the instance's side is local_ip, with
/// its interface, when `local` holds.
fn endpoint(local: &str, port: &str) -> String {
    format!(
        "{{'port': {port}::INTEGER, 'svc_name': NULL::VARCHAR, \
          'ip': CASE WHEN {local} THEN local_ip ELSE peer END, 'intermediate_ips': NULL::VARCHAR[], \
          'interface_uid': CASE WHEN {local} THEN 'eni-' || md5(local_ip)[:17] END, \
          'vpc_uid': CASE WHEN {local} THEN 'vpc-0c1d2e3f4a5b6c7d8' END, \
          'instance_uid': CASE WHEN {local} THEN 'i-' || md5(local_ip)[:17] END, \
          'subnet_uid': CASE WHEN {local} THEN 'subnet-0a9b8c7d6e5f40312' END}}"
    )
}

/// Write `rows` flows into `<lake>/aws/VPC_FLOW/2.0/region=/accountId=/eventDay=/`.
pub fn write(lake: &Path, rows: u64) -> Result<String> {
    let (first, days, accounts, intruder) = lake_shape(lake)?;
    let out = lake.join("aws/VPC_FLOW/2.0");
    let accounts_sql: Vec<String> = accounts.iter().map(|a| lit(a)).collect();
    let conn = Connection::open_in_memory()?;
    // DuckDB spills to `.tmp` in the working directory unless told otherwise.
    let spill = std::env::temp_dir().join("lakescope-bench-spill");
    conn.execute_batch(&format!(
        "SET temp_directory = '{}'",
        spill.display().to_string().replace('\'', "''")
    ))?;
    let sql = format!(
        "COPY (
          WITH r AS (
            SELECT i, hash(i) AS h,
              epoch_ms(DATE {first}) + ((hash(i, 1) % ({days} * 86400000))::BIGINT) AS t,
              ([{accounts}])[1 + (hash(i, 2) % {n_accounts})::BIGINT] AS acct,
              '10.20.' || ((hash(i, 3) % 40)::BIGINT) || '.' || (1 + (hash(i, 4) % 250)::BIGINT) AS local_ip,
              CASE WHEN (hash(i, 5) % 1000)::BIGINT < 3 THEN {intruder}
                   ELSE (11 + (hash(i, 6) % 200)::BIGINT) || '.' || ((hash(i, 7) % 256)::BIGINT) || '.' || ((hash(i, 8) % 256)::BIGINT) || '.' || (1 + (hash(i, 9) % 250)::BIGINT)
              END AS peer,
              (hash(i, 10) % 2)::BIGINT = 0 AS outbound,
              (hash(i, 11) % 20)::BIGINT = 0 AS rejected,
              ([443, 80, 22, 53, 3389, 8080])[1 + (hash(i, 12) % 6)::BIGINT] AS svc,
              32768 + (hash(i, 13) % 28000)::BIGINT AS eph
            FROM range({rows}) AS g(i))
          SELECT
            {{'product': {{'version': '5', 'name': 'Amazon VPC', 'feature': {{'name': 'Flowlogs'}}, 'vendor_name': 'AWS'}},
              'profiles': ['cloud', 'datetime'], 'version': '1.1.0'}} AS metadata,
            {{'account': {{'uid': acct}}, 'region': 'us-east-1', 'zone': 'us-east-1a', 'provider': 'AWS'}} AS cloud,
            {end_src} AS src_endpoint,
            {end_dst} AS dst_endpoint,
            {{'protocol_num': 6, 'tcp_flags': 19, 'protocol_ver': 'IPv4', 'boundary_id': 99, 'boundary': NULL::VARCHAR,
              'direction_id': CASE WHEN outbound THEN 2 ELSE 1 END,
              'direction': CASE WHEN outbound THEN 'Outbound' ELSE 'Inbound' END}} AS connection_info,
            {{'packets': (1 + h % 200)::BIGINT, 'bytes': (40 + h % 150000)::BIGINT}} AS traffic,
            t::BIGINT AS \"time\", make_timestamp(t * 1000) AS time_dt,
            make_timestamp(t * 1000) AS start_time_dt, make_timestamp((t + 60000) * 1000) AS end_time_dt,
            'OK' AS status_code, 4001 AS class_uid, 'Network Activity' AS class_name,
            CASE WHEN rejected THEN 'Denied' ELSE 'Allowed' END AS action,
            CASE WHEN rejected THEN 2 ELSE 1 END AS action_id,
            'us-east-1' AS region, acct AS accountId, strftime(make_timestamp(t * 1000), '%Y%m%d') AS eventDay
          FROM r ORDER BY t)
        TO {out} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (region, accountId, eventDay),
                  OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'bench_flows_{{i}}')",
        end_src = endpoint("outbound", "eph"),
        end_dst = endpoint("NOT outbound", "svc"),
        first = lit(&first),
        accounts = accounts_sql.join(", "),
        n_accounts = accounts.len(),
        intruder = lit(&intruder),
        out = lit(&out.display().to_string()),
    );
    conn.execute_batch(&sql).context("cannot write the flows")?;
    Ok(format!("wrote {rows} flows under {}", out.display()))
}
