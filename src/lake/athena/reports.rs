//! The reports (an actor's dossier, an IP, an access key, a resource) in
//! Athena's SQL: one statement per section, each over `sub`, the subject's
//! events within the scope, aggregated as `pivots.rs` does locally. Arrays
//! of names come back as one comma-joined text, as Athena's results are text.

use super::flat::lit;
use super::statement::{Statement, mode_cte};

/// STS calls whose response carries a new access key (as `pivots.rs`).
const MINTING: &str =
    "('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken')";

/// Which events a report is about.
pub(super) fn subject_condition(kind: Kind, id: &str) -> String {
    let v = lit(id);
    match kind {
        Kind::Actor => format!("(actor_key = {v} OR session_issuer = {v})"),
        Kind::Ip => format!("(src_ip = {v} OR src_domain = {v})"),
        Kind::Key => format!("access_key_id = {v}"),
        Kind::Resource => resource_condition(id),
    }
}

/// A resource named in `resources[]`, or quoted in the request (an ARN's
/// trailing name too: buckets, roles and instances are named so there).
pub(super) fn resource_condition(id: &str) -> String {
    let quoted = |text: &str| {
        format!(
            "strpos(coalesce(request_json, ''), {}) > 0",
            lit(&format!("\"{text}\""))
        )
    };
    let mut parts = vec![format!("contains(resource_uids, {})", lit(id)), quoted(id)];
    if id.starts_with("arn:")
        && let Some(name) = id.rsplit([':', '/']).next()
        && !name.is_empty()
        && name != id
    {
        parts.push(quoted(name));
    }
    format!("({})", parts.join(" OR "))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Actor,
    Ip,
    Key,
    Resource,
}

/// The sections of a report, each a statement that starts with `with`
/// (the `WITH … ev …, sub AS (…)` of the subject, no line end).
pub(super) fn sections(kind: Kind, id: &str, with: &str) -> Vec<Statement> {
    // A body that starts with `,` adds its own CTEs to the subject's.
    let s = |section: &'static str, body: String| Statement {
        section,
        sql: match body.starts_with(',') {
            true => format!("{with}{body}"),
            false => format!("{with}\n{body}"),
        },
    };
    let summary = |with_type: bool| {
        let actor_type = match with_type {
            true => {
                ",\n  (SELECT actor_type FROM sub WHERE actor_type IS NOT NULL GROUP BY actor_type ORDER BY count(*) DESC, actor_type LIMIT 1) AS type"
            }
            false => "",
        };
        format!(
            "SELECT count(*) AS events, count(error_code) AS errors, min(time_ms) AS first_ms, max(time_ms) AS last_ms,\n  array_join(array_sort(array_agg(DISTINCT account)), ',') AS accounts{actor_type}\nFROM sub"
        )
    };
    match kind {
        Kind::Actor => vec![
            s("summary", summary(true)),
            s("sessions", own_sessions()),
            s("started_sessions", started_sessions()),
            s("access_keys", keys()),
            s("source_ips", ips()),
            s("resources", resources()),
            s("operations", operations()),
            s("new_sightings", new_sightings()),
        ],
        Kind::Ip => vec![
            s("summary", summary(false)),
            s("actors", actors()),
            s("operations", operations()),
            s("user_agents", user_agents()),
        ],
        Kind::Key => vec![
            s("summary", summary(false)),
            s("owners", actors()),
            s("minted_by", minted_by(id)),
            s(
                "minted",
                format!(
                    ",\n{},\n{}\nSELECT * FROM mints ORDER BY time_ms, child_key",
                    mint_rows("sub"),
                    mints()
                ),
            ),
            s("source_ips", ips()),
            s("operations", operations()),
        ],
        Kind::Resource => vec![
            s("summary", summary(false)),
            s("actors", actors()),
            s("operations", operations()),
        ],
    }
}

