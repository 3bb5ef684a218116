//! SQL projections from each source shape to lakescope's flat event shape.
//!
//! Every group of files is projected to the same columns ([`FLAT_COLUMNS`]);
//! versions are only combined after projection (`docs/formats.md#duckdb-traps`). OCSF
//! projections are built from the group's real schema so that a field a
//! file lacks becomes NULL instead of a bind or INTERNAL error.

use std::path::Path;

use super::schema::{ColumnType, Schema};

/// Largest JSON document DuckDB may hold at once (a whole trail file).
pub const MAX_JSON_OBJECT: u64 = 256 * 1024 * 1024;
/// DuckDB's own default; enough for any ordinary trail file. DuckDB holds
/// two buffers of the maximum size per file in flight, so the large size is
/// kept for the files that may need it.
pub const SMALL_JSON_OBJECT: u64 = 16 * 1024 * 1024;

/// The flat event shape, with DuckDB types. Order is the output order.
pub const FLAT_COLUMNS: &[(&str, &str)] = &[
    ("event_uid", "VARCHAR"),
    ("time_ms", "BIGINT"),
    ("account", "VARCHAR"),
    ("recipient_account", "VARCHAR"),
    ("region", "VARCHAR"),
    ("actor_type", "VARCHAR"),
    ("actor_arn", "VARCHAR"),
    ("actor_name", "VARCHAR"),
    ("actor_principal_id", "VARCHAR"),
    ("actor_account", "VARCHAR"),
    ("on_behalf_of", "VARCHAR"),
    ("access_key_id", "VARCHAR"),
    ("session_issuer", "VARCHAR"),
    ("session_mfa", "BOOLEAN"),
    ("session_created_ms", "BIGINT"),
    ("invoked_by", "VARCHAR"),
    ("src_ip", "VARCHAR"),
    ("src_domain", "VARCHAR"),
    ("user_agent", "VARCHAR"),
    ("service", "VARCHAR"),
    ("operation", "VARCHAR"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("resource_uids", "VARCHAR[]"),
    ("resource_types", "VARCHAR[]"),
    ("request_json", "VARCHAR"),
    ("response_json", "VARCHAR"),
    ("event_type", "VARCHAR"),
    ("source_kind", "VARCHAR"),
    ("source_file", "VARCHAR"),
];

/// The stable key of an actor, computed from flat columns. Identities
/// without an ARN (services, external accounts, Identity Center users) get a
/// readable `Type:identifier` key.
pub const ACTOR_KEY_SQL: &str = "CASE \
 WHEN actor_arn IS NOT NULL AND actor_arn <> '' THEN actor_arn \
 WHEN actor_type = 'AWSService' OR (actor_type IS NULL AND invoked_by IS NOT NULL) \
   THEN 'AWSService:' || coalesce(invoked_by, src_domain, 'unknown') \
 WHEN actor_type = 'AWSAccount' THEN 'AWSAccount:' || coalesce(nullif(actor_account, ''), actor_principal_id, 'unknown') \
 WHEN actor_type = 'IdentityCenterUser' THEN 'IdentityCenterUser:' || coalesce(on_behalf_of, actor_principal_id, 'unknown') \
 ELSE coalesce(actor_type, 'Unknown') || ':' || coalesce(nullif(actor_principal_id, ''), nullif(actor_account, ''), 'unknown') \
 END";

/// Which OCSF mapping a parquet group follows (`docs/formats.md#differences-between-source-versions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// OCSF 1.0.0-rc.2 (Security Lake source version 1): ARN in `actor.user.uuid`.
    CloudTrailV1,
    /// OCSF 1.1 (source version 2): ARN in `actor.user.uid`.
    CloudTrailV2,
    /// EKS audit (OCSF 6003 with Kubernetes fields).
    EksAudit,
}

