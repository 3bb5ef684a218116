//! One AWS Config item whatever its spelling, its resource key and
//! relationships, and the lookups of resources and their items in the
//! session's `config_items` table.

use duckdb::Row;
use serde::Serialize;
use serde_json::Value;

use super::load::config_load;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::Millis;
use crate::lake::scope::{Filter, Scope};
use crate::lake::session::Session;

/// One resource: the key Config items share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceKey {
    pub account: Option<String>,
    pub region: Option<String>,
    pub resource_type: String,
    pub resource_id: String,
}

/// One relationship entry of an item, with its name parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    /// The verb phrase: `Contains`, `Is attached to`, …
    pub verb: String,
    /// The name as recorded (inconsistent across AWS outputs).
    pub raw_name: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
}

/// One configuration item, whatever spelling it came in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigItem {
    pub key: ResourceKey,
    pub resource_name: Option<String>,
    pub arn: Option<String>,
    pub capture: Option<Millis>,
    pub status: Option<String>,
    pub state_id: Option<String>,
    pub availability_zone: Option<String>,
    pub configuration: Value,
    pub supplementary: Value,
    pub tags: Value,
    pub relationships: Vec<Relationship>,
    /// `delivery`, `api`, `notification`, `cloudtrail_lake` or `item`.
    pub spelling: String,
    pub file: String,
    /// How many files held this same state.
    pub copies: u64,
}

/// Verb phrases seen in Config relationship names (an open list).
const VERBS: &[&str] = &[
    "Is contained in",
    "Is attached to",
    "Is associated with",
    "Is connected to",
    "Is managed by",
    "Is owned by",
    "Is assigned to",
    "Contains",
    "Manages",
    "Has",
];

/// Split a relationship name into its verb phrase, tolerating the spellings
/// of AWS's outputs and real data (`docs/formats.md#config-item-spellings`): trailing spaces, missing target
/// type (`Is attached to `) and squashed words (`IsassociatedwithSecurityGroup`).
pub fn relationship_verb(name: &str) -> String {
    let squashed: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    for verb in VERBS {
        let v: String = verb
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        if squashed.starts_with(&v) {
            return (*verb).to_string();
        }
    }
    name.trim().to_string()
}

fn parse_relationships(text: Option<String>) -> Vec<Relationship> {
    let Some(Value::Array(list)) = text.and_then(|t| serde_json::from_str::<Value>(&t).ok()) else {
        return Vec::new();
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    list.iter()
        .filter(|r| r.is_object())
        .map(|r| {
            let raw_name = s(r, "name").or_else(|| s(r, "relationshipName")).unwrap_or_default();
            Relationship {
                verb: relationship_verb(&raw_name),
                raw_name,
                resource_type: s(r, "resourceType"),
                resource_id: s(r, "resourceId"),
                resource_name: s(r, "resourceName"),
            }
        })
        .collect()
}

fn json_col(row: &Row<'_>, i: usize) -> duckdb::Result<Value> {
    let text: Option<String> = row.get(i)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null))
}

const ITEM_COLUMNS: &str = "account, region, resource_type, resource_id, resource_name, arn, capture_ms, status, \
     state_id, availability_zone, configuration::VARCHAR, supplementary::VARCHAR, tags::VARCHAR, \
     relationships::VARCHAR, shape, file, copies";

/// A resource key from the first four columns (account, region, type, id).
pub(crate) fn key_row(r: &Row<'_>) -> duckdb::Result<ResourceKey> {
    Ok(ResourceKey {
        account: r.get(0)?,
        region: r.get(1)?,
        resource_type: r.get(2)?,
        resource_id: r.get(3)?,
    })
}

/// No item names `query`.
pub(crate) fn not_found(query: &str) -> LakeError {
    LakeError::InvalidInput {
        what: "resource",
        detail: format!("no AWS Config item has the id, ARN or name {query:?}"),
    }
}

fn item_row(r: &Row<'_>) -> duckdb::Result<ConfigItem> {
    Ok(ConfigItem {
        key: key_row(r)?,
        resource_name: r.get(4)?,
        arn: r.get(5)?,
        capture: r.get::<_, Option<i64>>(6)?.map(Millis),
        status: r.get(7)?,
        state_id: r.get(8)?,
        availability_zone: r.get(9)?,
        configuration: json_col(r, 10)?,
        supplementary: json_col(r, 11)?,
        tags: json_col(r, 12)?,
        relationships: parse_relationships(r.get(13)?),
        spelling: r.get(14)?,
        file: r.get(15)?,
        copies: r.get::<_, i64>(16)?.max(0) as u64,
    })
}

/// Items sort by capture time, then by their numeric state id.
const ITEM_ORDER: &str = "ORDER BY capture_ms NULLS FIRST, try_cast(state_id AS HUGEINT) NULLS FIRST, state_id";

/// Resources whose id, ARN or name is `query` (exact), within the
/// scope's accounts and regions. Values are bound, never spliced.
pub fn config_resolve(session: &Session, query: &str, scope: &Scope) -> Result<Vec<ResourceKey>> {
    config_load(session)?;
    let mut f = Filter::default();
    let q = f.bind_text(query.trim());
    let mut within = String::new();
    if !scope.accounts.is_empty() {
        within.push_str(&format!(" AND account IN ({})", f.bind_list(&scope.accounts)));
    }
    if !scope.regions.is_empty() {
        within.push_str(&format!(" AND region IN ({})", f.bind_list(&scope.regions)));
    }
    let sql = format!(
        "SELECT account, region, resource_type, resource_id, \
         max(CASE WHEN resource_id = {q} OR arn = {q} THEN 2 WHEN resource_name = {q} THEN 1 ELSE 0 END) AS m \
         FROM config_items WHERE (resource_id = {q} OR arn = {q} OR resource_name = {q}){within} \
         GROUP BY ALL ORDER BY m DESC, resource_type, resource_id, account NULLS LAST, region"
    );
    let rows = session.rows(&sql, &f, |r| Ok((key_row(r)?, r.get::<_, i64>(4)?)))?;
    // An exact id/ARN match wins over resources that merely share a name.
    let best = rows.first().map(|r| r.1).unwrap_or(0);
    Ok(rows.into_iter().filter(|r| r.1 == best).map(|r| r.0).collect())
}

