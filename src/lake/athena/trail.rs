//! An organization trail's CloudTrail table in the flat shape: the table
//! Athena's documentation creates over CloudTrail logs (JSON SerDe,
//! lower-case columns, `useridentity` a struct, request and response as
//! JSON text), partitioned by projection on the trail's folders —
//! `account`, `region` and `timestamp` (`yyyy/MM/dd`), as
//! `AWSLogs/o-…/${account}/CloudTrail/${region}/${timestamp}/` lays them
//! out (docs/athena.md gives the DDL). The columns match `flat::select`.

use super::flat::{lit, place_conditions};
use crate::lake::projection::ACTOR_KEY_SQL;
use crate::lake::scope::{Scope, day_string};

/// An IP address (v4 or v6); anything else in `sourceipaddress` is a
/// service's host name, as the local projection splits them.
const IP_RE: &str = "'^([0-9.]+|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)$'";

/// The event's time in ms (CloudTrail's `eventtime` is UTC, `…Z`).
const TIME_MS: &str = "CAST(to_unixtime(date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ')) * 1000 AS bigint)";

/// The partition day of a file of the trail, `YYYYMMDD` from its path.
pub const PATH_DAY: &str =
    "regexp_replace(regexp_extract(source_path, '/CloudTrail/[^/]+/([0-9]{4}/[0-9]{2}/[0-9]{2})/', 1), '/', '')";

/// The scope as partition predicates (a day either side, as locally: a
/// file is filed under its delivery day) and the exact time bounds.
fn conditions(scope: &Scope) -> Vec<String> {
    let mut out = place_conditions(scope, "\"account\"", "\"region\"");
    // `20240504` → `2024/05/04`, the projected partition's format.
    let slashed = |d: String| format!("{}/{}/{}", &d[..4], &d[4..6], &d[6..]);
    if let Some(from) = scope.from_ms {
        out.extend(day_string(from, -1).map(|d| format!("\"timestamp\" >= {}", lit(&slashed(d)))));
        out.push(format!("{TIME_MS} >= {from}"));
    }
    if let Some(to) = scope.to_ms {
        out.extend(day_string(to - 1, 1).map(|d| format!("\"timestamp\" <= {}", lit(&slashed(d)))));
        out.push(format!("{TIME_MS} < {to}"));
    }
    out
}

/// The trail table's API calls in the flat shape, with `actor_key` and `prio`.
pub fn select(table: &str, scope: &Scope) -> String {
    let conditions = conditions(scope);
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!("\n      WHERE {}", conditions.join(" AND ")),
    };
    format!(
        "  SELECT *, {ACTOR_KEY_SQL} AS actor_key, 0 AS prio FROM (\n    SELECT eventid AS event_uid, {TIME_MS} AS time_ms, \"account\" AS account, \"region\" AS region,\n      useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.principalid AS actor_principal_id,\n      useridentity.accountid AS actor_account, useridentity.onbehalfof.userid AS on_behalf_of,\n      nullif(useridentity.accesskeyid, '') AS access_key_id, useridentity.sessioncontext.sessionissuer.arn AS session_issuer,\n      useridentity.invokedby AS invoked_by,\n      CASE WHEN regexp_like(sourceipaddress, {IP_RE}) THEN sourceipaddress END AS src_ip,\n      CASE WHEN NOT regexp_like(sourceipaddress, {IP_RE}) THEN sourceipaddress END AS src_domain,\n      eventsource AS service, eventname AS operation, errorcode AS error_code,\n      recipientaccountid AS recipient_account, useragent AS user_agent,\n      transform(resources, r -> r.arn) AS resource_uids, transform(resources, r -> r.type) AS resource_types,\n      requestparameters AS request_json, responseelements AS response_json,\n      \"$path\" AS source_path\n    FROM {table}{filter}\n  )"
    )
}