impl Flavor {
    /// Decide from the schema; the folder's version is only a tie-breaker
    /// because a drifted file may sit in the wrong folder.
    pub fn detect(schema: &Schema, source: Option<&str>, folder_version: Option<&str>) -> Option<Flavor> {
        if !(schema.has("api") && schema.has("actor")) {
            return None;
        }
        if source == Some("EKS_AUDIT") || schema.has("actor.user.groups") || schema.has("api.group") {
            return Some(Flavor::EksAudit);
        }
        let v1 = schema.has("actor.user.uuid") || schema.has("actor.user.account_uid");
        let v2 = schema.has("actor.user.uid_alt") || schema.has("actor.user.account") || schema.has("time_dt");
        Some(match (v1, v2) {
            (true, false) => Flavor::CloudTrailV1,
            (false, true) => Flavor::CloudTrailV2,
            _ if folder_version.is_some_and(|v| v.starts_with('2')) => Flavor::CloudTrailV2,
            _ => Flavor::CloudTrailV1,
        })
    }
}

/// `t."a"."b"` for the dotted path `a.b`.
pub(crate) fn col(path: &str) -> String {
    let mut out = String::from("t");
    for step in path.split('.') {
        out.push_str(".\"");
        out.push_str(&step.replace('"', "\"\""));
        out.push('"');
    }
    out
}

pub(crate) fn account_of(expr: &str) -> String {
    format!("CASE WHEN {expr} LIKE 'arn:%' THEN split_part({expr}, ':', 5) ELSE {expr} END")
}

/// SQL string literal with `'` doubled.
pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The first candidate path that exists as a scalar, cast to `ty`, or NULL.
pub(crate) fn pick(schema: &Schema, candidates: &[&str], ty: &str) -> String {
    let found: Vec<String> = candidates
        .iter()
        .filter(|p| schema.has_scalar(p))
        .map(|p| format!("TRY_CAST({} AS {ty})", col(p)))
        .collect();
    match found.len() {
        0 => format!("NULL::{ty}"),
        1 => found.into_iter().next().unwrap_or_default(),
        _ => format!("coalesce({})", found.join(", ")),
    }
}

/// `unmapped['key']` when the group has an `unmapped` map.
pub(crate) fn unmapped(schema: &Schema, key: &str) -> Option<String> {
    matches!(schema.get("unmapped"), Some(ColumnType::Map(_, _))).then(|| format!("t.\"unmapped\"[{}]", lit(key)))
}

pub(crate) fn first_of(parts: Vec<Option<String>>, ty: &str) -> String {
    let parts: Vec<String> = parts
        .into_iter()
        .flatten()
        .filter(|p| !p.starts_with("NULL::"))
        .collect();
    match parts.len() {
        0 => format!("NULL::{ty}"),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("coalesce({})", parts.join(", ")),
    }
}

/// `[r.<field> for r in resources]` when the resources list has that field.
pub(crate) fn resource_list(schema: &Schema, fields: &[&str]) -> String {
    if let Some(ColumnType::List(inner)) = schema.get("resources")
        && let ColumnType::Struct(members) = inner.as_ref()
    {
        let present: Vec<String> = fields
            .iter()
            .filter(|f| members.iter().any(|(n, t)| n.eq_ignore_ascii_case(f) && t.is_scalar()))
            .map(|f| format!("CAST(r.\"{f}\" AS VARCHAR)"))
            .collect();
        if !present.is_empty() {
            let value = if present.len() == 1 {
                present[0].clone()
            } else {
                format!("coalesce({})", present.join(", "))
            };
            return format!("[{value} for r in coalesce({}, [])]", col("resources"));
        }
    }
    "[]::VARCHAR[]".into()
}

/// The expression of an OCSF group's event id (for looking one event up).
pub fn ocsf_event_uid(schema: &Schema) -> String {
    pick(schema, &["metadata.uid", "api.request.uid"], "VARCHAR")
}

