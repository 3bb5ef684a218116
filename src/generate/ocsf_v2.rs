//! Security Lake 2.0 (OCSF 1.1.0) CloudTrail rows.

use serde::Serialize;
use serde_json::Value;

use super::ocsf::{self, Unmapped};
use super::ocsf_rows::{
    Cloud, Feature, Named, Product, Src, SvcName, TargetUser, UserAgent, v2_src, v2_status, v2_target, v2_time_dt,
};
use super::record::Record;

#[derive(Serialize)]
pub struct V2Row<'a> {
    metadata: Meta<'a>,
    time: i64,
    time_dt: String,
    cloud: Cloud<'a>,
    api: Api<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_endpoint: Option<SvcName<'a>>,
    actor: Actor<'a>,
    http_request: UserAgent<'a>,
    src_endpoint: Src<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Session>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Uid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<Vec<Resource<'a>>>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    is_mfa: Option<bool>,
    unmapped: Unmapped<'a>,
    accountid: &'a str,
    region: &'a str,
    asl_version: &'static str,
    observables: Vec<Observable<'a>>,
}

#[derive(Serialize)]
struct Meta<'a> {
    product: Product<'a>,
    event_code: &'a str,
    uid: &'a str,
    profiles: [&'static str; 2],
    version: &'static str,
}

#[derive(Serialize)]
struct Api<'a> {
    response: Response<'a>,
    operation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    service: Named<'a>,
    request: Request<'a>,
}

#[derive(Serialize)]
struct Response<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

#[derive(Serialize)]
struct Request<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    uid: &'a str,
}

#[derive(Serialize)]
struct Actor<'a> {
    user: User<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<ActorSession<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoked_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idp: Option<Named<'a>>,
}

#[derive(Serialize)]
struct User<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid_alt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<Uid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_uid: Option<&'a str>,
}

#[derive(Serialize)]
struct ActorSession<'a> {
    created_time_dt: String,
    is_mfa: bool,
    issuer: &'a str,
}

#[derive(Serialize)]
struct Session {
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid_alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
}

#[derive(Serialize)]
pub struct Uid {
    uid: String,
}

#[derive(Serialize)]
struct Owner {
    account: Uid,
}

#[derive(Serialize)]
struct Resource<'a> {
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<Owner>,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
pub struct Observable<'a> {
    pub name: &'static str,
    pub value: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub type_id: i32,
}

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::to_string)
}

/// Top-level `session` of successful STS minting calls (the new session).
fn minted_session(r: &Record) -> Option<Session> {
    if r.is_error() || ocsf::kind(r) != ocsf::Kind::Authentication {
        return None;
    }
    let resp = &r.response_elements;
    let key = str_at(resp, &["credentials", "accessKeyId"])?;
    let (uid, uid_alt) = match r.event_name.as_str() {
        "GetFederationToken" => (
            str_at(resp, &["federatedUser", "arn"]),
            str_at(resp, &["federatedUser", "federatedUserId"]),
        ),
        _ => (
            str_at(resp, &["assumedRoleUser", "arn"]),
            str_at(resp, &["assumedRoleUser", "assumedRoleId"]),
        ),
    };
    Some(Session {
        uid,
        uid_alt,
        credential_uid: Some(key),
        issuer: str_at(&r.request_parameters, &["roleArn"]),
    })
}

/// `region_override` writes a different in-file `region` column (the path
/// still carries the real one) to exercise path precedence.
pub fn v2_row<'a>(r: &'a Record, region_override: Option<&'a str>) -> V2Row<'a> {
    let id = &r.user_identity;
    let class = ocsf::class_info(r, true);
    let src = v2_src(r);
    let mut observables = Vec::new();
    if let Some(ip) = src.ip {
        observables.push(Observable {
            name: "src_endpoint.ip",
            value: ip,
            kind: "IP Address",
            type_id: 2,
        });
    }
    if let Some(arn) = id.arn.as_deref() {
        observables.push(Observable {
            name: "actor.user.uid",
            value: arn,
            kind: "Resource UID",
            type_id: 10,
        });
    }
    let policy = if r.event_name.starts_with("Attach") || r.event_name.starts_with("Detach") {
        str_at(&r.request_parameters, &["policyArn"]).map(|uid| Uid { uid })
    } else {
        None
    };
    V2Row {
        metadata: Meta {
            product: Product {
                version: r.event_version,
                name: "CloudTrail",
                vendor_name: "AWS",
                feature: Feature { name: r.event_category },
            },
            event_code: r.event_type,
            uid: &r.event_id,
            profiles: ["cloud", "datetime"],
            version: "1.1.0",
        },
        time: r.time_ms,
        time_dt: v2_time_dt(r.time_ms),
        cloud: Cloud {
            region: &r.aws_region,
            provider: "AWS",
        },
        api: Api {
            response: Response {
                error: r.error_code.as_deref(),
                message: r.error_message.as_deref(),
                data: ocsf::json_text(&r.response_elements),
            },
            operation: &r.event_name,
            version: None,
            service: Named { name: &r.event_source },
            request: Request {
                data: ocsf::json_text(&r.request_parameters),
                uid: &r.request_id,
            },
        },
        dst_endpoint: ocsf::login_to(r).map(|s| SvcName { svc_name: s }),
        actor: Actor {
            user: User {
                kind: &id.kind,
                name: id.user_name.as_deref(),
                uid_alt: id.principal_id.as_deref(),
                uid: id.arn.as_deref(),
                account: id.account_id.as_ref().map(|a| Uid { uid: a.clone() }),
                credential_uid: id.key(),
            },
            session: id.session_context.as_ref().map(|sc| ActorSession {
                created_time_dt: v2_time_dt(sc.created_ms),
                is_mfa: sc.attributes.mfa_authenticated == "true",
                issuer: &sc.session_issuer.arn,
            }),
            invoked_by: id.invoked_by.as_deref(),
            idp: id.identity_provider.as_deref().map(|n| Named { name: n }),
        },
        http_request: UserAgent {
            user_agent: &r.user_agent,
        },
        src_endpoint: src,
        session: minted_session(r),
        policy,
        resources: r.resources.as_ref().map(|rs| {
            rs.iter()
                .map(|x| Resource {
                    uid: &x.arn,
                    owner: x.account_id.as_ref().map(|a| Owner {
                        account: Uid { uid: a.clone() },
                    }),
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
        user: v2_target(r),
        activity_name: class.activity_name,
        activity_id: class.activity_id,
        type_uid: class.type_uid(),
        type_name: class.type_name(),
        status: v2_status(r),
        is_mfa: ocsf::login_mfa(r),
        unmapped: ocsf::unmapped(r, false),
        accountid: &r.recipient_account_id,
        region: region_override.unwrap_or(&r.aws_region),
        asl_version: "2.0",
        observables,
    }
}
