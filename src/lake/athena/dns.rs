//! Route 53 resolver queries in Athena's SQL: the Security Lake ROUTE53
//! tables in the flat shape `records/ocsf.rs` reads locally (names lower
//! case without the root's dot, answers' `rdata`), aggregated as
//! `network.rs` does: names asked, and a name's resolutions and askers.

use super::flat::{SlVersion, lit, scope_conditions};
use super::statement::Statement;
use super::tables::{Tables, security_lake_parts, where_line};
use crate::lake::criteria::Page;
use crate::lake::error::Result;
use crate::lake::network::{DnsCriteria, normal_name};
use crate::lake::scope::Scope;

pub const SOURCE: &str = "ROUTE53";

/// One version's queries in the flat shape, the scope applied (both
/// versions name these fields alike).
fn select(version: SlVersion, table: &str, scope: &Scope) -> String {
    format!(
        "  SELECT \"time\" AS time_ms, accountid AS account, region, nullif(src_endpoint.ip, '-') AS src_ip,\n    \
         nullif(src_endpoint.vpc_uid, '-') AS vpc, nullif(src_endpoint.instance_uid, '-') AS instance,\n    \
         lower(regexp_replace(\"query\".hostname, '\\.+$', '')) AS hostname, \"query\".\"type\" AS qtype, rcode,\n    \
         transform(answers, x -> CAST(x.rdata AS varchar)) AS answers, \"$path\" AS source_path\n  FROM {table}{}",
        where_line(&scope_conditions(version, scope), "  ")
    )
}

/// `WITH flat AS (…), rec AS (…)`: the scope's queries of every version's
/// table, the criteria applied.
pub(super) fn dns_cte(tables: &Tables, scope: &Scope, criteria: &DnsCriteria) -> Result<String> {
    let parts = security_lake_parts(tables, SOURCE, "DNS queries", |v, table| select(v, table, scope))?;
    let mut conditions = Vec::new();
    if let Some(ip) = &criteria.asker {
        conditions.push(format!("src_ip = {}", lit(ip)));
    }
    if let Some(name) = &criteria.name {
        conditions.push(format!("hostname = {}", lit(&normal_name(name))));
    }
    if let Some(answer) = &criteria.answer {
        conditions.push(format!("contains(answers, {})", lit(answer)));
    }
    if let Some(instance) = &criteria.instance {
        conditions.push(format!("instance = {}", lit(instance)));
    }
    if let Some(vpc) = &criteria.vpc {
        conditions.push(format!("vpc = {}", lit(vpc)));
    }
    Ok(format!(
        "WITH flat AS (\n{}\n),\nrec AS (\n  SELECT * FROM flat{}\n)\n",
        parts.join("\n  UNION ALL\n"),
        where_line(&conditions, "  ")
    ))
}

/// `lakescope dns`: names asked, with their answers and askers, most asked
/// first, one page.
pub fn dns(tables: &Tables, scope: &Scope, criteria: &DnsCriteria, page: Page) -> Result<String> {
    Ok(format!(
        "{}SELECT hostname, qtype, rcode,\n  \
         array_join(array_sort(array_distinct(filter(flatten(array_agg(answers) FILTER (WHERE answers IS NOT NULL)), a -> a IS NOT NULL))), ',') AS answers,\n  \
         array_join(array_sort(array_agg(DISTINCT src_ip) FILTER (WHERE src_ip IS NOT NULL)), ',') AS askers,\n  \
         count(*) AS queries, min(time_ms) AS first_ms, max(time_ms) AS last_ms, min(min(time_ms)) OVER () AS subject_first_ms\n\
         FROM rec\nGROUP BY hostname, qtype, rcode\nORDER BY count(*) DESC, hostname, qtype, rcode\nOFFSET {} LIMIT {}",
        dns_cte(tables, scope, criteria)?,
        page.offset,
        page.limit
    ))
}

/// `lakescope dns NAME`: what the name resolved to (its first 1000
/// resolutions, as locally) and who asked, one statement each.
pub fn name_sections(tables: &Tables, scope: &Scope, name: &str) -> Result<Vec<Statement>> {
    let criteria = DnsCriteria::of_name(name);
    Ok(vec![
        Statement {
            section: "resolutions",
            sql: dns(tables, scope, &criteria, Page { limit: 1000, offset: 0 })?,
        },
        Statement {
            section: "askers",
            sql: format!(
                "{}SELECT src_ip AS ip, min(instance) AS instance, min(vpc) AS vpc, min(account) AS account,\n  \
                 count(*) AS queries, min(time_ms) AS first_ms, max(time_ms) AS last_ms\n\
                 FROM rec\nGROUP BY src_ip\nORDER BY count(*) DESC, src_ip",
                dns_cte(tables, scope, &criteria)?
            ),
        },
    ])
}