/// The SELECT list projecting one OCSF parquet group to the flat shape.
pub fn ocsf_select(schema: &Schema, flavor: Flavor, hive: bool, label: &str) -> String {
    let s = schema;
    let v = |name: &str, expr: String| format!("{expr} AS {name}");
    let recipient = unmapped(s, "recipientAccountId");
    let account = if hive {
        "t.accountId".to_string()
    } else {
        // Some writers put an ARN where an account id belongs; take its account field.
        account_of(&first_of(
            vec![
                Some(pick(s, &["accountid"], "VARCHAR")),
                recipient.clone(),
                Some(pick(s, &["cloud.account.uid", "cloud.account_uid"], "VARCHAR")),
            ],
            "VARCHAR",
        ))
    };
    let region = if hive {
        "t.region".to_string()
    } else {
        pick(s, &["cloud.region", "region"], "VARCHAR")
    };
    let time_ms = if s.has_scalar("time") {
        pick(s, &["time"], "BIGINT")
    } else if s.has_scalar("time_dt") {
        format!("epoch_ms({})", col("time_dt"))
    } else {
        "NULL::BIGINT".into()
    };
    let mut cols = vec![
        v("event_uid", pick(s, &["metadata.uid", "api.request.uid"], "VARCHAR")),
        v("time_ms", time_ms),
        v("account", account.clone()),
        v("recipient_account", first_of(vec![recipient, Some(account)], "VARCHAR")),
        v("region", region),
    ];
    match flavor {
        Flavor::CloudTrailV1 | Flavor::CloudTrailV2 => {
            let (arn, principal) = if flavor == Flavor::CloudTrailV1 {
                ("actor.user.uuid", "actor.user.uid")
            } else {
                ("actor.user.uid", "actor.user.uid_alt")
            };
            let created = if s.has_scalar("actor.session.created_time_dt") {
                format!("epoch_ms({})", col("actor.session.created_time_dt"))
            } else {
                pick(s, &["actor.session.created_time"], "BIGINT")
            };
            cols.extend([
                v("actor_type", pick(s, &["actor.user.type"], "VARCHAR")),
                v("actor_arn", pick(s, &[arn], "VARCHAR")),
                v("actor_name", pick(s, &["actor.user.name"], "VARCHAR")),
                v("actor_principal_id", pick(s, &[principal], "VARCHAR")),
                v(
                    "actor_account",
                    pick(s, &["actor.user.account_uid", "actor.user.account.uid"], "VARCHAR"),
                ),
                v(
                    "on_behalf_of",
                    first_of(vec![unmapped(s, "userIdentity.onBehalfOf.userId")], "VARCHAR"),
                ),
                v(
                    "access_key_id",
                    format!(
                        "nullif({}, '')",
                        pick(
                            s,
                            &["actor.user.credential_uid", "actor.session.credential_uid"],
                            "VARCHAR"
                        )
                    ),
                ),
                v("session_issuer", pick(s, &["actor.session.issuer"], "VARCHAR")),
                v("session_mfa", session_mfa(s)),
                v("session_created_ms", created),
                v("invoked_by", pick(s, &["actor.invoked_by"], "VARCHAR")),
                v("src_ip", pick(s, &["src_endpoint.ip"], "VARCHAR")),
                v("src_domain", pick(s, &["src_endpoint.domain"], "VARCHAR")),
                v("user_agent", pick(s, &["http_request.user_agent"], "VARCHAR")),
                v("service", pick(s, &["api.service.name"], "VARCHAR")),
                v("operation", pick(s, &["api.operation"], "VARCHAR")),
                v("error_code", pick(s, &["api.response.error"], "VARCHAR")),
                v("error_message", pick(s, &["api.response.message"], "VARCHAR")),
                v("resource_uids", resource_list(s, &["uid", "name"])),
                v("resource_types", resource_list(s, &["type"])),
                v(
                    "request_json",
                    first_of(
                        vec![
                            Some(pick(s, &["api.request.data"], "VARCHAR")),
                            unmapped(s, "requestParameters"),
                        ],
                        "VARCHAR",
                    ),
                ),
                v(
                    "response_json",
                    first_of(
                        vec![
                            Some(pick(s, &["api.response.data"], "VARCHAR")),
                            unmapped(s, "responseElements"),
                        ],
                        "VARCHAR",
                    ),
                ),
                v(
                    "event_type",
                    first_of(
                        vec![
                            Some(pick(s, &["metadata.event_code"], "VARCHAR")),
                            unmapped(s, "eventType"),
                        ],
                        "VARCHAR",
                    ),
                ),
            ]);
        }
        Flavor::EksAudit => {
            let name = pick(s, &["actor.user.name"], "VARCHAR");
            let code = pick(s, &["api.response.code"], "INTEGER");
            cols.extend([
                v(
                    "actor_type",
                    format!(
                        "CASE WHEN {name} LIKE 'arn:aws:sts::%:assumed-role/%' THEN 'AssumedRole' \
                         WHEN {name} LIKE 'arn:aws:iam::%:user/%' THEN 'IAMUser' \
                         WHEN {name} LIKE 'arn:%' THEN 'IAMPrincipal' ELSE 'KubernetesUser' END"
                    ),
                ),
                v("actor_arn", format!("CASE WHEN {name} LIKE 'arn:%' THEN {name} END")),
                v("actor_name", name.clone()),
                v(
                    "actor_principal_id",
                    format!("coalesce({name}, {})", pick(s, &["actor.user.uid"], "VARCHAR")),
                ),
                v("actor_account", "NULL::VARCHAR".into()),
                v("on_behalf_of", "NULL::VARCHAR".into()),
                v(
                    "access_key_id",
                    format!("nullif({}, '')", pick(s, &["actor.session.credential_uid"], "VARCHAR")),
                ),
                v("session_issuer", pick(s, &["actor.session.issuer"], "VARCHAR")),
                v("session_mfa", "NULL::BOOLEAN".into()),
                v("session_created_ms", "NULL::BIGINT".into()),
                v("invoked_by", "NULL::VARCHAR".into()),
                v("src_ip", pick(s, &["src_endpoint.ip"], "VARCHAR")),
                v("src_domain", "NULL::VARCHAR".into()),
                v("user_agent", pick(s, &["http_request.user_agent"], "VARCHAR")),
                v("service", "'eks.amazonaws.com'".into()),
                v("operation", pick(s, &["api.operation"], "VARCHAR")),
                v(
                    "error_code",
                    format!(
                        "coalesce({}, CASE WHEN {code} >= 400 THEN 'HTTP ' || {code} END)",
                        pick(s, &["api.response.error"], "VARCHAR")
                    ),
                ),
                v(
                    "error_message",
                    pick(s, &["api.response.message", "api.response.error_message"], "VARCHAR"),
                ),
                v("resource_uids", eks_resources(s)),
                v("resource_types", resource_list(s, &["type"])),
                v("request_json", pick(s, &["http_request.url.path"], "VARCHAR")),
                v("response_json", "NULL::VARCHAR".into()),
                v("event_type", "'KubernetesAudit'".into()),
            ]);
        }
    }
    cols.push(v("source_kind", lit(label)));
    cols.push(v("source_file", "t.filename".into()));
    cols.join(",\n  ")
}

