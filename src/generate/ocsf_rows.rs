//! NDJSON rows of the Security Lake CloudTrail shapes. Field names and
//! nesting follow the shapes in `schemas.rs`; DuckDB casts each row to the
//! exact DDL types when the Parquet file is written.

use serde::Serialize;

use super::ids;
use super::ocsf::{self, Unmapped};
use super::record::Record;

#[derive(Serialize)]
pub struct Product<'a> {
    pub version: &'a str,
    pub name: &'static str,
    pub vendor_name: &'static str,
    pub feature: Feature<'a>,
}

#[derive(Serialize)]
pub struct Feature<'a> {
    pub name: &'a str,
}

#[derive(Serialize)]
pub struct Cloud<'a> {
    pub region: &'a str,
    pub provider: &'static str,
}

#[derive(Serialize)]
pub struct Named<'a> {
    pub name: &'a str,
}

#[derive(Serialize)]
pub struct SvcName<'a> {
    pub svc_name: &'a str,
}

#[derive(Serialize)]
pub struct UserAgent<'a> {
    pub user_agent: &'a str,
}

#[derive(Serialize)]
pub struct Src<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
}

fn src(r: &Record) -> Src<'_> {
    let s = r.source_ip.as_str();
    if ocsf::is_ip(s) {
        Src {
            uid: None,
            ip: Some(s),
            domain: None,
        }
    } else {
        Src {
            uid: None,
            ip: None,
            domain: Some(s),
        }
    }
}

fn status(r: &Record) -> (&'static str, i32) {
    if r.is_error() { ("Failure", 2) } else { ("Success", 1) }
}

// ----------------------------------------------------------------- v1 ----

#[derive(Serialize)]
pub struct V1Row<'a> {
    metadata: V1Meta<'a>,
    time: i64,
    cloud: Cloud<'a>,
    api: V1Api<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_endpoint: Option<SvcName<'a>>,
    actor: V1Actor<'a>,
    http_request: UserAgent<'a>,
    src_endpoint: Src<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Vec<V1Resource<'a>>>,
    class_name: &'static str,
    class_uid: i32,
    category_name: &'static str,
    category_uid: i32,
    severity_id: i32,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<TargetUser>,
    activity_name: &'static str,
    activity_id: i32,
    type_uid: i64,
    type_name: String,
    status: &'static str,
    status_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa: Option<bool>,
    unmapped: Unmapped<'a>,
}

#[derive(Serialize)]
struct V1Meta<'a> {
    product: Product<'a>,
    uid: &'a str,
    profiles: [&'static str; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct V1Api<'a> {
    response: V1Response<'a>,
    operation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    service: Named<'a>,
    request: V1Request<'a>,
}

#[derive(Serialize)]
struct V1Response<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct V1Request<'a> {
    uid: &'a str,
}

#[derive(Serialize)]
struct V1Actor<'a> {
    user: V1User<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<V1Session<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoked_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idp: Option<Named<'a>>,
}

#[derive(Serialize)]
struct V1User<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_uid: Option<&'a str>,
}

#[derive(Serialize)]
struct V1Session<'a> {
    created_time: i64,
    mfa: bool,
    issuer: &'a str,
}

#[derive(Serialize)]
struct V1Resource<'a> {
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_uid: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// Top-level `user` (the target of Authentication / Account Change rows).
/// v1 spells it {uid, uuid, name}; v2 {uid_alt, uid, name}.
#[derive(Serialize)]
pub struct TargetUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid_alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

pub fn v1_row(r: &Record) -> V1Row<'_> {
    let id = &r.user_identity;
    let class = ocsf::class_info(r, false);
    let (status, status_id) = status(r);
    V1Row {
        metadata: V1Meta {
            product: Product {
                version: r.event_version,
                name: "CloudTrail",
                vendor_name: "AWS",
                feature: Feature { name: r.event_category },
            },
            uid: &r.event_id,
            profiles: ["cloud"],
            version: "1.0.0-rc.2",
        },
        time: r.time_ms,
        cloud: Cloud {
            region: &r.aws_region,
            provider: "AWS",
        },
        api: V1Api {
            response: V1Response {
                error: r.error_code.as_deref(),
                message: r.error_message.as_deref(),
            },
            operation: &r.event_name,
            version: None,
            service: Named { name: &r.event_source },
            request: V1Request { uid: &r.request_id },
        },
        dst_endpoint: ocsf::login_to(r).map(|s| SvcName { svc_name: s }),
        actor: V1Actor {
            user: V1User {
                kind: &id.kind,
                name: id.user_name.as_deref(),
                uid: id.principal_id.as_deref(),
                uuid: id.arn.as_deref(),
                account_uid: id.account_id.as_deref(),
                credential_uid: id.key(),
            },
            session: id.session_context.as_ref().map(|sc| V1Session {
                created_time: sc.created_ms,
                mfa: sc.attributes.mfa_authenticated == "true",
                issuer: &sc.session_issuer.arn,
            }),
            invoked_by: id.invoked_by.as_deref(),
            idp: id.identity_provider.as_deref().map(|n| Named { name: n }),
        },
        http_request: UserAgent {
            user_agent: &r.user_agent,
        },
        src_endpoint: src(r),
        resources: r.resources.as_ref().map(|rs| {
            rs.iter()
                .map(|x| V1Resource {
                    uid: &x.arn,
                    account_uid: x.account_id.as_deref(),
                    kind: &x.kind,
                })
                .collect()
        }),
        class_name: class.class_name,
        class_uid: class.class_uid,
        category_name: class.category_name,
        category_uid: class.category_uid,
        severity_id: 1,
        severity: "Informational",
        user: ocsf::target_user(r).map(|(arn, uid, name)| TargetUser {
            uid,
            uuid: arn,
            uid_alt: None,
            name,
        }),
        activity_name: class.activity_name,
        activity_id: class.activity_id,
        type_uid: class.type_uid(),
        type_name: class.type_name(),
        status,
        status_id,
        mfa: ocsf::login_mfa(r),
        unmapped: ocsf::unmapped(r, true),
    }
}

// Shared with the v2 module.
pub(super) fn v2_target(r: &Record) -> Option<TargetUser> {
    ocsf::target_user(r).map(|(arn, uid, name)| TargetUser {
        uid: arn,
        uuid: None,
        uid_alt: uid,
        name,
    })
}

pub(super) fn v2_src(r: &Record) -> Src<'_> {
    src(r)
}

pub(super) fn v2_status(r: &Record) -> &'static str {
    status(r).0
}

pub(super) fn v2_time_dt(ms: i64) -> String {
    ids::sql_ts(ms)
}