/// The one resource `query` names, or an error listing the candidates.
pub fn config_resource(session: &Session, query: &str, scope: &Scope) -> Result<ResourceKey> {
    let mut found = config_resolve(session, query, scope)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(not_found(query)),
        _ => Err(LakeError::InvalidInput {
            what: "resource",
            detail: format!(
                "{query:?} names {} resources (narrow with --account/--region): {}",
                found.len(),
                found
                    .iter()
                    .map(|k| {
                        let account = k.account.as_deref().unwrap_or("no account");
                        let region = k.region.as_deref().unwrap_or("no region");
                        format!("{} {} ({account} {region})", k.resource_type, k.resource_id)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }),
    }
}

/// Every item of one resource, oldest first.
pub fn config_items(session: &Session, key: &ResourceKey) -> Result<Vec<ConfigItem>> {
    config_load(session)?;
    let mut f = Filter::default();
    let t = f.bind_text(&key.resource_type);
    let id = f.bind_text(&key.resource_id);
    let acct = f.bind(opt_text(&key.account));
    let region = f.bind(opt_text(&key.region));
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM config_items WHERE resource_type = {t} AND resource_id = {id} \
         AND account IS NOT DISTINCT FROM {acct} AND region IS NOT DISTINCT FROM {region} {ITEM_ORDER}"
    );
    session.rows(&sql, &f, item_row)
}

/// Items of the resources a relationship points at: same type and id
/// (or name, when the id is missing), preferring the same account.
pub fn config_find(session: &Session, account: Option<&str>, rel: &Relationship) -> Result<Option<ResourceKey>> {
    let mut f = Filter::default();
    let mut clauses = Vec::new();
    if let Some(t) = &rel.resource_type {
        let p = f.bind_text(t);
        clauses.push(format!("resource_type = {p}"));
    }
    match (&rel.resource_id, &rel.resource_name) {
        (Some(id), _) => {
            let p = f.bind_text(id);
            clauses.push(format!("(resource_id = {p} OR arn = {p})"));
        }
        (None, Some(name)) => {
            let p = f.bind_text(name);
            clauses.push(format!("resource_name = {p}"));
        }
        (None, None) => return Ok(None),
    }
    let acct = f.bind(opt_text(&account.map(str::to_string)));
    let sql = format!(
        "SELECT * FROM (SELECT DISTINCT account, region, resource_type, resource_id FROM config_items \
         WHERE {}) ORDER BY (account IS NOT DISTINCT FROM {acct}) DESC, account, region LIMIT 1",
        clauses.join(" AND ")
    );
    let rows = session.rows(&sql, &f, key_row)?;
    Ok(rows.into_iter().next())
}

/// Every distinct resource with its item count and latest status, for
/// listings.
pub fn config_resources(session: &Session) -> Result<Vec<ResourceSummary>> {
    config_load(session)?;
    session.rows(
        "SELECT account, region, resource_type, resource_id, arg_max(resource_name, capture_ms), \
         arg_max(arn, capture_ms), count(*), min(capture_ms), max(capture_ms), arg_max(status, capture_ms) \
         FROM config_items GROUP BY ALL ORDER BY resource_type, resource_id, account, region",
        &Filter::default(),
        |r| {
            Ok(ResourceSummary {
                key: key_row(r)?,
                resource_name: r.get(4)?,
                arn: r.get(5)?,
                items: r.get::<_, i64>(6)?.max(0) as u64,
                first_capture: r.get::<_, Option<i64>>(7)?.map(Millis),
                last_capture: r.get::<_, Option<i64>>(8)?.map(Millis),
                status: r.get(9)?,
            })
        },
    )
}

/// One resource in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceSummary {
    #[serde(flatten)]
    pub key: ResourceKey,
    pub resource_name: Option<String>,
    pub arn: Option<String>,
    pub items: u64,
    pub first_capture: Option<Millis>,
    pub last_capture: Option<Millis>,
    pub status: Option<String>,
}

fn opt_text(v: &Option<String>) -> duckdb::types::Value {
    match v {
        Some(s) => duckdb::types::Value::Text(s.clone()),
        None => duckdb::types::Value::Null,
    }
}

/// The item in force at `at` (the last captured at or before it), or the
/// latest item when `at` is None.
pub fn item_at(items: &[ConfigItem], at: Option<i64>) -> Option<&ConfigItem> {
    match at {
        None => items.last(),
        Some(t) => items.iter().rev().find(|i| i.capture.is_some_and(|c| c.0 <= t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_survive_real_spellings() {
        assert_eq!(relationship_verb("Is attached to Subnet"), "Is attached to");
        assert_eq!(relationship_verb("Is attached to "), "Is attached to");
        assert_eq!(relationship_verb("IsassociatedwithSecurityGroup"), "Is associated with");
        assert_eq!(relationship_verb("IscontainedinVpc"), "Is contained in");
        assert_eq!(relationship_verb("Contains NetworkInterface"), "Contains");
        assert_eq!(relationship_verb(" Peers with X "), "Peers with X");
    }
}
