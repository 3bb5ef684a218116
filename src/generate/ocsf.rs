//! Shared parts of the raw CloudTrail -> OCSF mapping (`docs/formats.md#the-flat-event-shape`): event
//! classification, the `unmapped` map, and small structs used by both the
//! Security Lake 1.0 and 2.0 shapes.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::record::Record;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Authentication,
    AccountChange,
    Api,
}

pub fn kind(r: &Record) -> Kind {
    const AUTH: [&str; 7] = [
        "ConsoleLogin",
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "GetSessionToken",
        "GetFederationToken",
        "CheckMfa",
    ];
    if AUTH.contains(&r.event_name.as_str()) {
        return Kind::Authentication;
    }
    if r.event_source == "iam.amazonaws.com" {
        const VERBS: [&str; 5] = ["Create", "Delete", "Attach", "Detach", "Put"];
        const NOUNS: [&str; 5] = ["User", "Role", "Policy", "AccessKey", "LoginProfile"];
        for verb in VERBS {
            if let Some(rest) = r.event_name.strip_prefix(verb)
                && NOUNS.iter().any(|n| rest.starts_with(n))
            {
                return Kind::AccountChange;
            }
        }
    }
    Kind::Api
}

/// (activity_id, activity_name) of an API Activity event.
pub fn api_activity(r: &Record) -> (i32, &'static str) {
    let n = r.event_name.as_str();
    let starts = |ps: &[&str]| ps.iter().any(|p| n.starts_with(p));
    if r.read_only {
        (2, "Read")
    } else if starts(&["Create", "Run", "Allocate", "Import", "StartQuery"]) {
        (1, "Create")
    } else if starts(&["Delete", "Terminate", "Remove", "Revoke"]) {
        (4, "Delete")
    } else if starts(&[
        "Update",
        "Put",
        "Modify",
        "Attach",
        "Authorize",
        "Set",
        "Stop",
        "Start",
        "Execute",
        "Tag",
    ]) {
        (3, "Update")
    } else {
        (99, "Other")
    }
}

/// Account Change activity; `v2` adds Attach/Detach Policy (OCSF 1.1.0).
pub fn account_activity(r: &Record, v2: bool) -> (i32, &'static str) {
    let n = r.event_name.as_str();
    if n.starts_with("Create") {
        (1, "Create")
    } else if n.starts_with("Delete") {
        (6, "Delete")
    } else if v2 && (n.starts_with("Attach") || n.starts_with("Put")) {
        (7, "Attach Policy")
    } else if v2 && n.starts_with("Detach") {
        (8, "Detach Policy")
    } else {
        (99, "Other")
    }
}

pub struct ClassInfo {
    pub class_uid: i32,
    pub class_name: &'static str,
    pub category_uid: i32,
    pub category_name: &'static str,
    pub activity_id: i32,
    pub activity_name: &'static str,
}

impl ClassInfo {
    pub fn type_uid(&self) -> i64 {
        i64::from(self.class_uid) * 100 + i64::from(self.activity_id)
    }
    pub fn type_name(&self) -> String {
        format!("{}: {}", self.class_name, self.activity_name)
    }
}

pub fn class_info(r: &Record, v2: bool) -> ClassInfo {
    let (cat_uid, cat_name_iam) = if v2 {
        (3, "Identity & Access Management")
    } else {
        (3, "Audit Activity")
    };
    match kind(r) {
        Kind::Authentication => ClassInfo {
            class_uid: 3002,
            class_name: "Authentication",
            category_uid: cat_uid,
            category_name: cat_name_iam,
            activity_id: 1,
            activity_name: "Logon",
        },
        Kind::AccountChange => {
            let (id, name) = account_activity(r, v2);
            ClassInfo {
                class_uid: 3001,
                class_name: "Account Change",
                category_uid: cat_uid,
                category_name: cat_name_iam,
                activity_id: id,
                activity_name: name,
            }
        }
        Kind::Api => {
            let (id, name) = api_activity(r);
            ClassInfo {
                class_uid: if v2 { 6003 } else { 3005 },
                class_name: "API Activity",
                category_uid: if v2 { 6 } else { 3 },
                category_name: if v2 { "Application Activity" } else { "Audit Activity" },
                activity_id: id,
                activity_name: name,
            }
        }
    }
}