fn eks_resources(schema: &Schema) -> String {
    let fields = ["type", "namespace", "name"];
    if let Some(ColumnType::List(inner)) = schema.get("resources")
        && let ColumnType::Struct(members) = inner.as_ref()
        && fields.iter().all(|f| members.iter().any(|(n, _)| n == f))
    {
        return format!(
            "[concat_ws('/', r.\"type\", r.\"namespace\", r.\"name\") for r in coalesce({}, [])]",
            col("resources")
        );
    }
    resource_list(schema, &["uid", "name"])
}

/// The session's MFA flag, or a sign-in's (the Authentication class's
/// `mfa` in 1.0, `is_mfa` in 2.0, from `MFAUsed`): either saying yes is yes.
fn session_mfa(s: &Schema) -> String {
    let session = pick(s, &["actor.session.mfa", "actor.session.is_mfa"], "BOOLEAN");
    let login = pick(s, &["mfa", "is_mfa"], "BOOLEAN");
    format!(
        "CASE WHEN coalesce({session}, false) OR coalesce({login}, false) THEN true \
         WHEN {session} IS NOT NULL OR {login} IS NOT NULL THEN false END"
    )
}

/// JSON paths read once per raw CloudTrail record (one parse per record),
/// in the order used by [`raw_select`].
const RAW_PATHS: &[&str] = &[
    "$.eventID",
    "$.eventTime",
    "$.\"@timestamp\"",
    "$.recipientAccountId",
    "$.awsRegion",
    "$.userIdentity.type",
    "$.userIdentity.arn",
    "$.userIdentity.userName",
    "$.userIdentity.principalId",
    "$.userIdentity.accountId",
    "$.userIdentity.onBehalfOf.userId",
    "$.userIdentity.accessKeyId",
    "$.userIdentity.sessionContext.sessionIssuer.arn",
    "$.userIdentity.sessionContext.attributes.mfaAuthenticated",
    "$.userIdentity.sessionContext.attributes.creationDate",
    "$.userIdentity.invokedBy",
    "$.sourceIPAddress",
    "$.userAgent",
    "$.eventSource",
    "$.eventName",
    "$.errorCode",
    "$.errorMessage",
    "$.eventType",
    "$.additionalEventData.MFAUsed",
];