fn actors() -> String {
    format!(
        ",\n{}\nSELECT s.actor_key AS arn, t.actor_type AS type, count(*) AS events, count(s.error_code) AS errors, min(s.time_ms) AS first_ms, max(s.time_ms) AS last_ms\nFROM sub s LEFT JOIN top_type t ON t.actor_key = s.actor_key\nGROUP BY s.actor_key, t.actor_type\nORDER BY min(s.time_ms), s.actor_key",
        mode_cte("top_type", "actor_key", "actor_type", "sub")
    )
}

fn operations() -> String {
    "SELECT service, operation, count(*) AS events, count(error_code) AS errors\nFROM sub GROUP BY service, operation\nORDER BY service, operation".into()
}

/// The IPs, regions and operations the subject first used a baseline
/// after its own first event (as `timeline.rs` locally), oldest first.
/// Within the scope: the local engine compares with the whole lake, which
/// on Athena would scan every partition whatever the scope.
fn new_sightings() -> String {
    format!(
        "SELECT kind, value, t AS time_ms FROM (\n  SELECT kind, value, t, min(t) OVER () AS start FROM (\n    \
         SELECT kind, value, min(time_ms) AS t FROM (\n      \
         SELECT time_ms, 'ip' AS kind, coalesce(src_ip, src_domain) AS value FROM sub\n      \
         UNION ALL SELECT time_ms, 'region', region FROM sub\n      \
         UNION ALL SELECT time_ms, 'operation', operation FROM sub\n    \
         ) WHERE value IS NOT NULL GROUP BY kind, value\n  )\n)\nWHERE t >= start + {}\nORDER BY t, kind, value",
        crate::lake::model::BASELINE_MS
    )
}

fn user_agents() -> String {
    "SELECT user_agent, count(*) AS events\nFROM sub WHERE user_agent IS NOT NULL GROUP BY user_agent\nORDER BY 2 DESC, 1 LIMIT 20".into()
}

fn ips() -> String {
    "SELECT src_ip AS ip, count(*) AS events, min(time_ms) AS first_ms, max(time_ms) AS last_ms\nFROM sub WHERE src_ip IS NOT NULL GROUP BY src_ip\nORDER BY min(time_ms), src_ip".into()
}

fn keys() -> String {
    "SELECT access_key_id AS id, count(*) AS events, min(time_ms) AS first_ms, max(time_ms) AS last_ms\nFROM sub WHERE access_key_id IS NOT NULL GROUP BY access_key_id\nORDER BY min(time_ms), access_key_id".into()
}

fn own_sessions() -> String {
    "SELECT coalesce(actor_arn, actor_key) AS name, session_issuer AS issuer, access_key_id AS access_key, count(*) AS events,\n  min(time_ms) AS first_ms, max(time_ms) AS last_ms, array_join(array_sort(array_agg(DISTINCT account)), ',') AS accounts\nFROM sub WHERE session_issuer IS NOT NULL\nGROUP BY coalesce(actor_arn, actor_key), session_issuer, access_key_id\nORDER BY min(time_ms), 1, 3".into()
}

/// Sessions minted by the subject's calls, with what each key did in the scope.
fn started_sessions() -> String {
    format!(
        ",\n{},\n{},\nusage AS (\n  SELECT access_key_id, count(*) AS events, min(time_ms) AS first_ms, max(time_ms) AS last_ms,\n    array_join(array_sort(array_agg(DISTINCT account)), ',') AS accounts\n  FROM ev WHERE access_key_id IN (SELECT child_key FROM mints) GROUP BY access_key_id\n)\n\
         SELECT coalesce(m.session_arn, m.child_key) AS name, m.role_arn AS issuer, m.child_key AS access_key, coalesce(u.events, 0) AS events,\n  u.first_ms, u.last_ms, u.accounts, m.parent_key AS started_with_key\n\
         FROM mints m LEFT JOIN usage u ON u.access_key_id = m.child_key\nORDER BY m.time_ms, m.child_key",
        mint_rows("sub"),
        mints()
    )
}

