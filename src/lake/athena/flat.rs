//! One Security Lake CloudTrail table's rows in the flat shape, as
//! `projection.rs` reads the same columns from parquet (docs/formats.md
//! maps the versions): the ARN is `actor.user.uuid` in 1.0 and
//! `actor.user.uid` in 2.0, and so on.

use crate::lake::projection::ACTOR_KEY_SQL;
use crate::lake::scope::{Scope, day_string, format_ms};

/// A string as a SQL literal.
pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Security Lake source versions, as their Glue tables are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlVersion {
    /// Glue/Hive table partitioned by `region`, `accountid`, `eventday`.
    V1,
    /// Iceberg table: `region`, `accountid` columns, partitioned by day of `time_dt`.
    V2,
}

impl SlVersion {
    pub fn suffix(self) -> &'static str {
        match self {
            SlVersion::V1 => "1_0",
            SlVersion::V2 => "2_0",
        }
    }

    pub fn parse(text: &str) -> Option<SlVersion> {
        match text {
            "1" | "1.0" => Some(SlVersion::V1),
            "2" | "2.0" => Some(SlVersion::V2),
            _ => None,
        }
    }
}

/// The scope's accounts and regions as `IN` lists over the table's
/// partition columns (none for an empty list: every one).
pub(super) fn place_conditions(scope: &Scope, account: &str, region: &str) -> Vec<String> {
    let list = |v: &[String]| v.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ");
    [(account, &scope.accounts), (region, &scope.regions)]
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(column, values)| format!("{column} IN ({})", list(values)))
        .collect()
}

/// The scope as conditions the table can prune on, and the exact bounds.
pub(super) fn scope_conditions(version: SlVersion, scope: &Scope) -> Vec<String> {
    let mut out = place_conditions(scope, "accountid", "region");
    let stamp = |ms: i64| format!("TIMESTAMP '{}'", format_ms(ms).replace('T', " ").trim_end_matches('Z'));
    if let Some(from) = scope.from_ms {
        out.push(format!("\"time\" >= {from}"));
        match version {
            // A day either side, as locally: a partition's day is when the file was delivered.
            SlVersion::V1 => out.extend(day_string(from, -1).map(|d| format!("eventday >= {}", lit(&d)))),
            SlVersion::V2 => out.push(format!("time_dt >= {}", stamp(from))),
        }
    }
    if let Some(to) = scope.to_ms {
        out.push(format!("\"time\" < {to}"));
        match version {
            SlVersion::V1 => out.extend(day_string(to - 1, 1).map(|d| format!("eventday <= {}", lit(&d)))),
            SlVersion::V2 => out.push(format!("time_dt < {}", stamp(to))),
        }
    }
    out
}

/// The table's API calls in the flat shape with `actor_key`, `prio` (the
/// lower, the better copy) and the scope applied.
pub fn select(version: SlVersion, table: &str, scope: &Scope, prio: usize) -> String {
    let (arn, principal, actor_account) = match version {
        SlVersion::V1 => ("actor.user.uuid", "actor.user.uid", "actor.user.account_uid"),
        SlVersion::V2 => ("actor.user.uid", "actor.user.uid_alt", "actor.user.account.uid"),
    };
    // 1.0 keeps the request and response in `unmapped`, 2.0 in `api`.
    let (request, response) = match version {
        SlVersion::V1 => (
            "element_at(unmapped, 'requestParameters')".to_string(),
            "element_at(unmapped, 'responseElements')".to_string(),
        ),
        SlVersion::V2 => (
            "coalesce(api.request.data, element_at(unmapped, 'requestParameters'))".to_string(),
            "coalesce(api.response.data, element_at(unmapped, 'responseElements'))".to_string(),
        ),
    };
    let conditions = scope_conditions(version, scope);
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!("\n      WHERE {}", conditions.join(" AND ")),
    };
    format!(
        "  SELECT *, {ACTOR_KEY_SQL} AS actor_key, {prio} AS prio FROM (\n    SELECT metadata.uid AS event_uid, \"time\" AS time_ms, accountid AS account, region,\n      actor.user.type AS actor_type, {arn} AS actor_arn, {principal} AS actor_principal_id,\n      {actor_account} AS actor_account, element_at(unmapped, 'userIdentity.onBehalfOf.userId') AS on_behalf_of,\n      nullif(actor.user.credential_uid, '') AS access_key_id, actor.session.issuer AS session_issuer,\n      actor.invoked_by AS invoked_by, src_endpoint.ip AS src_ip, src_endpoint.domain AS src_domain,\n      api.service.name AS service, api.operation AS operation, api.response.error AS error_code,\n      coalesce(element_at(unmapped, 'recipientAccountId'), accountid) AS recipient_account,\n      http_request.user_agent AS user_agent, transform(resources, r -> r.uid) AS resource_uids,\n      transform(resources, r -> r.type) AS resource_types, {request} AS request_json, {response} AS response_json,\n      \"$path\" AS source_path\n    FROM {table}{filter}\n  )"
    )
}