/// The SELECT list projecting raw CloudTrail records (`r` JSON, `v` the
/// extracted strings, `j` the request/response JSON) to the flat shape.
/// `account`/`region` are the path's partition values when known.
pub fn raw_select(account: Option<&str>, region: Option<&str>, label: &str) -> String {
    raw_select_with(account, region, label, false)
}

/// [`raw_select`] over records read as JSON (`typed` false) or as the
/// typed struct of [`raw_scan_typed_sql`].
fn raw_select_with(account: Option<&str>, region: Option<&str>, label: &str, typed: bool) -> String {
    let at = |name: &str| -> String {
        let i = RAW_PATHS.iter().position(|p| p.ends_with(name)).map_or(0, |i| i + 1);
        format!("v[{i}]")
    };
    let ip_re = "'[0-9.]+|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*'";
    let source_ip = at(".sourceIPAddress");
    let created = at(".creationDate");
    [
        format!("{} AS event_uid", at(".eventID")),
        format!(
            "epoch_ms(coalesce(TRY_CAST({} AS TIMESTAMP), TRY_CAST({} AS TIMESTAMP))) AS time_ms",
            at(".eventTime"),
            at("\"@timestamp\"")
        ),
        format!(
            "{} AS account",
            account.map_or_else(|| at(".recipientAccountId"), lit)
        ),
        format!("{} AS recipient_account", at(".recipientAccountId")),
        format!("{} AS region", region.map_or_else(|| at(".awsRegion"), lit)),
        format!("{} AS actor_type", at(".type")),
        format!("{} AS actor_arn", at(".arn")),
        format!("{} AS actor_name", at(".userName")),
        format!("{} AS actor_principal_id", at(".principalId")),
        format!("{} AS actor_account", at("userIdentity.accountId")),
        format!("{} AS on_behalf_of", at(".userId")),
        format!("nullif({}, '') AS access_key_id", at(".accessKeyId")),
        format!("{} AS session_issuer", at("sessionIssuer.arn")),
        // The session's MFA flag, or a sign-in's `MFAUsed`: either saying yes is yes.
        format!(
            "CASE WHEN {mfa} = 'true' OR {used} = 'Yes' THEN true WHEN {mfa} IS NOT NULL OR {used} IS NOT NULL THEN false END AS session_mfa",
            mfa = at(".mfaAuthenticated"),
            used = at(".MFAUsed")
        ),
        format!(
            "epoch_ms(coalesce(TRY_CAST({created} AS TIMESTAMP), try_strptime({created}, '%Y%m%dT%H%M%SZ'))) AS session_created_ms"
        ),
        format!("{} AS invoked_by", at(".invokedBy")),
        format!("CASE WHEN regexp_full_match({source_ip}, {ip_re}) THEN {source_ip} END AS src_ip"),
        format!("CASE WHEN NOT regexp_full_match({source_ip}, {ip_re}) THEN {source_ip} END AS src_domain"),
        format!("{} AS user_agent", at(".userAgent")),
        format!("{} AS service", at(".eventSource")),
        format!("{} AS operation", at(".eventName")),
        format!("{} AS error_code", at(".errorCode")),
        format!("{} AS error_message", at(".errorMessage")),
        resources(typed, "ARN", "resource_uids"),
        resources(typed, "type", "resource_types"),
        "nullif(CAST(j[1] AS VARCHAR), 'null') AS request_json".into(),
        "nullif(CAST(j[2] AS VARCHAR), 'null') AS response_json".into(),
        format!("{} AS event_type", at(".eventType")),
        format!("{} AS source_kind", lit(label)),
        "filename AS source_file".into(),
    ]
    .join(",\n  ")
}