/// True when `sourceIPAddress` is an address rather than a service host name.
pub fn is_ip(s: &str) -> bool {
    !s.is_empty()
        && (s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || (s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')))
}

/// `MAP(VARCHAR, VARCHAR)` as a JSON object, in insertion order.
pub struct Unmapped<'a>(pub Vec<(&'static str, Cow<'a, str>)>);

impl Serialize for Unmapped<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

pub fn json_text(v: &Value) -> Option<String> {
    if v.is_null() { None } else { Some(v.to_string()) }
}

/// The `unmapped` entries common to both versions (exact keys, as lakescope reads them: `docs/formats.md`).
pub fn unmapped(r: &Record, with_payloads: bool) -> Unmapped<'_> {
    let mut m: Vec<(&'static str, Cow<'_, str>)> = Vec::with_capacity(8);
    m.push(("recipientAccountId", Cow::Borrowed(r.recipient_account_id.as_str())));
    m.push(("eventType", Cow::Borrowed(r.event_type)));
    if let Some(s) = &r.shared_event_id {
        m.push(("sharedEventID", Cow::Borrowed(s.as_str())));
    }
    m.push(("readOnly", Cow::Borrowed(if r.read_only { "true" } else { "false" })));
    if let Some(obo) = &r.user_identity.on_behalf_of {
        m.push(("userIdentity.onBehalfOf.userId", Cow::Borrowed(obo.user_id.as_str())));
        m.push((
            "userIdentity.onBehalfOf.identityStoreArn",
            Cow::Borrowed(obo.identity_store_arn.as_str()),
        ));
    }
    if let Some(c) = &r.user_identity.credential_id {
        m.push(("userIdentity.credentialId", Cow::Borrowed(c.as_str())));
    }
    if let Some(extra) = &r.additional_event_data {
        m.push(("additionalEventData", Cow::Owned(extra.to_string())));
    }
    if with_payloads {
        if let Some(t) = json_text(&r.request_parameters) {
            m.push(("requestParameters", Cow::Owned(t)));
        }
        if let Some(t) = json_text(&r.response_elements) {
            m.push(("responseElements", Cow::Owned(t)));
        }
    }
    Unmapped(m)
}

/// Target user of Authentication / Account Change rows: (arn, id, name).
pub fn target_user(r: &Record) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let req = &r.request_parameters;
    let resp = &r.response_elements;
    let s = |v: &Value| v.as_str().map(str::to_string);
    match kind(r) {
        Kind::Api => None,
        Kind::Authentication => {
            if r.event_name == "ConsoleLogin" {
                let id = &r.user_identity;
                Some((id.arn.clone(), id.principal_id.clone(), id.user_name.clone()))
            } else if r.event_name == "GetFederationToken" {
                Some((
                    s(&resp["federatedUser"]["arn"]),
                    s(&resp["federatedUser"]["federatedUserId"]),
                    s(&req["name"]),
                ))
            } else {
                Some((s(&req["roleArn"]), None, s(&req["roleSessionName"])))
            }
        }
        Kind::AccountChange => {
            let name = s(&req["userName"])
                .or_else(|| s(&req["roleName"]))
                .or_else(|| s(&req["policyName"]));
            let arn = s(&resp["user"]["arn"]).or_else(|| s(&resp["role"]["arn"]));
            let id = s(&resp["user"]["userId"]).or_else(|| s(&resp["role"]["roleId"]));
            Some((arn, id, name))
        }
    }
}

/// `mfa` / `is_mfa` of Authentication rows (ConsoleLogin's MFAUsed).
pub fn login_mfa(r: &Record) -> Option<bool> {
    if kind(r) != Kind::Authentication {
        return None;
    }
    r.additional_event_data
        .as_ref()
        .and_then(|e| e.get("MFAUsed"))
        .and_then(Value::as_str)
        .map(|v| v == "Yes")
}

pub fn login_to(r: &Record) -> Option<&str> {
    r.additional_event_data
        .as_ref()
        .and_then(|e| e.get("LoginTo"))
        .and_then(Value::as_str)
}
