//! VPC flows in Athena's SQL: the Security Lake VPC_FLOW tables in the
//! flat shape `records/ocsf.rs` reads locally (1.0 says `disposition` and
//! `end_time`, 2.0 `action` and `end_time_dt`), aggregated into
//! conversations as `network.rs` does, the scope as partition predicates.

use super::flat::{SlVersion, lit, scope_conditions};
use super::tables::{Tables, security_lake_parts, where_line};
use crate::lake::criteria::Page;
use crate::lake::error::Result;
use crate::lake::network::FlowCriteria;
use crate::lake::scope::Scope;

pub const SOURCE: &str = "VPC_FLOW";

/// A text field where AWS writes `-` for "no value".
fn text(path: &str) -> String {
    format!("nullif({path}, '-')")
}

/// One version's flows in the flat shape, the scope applied.
fn select(version: SlVersion, table: &str, scope: &Scope) -> String {
    let (end_ms, verdict) = match version {
        SlVersion::V1 => ("end_time", "disposition"),
        SlVersion::V2 => ("CAST(to_unixtime(end_time_dt) * 1000 AS bigint)", "action"),
    };
    let conditions = scope_conditions(version, scope);
    let local = |field: &str| {
        format!(
            "coalesce({}, {})",
            text(&format!("src_endpoint.{field}")),
            text(&format!("dst_endpoint.{field}"))
        )
    };
    format!(
        "  SELECT \"time\" AS time_ms, {end_ms} AS end_ms, accountid AS account, region,\n    \
         {src_ip} AS src_ip, src_endpoint.port AS src_port, {dst_ip} AS dst_ip, dst_endpoint.port AS dst_port,\n    \
         connection_info.protocol_num AS protocol, traffic.bytes AS bytes, traffic.packets AS packets,\n    \
         CASE WHEN lower({verdict}) IN ('allowed', 'accept', 'accepted') THEN 'ACCEPT' \
         WHEN lower({verdict}) IN ('denied', 'blocked', 'reject', 'rejected', 'dropped') THEN 'REJECT' \
         ELSE upper({verdict}) END AS action,\n    \
         CASE WHEN {src_eni} IS NOT NULL THEN {src_ip} WHEN {dst_eni} IS NOT NULL THEN {dst_ip} END AS local_ip,\n    \
         {eni} AS eni, {instance} AS instance, \"$path\" AS source_path\n  FROM {table}{}",
        where_line(&conditions, "  "),
        src_ip = text("src_endpoint.ip"),
        dst_ip = text("dst_endpoint.ip"),
        src_eni = text("src_endpoint.interface_uid"),
        dst_eni = text("dst_endpoint.interface_uid"),
        eni = local("interface_uid"),
        instance = local("instance_uid"),
    )
}

/// `WITH rec AS (…)`: the scope's flows of every version's table (one
/// copy per row of each table, as the local engine reads them), the
/// criteria applied, and which side of each row is the subject's.
pub(super) fn flows_cte(tables: &Tables, scope: &Scope, criteria: &FlowCriteria) -> Result<String> {
    let parts = security_lake_parts(tables, SOURCE, "flows", |v, table| select(v, table, scope))?;
    let mut conditions = Vec::new();
    let mut own_src = "coalesce(src_ip = local_ip, true)".to_string();
    if let Some(ip) = &criteria.ip {
        conditions.push(format!("(src_ip = {ip} OR dst_ip = {ip})", ip = lit(ip)));
        own_src = format!("src_ip = {}", lit(ip));
    }
    if let Some(instance) = &criteria.instance {
        conditions.push(format!("instance = {}", lit(instance)));
    }
    if let Some(eni) = &criteria.eni {
        conditions.push(format!("eni = {}", lit(eni)));
    }
    if let Some(port) = criteria.port {
        conditions.push(format!("(src_port = {port} OR dst_port = {port})"));
    }
    if let Some(action) = &criteria.action {
        conditions.push(format!("action = {}", lit(&action.to_ascii_uppercase())));
    }
    conditions.push("(src_ip IS NOT NULL OR dst_ip IS NOT NULL)".into());
    Ok(format!(
        "WITH flat AS (\n{}\n),\nrec AS (\n  SELECT *, coalesce({own_src}, false) AS own_src FROM flat{}\n)\n",
        parts.join("\n  UNION ALL\n"),
        where_line(&conditions, "  ")
    ))
}

/// `lakescope flows`: the subject's conversations, most bytes first, one
/// page. The side on the higher (ephemeral) port opened the connection.
pub fn flows(tables: &Tables, scope: &Scope, criteria: &FlowCriteria, page: Page) -> Result<String> {
    let list = |column: &str| {
        format!("array_join(array_sort(array_agg(DISTINCT {column}) FILTER (WHERE {column} IS NOT NULL)), ',')")
    };
    Ok(format!(
        "{}, conv AS (\n  SELECT *, CASE WHEN own_src THEN src_ip ELSE dst_ip END AS ip,\n    \
         CASE WHEN own_src THEN dst_ip ELSE src_ip END AS peer, least(src_port, dst_port) AS port,\n    \
         ((CASE WHEN own_src THEN src_port ELSE dst_port END) >= greatest(src_port, dst_port) AND src_port <> dst_port) AS outbound\n  \
         FROM rec\n)\n\
         SELECT ip, peer, port, protocol, outbound,\n  \
         sum(bytes) FILTER (WHERE own_src) AS bytes_out, sum(bytes) FILTER (WHERE NOT own_src) AS bytes_in,\n  \
         sum(packets) FILTER (WHERE own_src) AS packets_out, sum(packets) FILTER (WHERE NOT own_src) AS packets_in,\n  \
         count(*) AS flows, count(*) FILTER (WHERE action = 'ACCEPT') AS accepted, count(*) FILTER (WHERE action = 'REJECT') AS rejected,\n  \
         min(time_ms) AS first_ms, max(coalesce(end_ms, time_ms)) AS last_ms,\n  \
         {} AS enis, {} AS instances, min(min(time_ms)) OVER () AS subject_first_ms\n\
         FROM conv\nGROUP BY ip, peer, port, protocol, outbound\n\
         ORDER BY coalesce(sum(bytes), 0) DESC, count(*) DESC, peer, port\nOFFSET {} LIMIT {}",
        flows_cte(tables, scope, criteria)?.trim_end(),
        list("eni"),
        list("instance"),
        page.offset,
        page.limit
    ))
}