fn resources(typed: bool, key: &str, name: &str) -> String {
    if typed {
        format!("[x.\"{key}\" for x in coalesce(r.resources, [])]::VARCHAR[] AS {name}")
    } else {
        format!("CAST(coalesce(json_extract_string(r, '$.resources[*].{key}'), []) AS VARCHAR[]) AS {name}")
    }
}

/// The extraction step under [`raw_select`]: one JSON parse per record.
pub fn raw_extract() -> String {
    let paths: Vec<String> = RAW_PATHS.iter().map(|p| lit(p)).collect();
    format!(
        "json_extract_string(r, [{}]) AS v, json_extract(r, ['$.requestParameters', '$.responseElements']) AS j",
        paths.join(", ")
    )
}

/// `[ 'a', 'b' ]` of file paths. Paths come from our own directory walk, never
/// from user input; they are quoted, not bound, because DuckDB table
/// functions take no parameters here (`docs/formats.md#untrusted-text`).
pub fn file_list<'a>(files: impl IntoIterator<Item = &'a Path>) -> String {
    let items: Vec<String> = files.into_iter().map(|p| lit(&p.to_string_lossy())).collect();
    format!("[{}]", items.join(", "))
}

/// Raw CloudTrail `{"Records": [...]}` files projected to the flat shape.
pub fn raw_scan_sql(list: &str, account: Option<&str>, region: Option<&str>, label: &str, object_size: u64) -> String {
    let select = raw_select(account, region, label);
    format!(
        "SELECT {select}\nFROM (SELECT filename, r, {extract} FROM (\
         SELECT filename, unnest(Records) AS r FROM read_json({list}, columns = {{'Records': 'JSON[]'}}, \
         maximum_object_size = {object_size}, filename = true, hive_partitioning = false)))\
         \nWHERE coalesce(v[23], '') <> 'AwsCloudTrailInsight'",
        extract = raw_extract()
    )
}

/// The record fields [`raw_select`] reads, declared as one struct type:
/// DuckDB then converts each record straight to typed columns instead of
/// keeping it as JSON and extracting fields from it.
const RAW_RECORD_TYPE: &str = "STRUCT(\"eventID\" VARCHAR, \"eventTime\" VARCHAR, \"@timestamp\" VARCHAR, \
 \"recipientAccountId\" VARCHAR, \"awsRegion\" VARCHAR, \"userIdentity\" STRUCT(\"type\" VARCHAR, arn VARCHAR, \
 \"userName\" VARCHAR, \"principalId\" VARCHAR, \"accountId\" VARCHAR, \"onBehalfOf\" STRUCT(\"userId\" VARCHAR), \
 \"accessKeyId\" VARCHAR, \"sessionContext\" STRUCT(\"sessionIssuer\" STRUCT(arn VARCHAR), \
 attributes STRUCT(\"mfaAuthenticated\" VARCHAR, \"creationDate\" VARCHAR)), \"invokedBy\" VARCHAR), \
 \"sourceIPAddress\" VARCHAR, \"userAgent\" VARCHAR, \"eventSource\" VARCHAR, \"eventName\" VARCHAR, \
 \"errorCode\" VARCHAR, \"errorMessage\" VARCHAR, \"eventType\" VARCHAR, resources STRUCT(\"ARN\" VARCHAR, \"type\" VARCHAR)[], \
 \"requestParameters\" JSON, \"responseElements\" JSON, \"additionalEventData\" STRUCT(\"MFAUsed\" VARCHAR))";

