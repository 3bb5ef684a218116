//! The raw CloudTrail record: the single source of truth from which the
//! trail files and both Security Lake shapes are derived.

use serde::Serialize;
use serde_json::Value;

use super::ids::{self, UPPER_ALNUM, access_key, label_id};
use super::world::{self, ActorDef, EXTERNAL, Mint, Who};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub event_version: &'static str,
    pub user_identity: Identity,
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip: String,
    pub user_agent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_parameters: Value,
    pub response_elements: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_event_data: Option<Value>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<Resource>>,
    pub event_type: &'static str,
    pub management_event: bool,
    pub recipient_account_id: String,
    #[serde(rename = "sharedEventID", skip_serializing_if = "Option::is_none")]
    pub shared_event_id: Option<String>,
    pub event_category: &'static str,
    /// Epoch milliseconds of `event_time` (not serialized).
    #[serde(skip)]
    pub time_ms: i64,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OnBehalfOf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub session_issuer: Issuer,
    pub attributes: Attributes,
    #[serde(skip)]
    pub created_ms: i64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub principal_id: String,
    pub arn: String,
    pub account_id: String,
    pub user_name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    pub creation_date: String,
    pub mfa_authenticated: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnBehalfOf {
    pub user_id: String,
    pub identity_store_arn: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Resource {
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ARN")]
    pub arn: String,
}

impl Resource {
    pub fn new(account: Option<&str>, kind: &str, arn: String) -> Resource {
        Resource {
            account_id: account.map(str::to_string),
            kind: kind.to_string(),
            arn,
        }
    }
}

impl Record {
    pub fn is_error(&self) -> bool {
        self.error_code.is_some()
    }
}

impl Identity {
    /// The actor key shared with the engine (see TRUTH.json docs).
    pub fn actor_key(&self) -> String {
        if let Some(arn) = &self.arn {
            return arn.clone();
        }
        if (self.kind == "AWSService" || self.kind.is_empty())
            && let Some(by) = &self.invoked_by
        {
            return format!("AWSService:{by}");
        }
        if self.kind == "AWSAccount"
            && let Some(acct) = self.account_id.as_ref().or(self.principal_id.as_ref())
        {
            return format!("AWSAccount:{acct}");
        }
        if self.kind == "IdentityCenterUser"
            && let Some(obo) = &self.on_behalf_of
        {
            return format!("IdentityCenterUser:{}", obo.user_id);
        }
        let kind = if self.kind.is_empty() {
            "Unknown"
        } else {
            self.kind.as_str()
        };
        let id = self
            .principal_id
            .as_deref()
            .or(self.account_id.as_deref())
            .unwrap_or("unknown");
        format!("{kind}:{id}")
    }

    pub fn key(&self) -> Option<&str> {
        self.access_key_id.as_deref().filter(|k| !k.is_empty())
    }
}

pub fn principal_id(seed: u64, prefix: &str, label: &str) -> String {
    label_id(seed, label, prefix, UPPER_ALNUM, 17)
}

pub fn role_id(seed: u64, account: &str, role: &str) -> String {
    principal_id(seed, "AROA", &format!("role/{account}/{role}"))
}

pub fn iam_user(seed: u64, account: &str, user: &str) -> Identity {
    Identity {
        kind: "IAMUser".into(),
        principal_id: Some(principal_id(seed, "AIDA", &format!("user/{account}/{user}"))),
        arn: Some(world::user_arn(account, user)),
        account_id: Some(account.into()),
        access_key_id: Some(access_key(seed, &format!("user-key/{account}/{user}"), false)),
        user_name: Some(user.into()),
        ..Identity::default()
    }
}

/// An assumed-role session identity with an explicit key and creation time.
pub fn assumed_role(seed: u64, account: &str, role: &str, session: &str, key: &str, created_ms: i64) -> Identity {
    let rid = role_id(seed, account, role);
    Identity {
        kind: "AssumedRole".into(),
        principal_id: Some(format!("{rid}:{session}")),
        arn: Some(world::session_arn(account, role, session)),
        account_id: Some(account.into()),
        access_key_id: Some(key.into()),
        session_context: Some(SessionContext {
            session_issuer: Issuer {
                kind: "Role",
                principal_id: rid,
                arn: world::role_arn(account, role),
                account_id: account.into(),
                user_name: role.into(),
            },
            attributes: Attributes {
                creation_date: ids::iso_s(created_ms),
                mfa_authenticated: "false",
            },
            created_ms,
        }),
        ..Identity::default()
    }
}

/// When an actor's daily temporary credentials are minted (00:01-00:05 UTC).
pub fn mint_time(seed: u64, def: &ActorDef, day_ms: i64) -> i64 {
    let label = format!("{}/{:?}/{}", def.account, def.who, day_ms);
    let h = ids::hash128(&[&seed.to_string(), "mint-time", &label]);
    day_ms + 60_000 + ((h % 240) as i64) * 1000
}

pub fn daily_key(seed: u64, def: &ActorDef, day_ms: i64) -> String {
    access_key(seed, &format!("daily/{}/{:?}/{}", def.account, def.who, day_ms), true)
}

/// The identity an actor presents on a given day.
pub fn identity_for(seed: u64, def: &ActorDef, day_ms: i64) -> Identity {
    match def.who {
        Who::IamUser(user) => iam_user(seed, def.account, user),
        Who::Role { role, session, .. } => {
            let key = daily_key(seed, def, day_ms);
            assumed_role(seed, def.account, role, session, &key, mint_time(seed, def, day_ms))
        }
        Who::Federated { name, broker } => {
            let broker_id = iam_user(seed, def.account, broker);
            let created = mint_time(seed, def, day_ms);
            Identity {
                kind: "FederatedUser".into(),
                principal_id: Some(format!("{}:{name}", def.account)),
                arn: Some(format!("arn:aws:sts::{}:federated-user/{name}", def.account)),
                account_id: Some(def.account.into()),
                access_key_id: Some(daily_key(seed, def, day_ms)),
                session_context: Some(SessionContext {
                    session_issuer: Issuer {
                        kind: "IAMUser",
                        principal_id: broker_id.principal_id.unwrap_or_default(),
                        arn: broker_id.arn.unwrap_or_default(),
                        account_id: def.account.into(),
                        user_name: broker.into(),
                    },
                    attributes: Attributes {
                        creation_date: ids::iso_s(created),
                        mfa_authenticated: "false",
                    },
                    created_ms: created,
                }),
                ..Identity::default()
            }
        }
        Who::Root => Identity {
            kind: "Root".into(),
            principal_id: Some(def.account.into()),
            arn: Some(format!("arn:aws:iam::{}:root", def.account)),
            account_id: Some(def.account.into()),
            access_key_id: Some(String::new()),
            ..Identity::default()
        },
        Who::Service(host) => Identity {
            kind: "AWSService".into(),
            invoked_by: Some(host.into()),
            ..Identity::default()
        },
        Who::External => Identity {
            kind: "AWSAccount".into(),
            principal_id: Some(principal_id(seed, "AIDA", "external/partner-sync")),
            account_id: Some(EXTERNAL.into()),
            ..Identity::default()
        },
        Who::IdCenter { user_id } => Identity {
            kind: "IdentityCenterUser".into(),
            account_id: Some(def.account.into()),
            on_behalf_of: Some(OnBehalfOf {
                user_id: user_id.into(),
                identity_store_arn: format!("arn:aws:identitystore::{}:identitystore/d-9067a1b2c3", def.account),
            }),
            credential_id: Some(label_id(seed, "idc-credential", "", UPPER_ALNUM, 26)),
            ..Identity::default()
        },
    }
}

/// The principal whose daily STS call mints this actor's key, if any.
pub fn minting_identity(seed: u64, def: &ActorDef) -> Option<(Identity, &'static str)> {
    let (account, mint) = match def.who {
        Who::Role { mint, .. } => (def.account, mint),
        Who::Federated { broker, .. } => (def.account, Mint::Federation(broker)),
        _ => return None,
    };
    Some(match mint {
        Mint::Saml => {
            let session = match def.who {
                Who::Role { session, .. } => session,
                _ => "unknown",
            };
            (
                Identity {
                    kind: "SAMLUser".into(),
                    principal_id: Some(format!("SSO:{session}")),
                    user_name: Some(session.into()),
                    identity_provider: Some(format!(
                        "arn:aws:iam::{account}:saml-provider/AWSSSO_9d8c7b6a5f4e3d2c_DO_NOT_DELETE"
                    )),
                    ..Identity::default()
                },
                "AssumeRoleWithSAML",
            )
        }
        Mint::User(user) => (iam_user(seed, account, user), "AssumeRole"),
        Mint::Service(host) => (
            Identity {
                kind: "AWSService".into(),
                invoked_by: Some(host.into()),
                ..Identity::default()
            },
            "AssumeRole",
        ),
        Mint::Federation(broker) => (iam_user(seed, account, broker), "GetFederationToken"),
    })
}