/// The call that minted `key`: made by another identity, so looked for in
/// every event of the scope whose response names it.
fn minted_by(key: &str) -> String {
    let from = format!(
        "ev WHERE operation IN {MINTING} AND strpos(coalesce(response_json, ''), {}) > 0",
        lit(key)
    );
    format!(
        ",\n{},\n{}\nSELECT * FROM mints WHERE child_key = {}",
        mint_rows(&from),
        mints(),
        lit(key)
    )
}

/// `m`: successful minting calls of `from` with what their response names.
fn mint_rows(from: &str) -> String {
    format!(
        "m AS (\n  SELECT *, lpad(CAST(time_ms AS varchar), 16, '0') || event_uid AS ord,\n    coalesce(json_extract_scalar(response_json, '$.assumedRoleUser.arn'), json_extract_scalar(response_json, '$.federatedUser.arn')) AS session_arn,\n    json_extract_scalar(response_json, '$.credentials.accessKeyId') AS minted_key,\n    json_extract_scalar(request_json, '$.roleArn') AS requested_role\n  FROM (SELECT * FROM {from}) WHERE operation IN {MINTING} AND error_code IS NULL\n)"
    )
}

/// `mints`: one row per minted key; a cross-account call is recorded in
/// both accounts at once, so ties go to the event id and a session's
/// account is the one in its ARN.
fn mints() -> String {
    "mints AS (\n  SELECT minted_key AS child_key, min_by(access_key_id, ord) AS parent_key, min_by(actor_key, ord) AS parent_actor,\n    min_by(session_arn, ord) AS session_arn, min_by(requested_role, ord) AS role_arn, min_by(operation, ord) AS operation,\n    coalesce(nullif(split_part(min_by(session_arn, ord), ':', 5), ''), min_by(recipient_account, ord)) AS account,\n    min(time_ms) AS time_ms, min_by(event_uid, ord) AS event_id\n  FROM m WHERE minted_key IS NOT NULL GROUP BY minted_key\n)".into()
}

/// Resources from `resources[]` and from well-known request fields, as
/// `pivots.rs` finds them (EC2 and S3 calls often leave `resources[]` empty).
fn resources() -> String {
    let field = |path: &str, prefix: &str, kind: &str| {
        let value = format!("json_extract_scalar(request_json, '$.{path}')");
        let value = match prefix.is_empty() {
            true => value,
            false => format!("'{prefix}' || {value}"),
        };
        format!("  UNION ALL SELECT event_uid, operation, {value}, '{kind}' FROM sub")
    };
    // `element_at` past the end is NULL in Athena: an empty list gives one NULL row, dropped below.
    let listed = "  SELECT event_uid, operation, element_at(resource_uids, i) AS id, element_at(resource_types, i) AS type\n  FROM sub CROSS JOIN UNNEST(sequence(1, greatest(coalesce(cardinality(resource_uids), 0), 1))) AS n(i)";
    let rows = [
        listed.to_string(),
        field("groupId", "", "AWS::EC2::SecurityGroup"),
        field("bucketName", "arn:aws:s3:::", "AWS::S3::Bucket"),
        field("roleArn", "", "AWS::IAM::Role"),
        field("instanceId", "", "AWS::EC2::Instance"),
        field("secretId", "", "AWS::SecretsManager::Secret"),
    ];
    format!(
        ",\nr AS (\n{}\n),\nnamed AS (SELECT * FROM r WHERE id IS NOT NULL AND id <> ''),\n{}\n\
         SELECT n.id, t.type, count(DISTINCT n.event_uid) AS events, array_join(array_sort(array_agg(DISTINCT n.operation)), ',') AS operations\n\
         FROM named n LEFT JOIN top_kind t ON t.id = n.id\nGROUP BY n.id, t.type\nORDER BY 3 DESC, 1",
        rows.join("\n"),
        mode_cte("top_kind", "id", "type", "named")
    )
}