/// Raw CloudTrail projected to the flat shape with the record fields
/// declared as typed columns (see [`RAW_RECORD_TYPE`]); the same select
/// list as [`raw_scan_sql`] over the struct's members.
pub fn raw_scan_typed_sql(
    list: &str,
    account: Option<&str>,
    region: Option<&str>,
    label: &str,
    object_size: u64,
) -> String {
    let select = raw_select_with(account, region, label, true);
    let members: Vec<String> = RAW_PATHS
        .iter()
        .map(|path| {
            let steps: Vec<String> = path
                .trim_start_matches("$.")
                .split('.')
                .map(|step| format!("\"{}\"", step.trim_matches('"')))
                .collect();
            format!("r.{}", steps.join("."))
        })
        .collect();
    format!(
        "SELECT {select}\nFROM (SELECT filename, r, [{members}] AS v, \
         [r.\"requestParameters\", r.\"responseElements\"] AS j FROM (\
         SELECT filename, unnest(Records) AS r FROM read_json({list}, columns = {{'Records': '{ty}[]'}}, \
         maximum_object_size = {object_size}, filename = true, hive_partitioning = false)))\
         \nWHERE coalesce(v[23], '') <> 'AwsCloudTrailInsight'",
        members = members.join(", "),
        ty = RAW_RECORD_TYPE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1_schema() -> Schema {
        Schema::from_describe([
            ("metadata".into(), "STRUCT(uid VARCHAR, \"version\" VARCHAR)".into()),
            ("time".into(), "BIGINT".into()),
            (
                "actor".into(),
                "STRUCT(\"user\" STRUCT(\"type\" VARCHAR, uid VARCHAR, uuid VARCHAR, account_uid VARCHAR, credential_uid VARCHAR), \"session\" STRUCT(created_time BIGINT, mfa BOOLEAN, issuer VARCHAR))".into(),
            ),
            ("api".into(), "STRUCT(operation VARCHAR, service STRUCT(\"name\" VARCHAR))".into()),
            ("unmapped".into(), "MAP(VARCHAR, VARCHAR)".into()),
            ("resources".into(), "STRUCT(uid VARCHAR, \"type\" VARCHAR)[]".into()),
        ])
    }

    #[test]
    fn v1_reads_arn_from_uuid_and_never_from_uid() {
        let s = v1_schema();
        assert_eq!(
            Flavor::detect(&s, Some("CLOUD_TRAIL_MGMT"), Some("2.0")),
            Some(Flavor::CloudTrailV1)
        );
        let sql = ocsf_select(&s, Flavor::CloudTrailV1, true, "x");
        assert!(
            sql.contains("TRY_CAST(t.\"actor\".\"user\".\"uuid\" AS VARCHAR) AS actor_arn"),
            "{sql}"
        );
        assert!(
            sql.contains("NULL::VARCHAR AS user_agent"),
            "missing fields become NULL: {sql}"
        );
        assert!(sql.contains("t.\"unmapped\"['requestParameters']"));
    }

    #[test]
    fn non_event_parquet_has_no_flavor() {
        let s = Schema::from_describe([("traffic".into(), "STRUCT(bytes BIGINT)".into())]);
        assert_eq!(Flavor::detect(&s, Some("VPC_FLOW"), Some("2.0")), None);
    }

    #[test]
    fn literals_double_quotes() {
        assert_eq!(lit("a'b"), "'a''b'");
    }
}
