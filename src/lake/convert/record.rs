//! One raw CloudTrail record to one flat row, with the semantics of
//! [`raw_select`](crate::lake::projection::raw_select).
//!
//! A record is read in one pass: the fields the projection needs are kept
//! as borrowed JSON text ([`RawValue`]), the first occurrence of a key
//! winning as in `json_extract`; everything else is skipped unparsed.
//! The small nested objects (`userIdentity`, `resources`) are read again
//! from their text.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::batch::FlatBatch;
use super::json_text::{self, BadEscape};
use super::time::{cast_timestamp_ms, compact_timestamp_ms};

const RECORD_KEYS: &[&str] = &[
    "eventID",
    "eventTime",
    "@timestamp",
    "recipientAccountId",
    "awsRegion",
    "userIdentity",
    "sourceIPAddress",
    "userAgent",
    "eventSource",
    "eventName",
    "errorCode",
    "errorMessage",
    "eventType",
    "resources",
    "requestParameters",
    "responseElements",
    "additionalEventData",
];
const EVENT_ID: usize = 0;
const EVENT_TIME: usize = 1;
const TIMESTAMP: usize = 2;
const RECIPIENT: usize = 3;
const REGION: usize = 4;
const IDENTITY: usize = 5;
const SOURCE_IP: usize = 6;
const USER_AGENT: usize = 7;
const EVENT_SOURCE: usize = 8;
const EVENT_NAME: usize = 9;
const ERROR_CODE: usize = 10;
const ERROR_MESSAGE: usize = 11;
const EVENT_TYPE: usize = 12;
const RESOURCES: usize = 13;
const REQUEST: usize = 14;
const RESPONSE: usize = 15;
const ADDITIONAL: usize = 16;

const IDENTITY_KEYS: &[&str] = &[
    "type",
    "arn",
    "userName",
    "principalId",
    "accountId",
    "onBehalfOf",
    "accessKeyId",
    "sessionContext",
    "invokedBy",
];
const SESSION_KEYS: &[&str] = &["sessionIssuer", "attributes"];
const ATTRIBUTE_KEYS: &[&str] = &["mfaAuthenticated", "creationDate"];
const MFA_USED_KEY: &[&str] = &["MFAUsed"];
const ARN_KEY: &[&str] = &["arn"];
const USER_ID_KEY: &[&str] = &["userId"];
const RESOURCE_KEYS: &[&str] = &["ARN", "type"];

/// Up to 17 wanted keys of one object, as their JSON text.
type Slots<'a> = [Option<&'a RawValue>; SLOTS];
const SLOTS: usize = 17;

/// Reads an object keeping the first value of each wanted key; any other
/// JSON value reads as an object with none of them (as a path into a
/// scalar finds nothing).
struct SlotsSeed {
    keys: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for SlotsSeed {
    type Value = Slots<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SlotsSeed {
    type Value = Slots<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots: Slots<'de> = [None; SLOTS];
        while let Some(found) = map.next_key_seed(KeySeed { keys: self.keys })? {
            match found {
                Some(i) if slots[i].is_none() => slots[i] = Some(map.next_value::<&'de RawValue>()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(slots)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok([None; SLOTS])
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok([None; SLOTS])
    }
}

/// A key: its index among the wanted ones, if any (no allocation).
struct KeySeed {
    keys: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.keys.iter().position(|k| *k == key))
    }
}

/// The wanted keys of an object given as JSON text.
fn slots_of<'a>(raw: Option<&'a RawValue>, keys: &'static [&'static str]) -> serde_json::Result<Slots<'a>> {
    match raw {
        None => Ok([None; SLOTS]),
        Some(raw) => {
            let mut de = serde_json::Deserializer::from_str(raw.get());
            SlotsSeed { keys }.deserialize(&mut de)
        }
    }
}

/// Where a record's rows come from (constant for a file).
pub struct Origin<'a> {
    /// The path's account and region when the file is in a partition.
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub label: &'a str,
    pub source_file: &'a str,
}

/// Why a record could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Escape(#[from] BadEscape),
}

fn text(raw: Option<&RawValue>) -> Result<Option<Cow<'_, str>>, BadEscape> {
    match raw {
        None => Ok(None),
        Some(raw) => json_text::extract_string(raw.get()),
    }
}

/// `regexp_full_match(ip, '[0-9.]+|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*')`.
fn looks_like_ip(s: &str) -> bool {
    let dotted = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let v6 = s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') && {
        // The first ':' ends the hex-digit run; after it, ':' and '.' too.
        let head = s.split(':').next().unwrap_or("");
        !head.contains('.')
    };
    dotted || v6
}

/// `json_extract_string(r, '$.resources[*].ARN')` and `…type`: one entry
/// per element that is an object with the key (a JSON null gives a NULL
/// entry), so the two lists need not be as long as each other.
fn resource_lists(raw: Option<&RawValue>, batch: &mut FlatBatch) -> Result<(), RecordError> {
    if let Some(raw) = raw
        && raw.get().trim_ascii_start().starts_with('[')
    {
        let elements: Vec<&RawValue> = serde_json::from_str(raw.get())?;
        for element in elements {
            let slots = slots_of(Some(element), RESOURCE_KEYS)?;
            for (value, list) in [
                (slots[0], &mut batch.resource_uids),
                (slots[1], &mut batch.resource_types),
            ] {
                if let Some(value) = value {
                    list.values().append_option(json_text::extract_string(value.get())?);
                }
            }
        }
    }
    batch.resource_uids.append(true);
    batch.resource_types.append(true);
    Ok(())
}

/// Append one record (the wanted fields of its object) to `batch`, unless
/// it is a CloudTrail Insight (those are not API events).
pub fn push_record(slots: &Slots<'_>, origin: &Origin<'_>, batch: &mut FlatBatch) -> Result<(), RecordError> {
    let event_type = text(slots[EVENT_TYPE])?;
    if event_type.as_deref() == Some("AwsCloudTrailInsight") {
        return Ok(());
    }
    let identity = slots_of(slots[IDENTITY], IDENTITY_KEYS)?;
    let session = slots_of(identity[7], SESSION_KEYS)?;
    let issuer = slots_of(session[0], ARN_KEY)?;
    let attributes = slots_of(session[1], ATTRIBUTE_KEYS)?;
    let on_behalf = slots_of(identity[5], USER_ID_KEY)?;
    let login = slots_of(slots[ADDITIONAL], MFA_USED_KEY)?;

    batch.event_uid.append_option(text(slots[EVENT_ID])?);
    let time = text(slots[EVENT_TIME])?.and_then(|t| cast_timestamp_ms(&t));
    let time = match time {
        Some(ms) => Some(ms),
        None => text(slots[TIMESTAMP])?.and_then(|t| cast_timestamp_ms(&t)),
    };
    batch.time_ms.append_option(time);
    let recipient = text(slots[RECIPIENT])?;
    match origin.account {
        Some(account) => batch.account.append_value(account),
        None => batch.account.append_option(recipient.as_deref()),
    }
    batch.recipient_account.append_option(recipient);
    match origin.region {
        Some(region) => batch.region.append_value(region),
        None => batch.region.append_option(text(slots[REGION])?),
    }
    batch.actor_type.append_option(text(identity[0])?);
    batch.actor_arn.append_option(text(identity[1])?);
    batch.actor_name.append_option(text(identity[2])?);
    batch.actor_principal_id.append_option(text(identity[3])?);
    batch.actor_account.append_option(text(identity[4])?);
    batch.on_behalf_of.append_option(text(on_behalf[0])?);
    batch
        .access_key_id
        .append_option(text(identity[6])?.filter(|k| !k.is_empty()));
    batch.session_issuer.append_option(text(issuer[0])?);
    // The session's MFA flag, or a sign-in's `MFAUsed`: either saying yes is yes.
    let (session_mfa, mfa_used) = (text(attributes[0])?, text(login[0])?);
    batch
        .session_mfa
        .append_option(match (session_mfa.as_deref(), mfa_used.as_deref()) {
            (Some("true"), _) | (_, Some("Yes")) => Some(true),
            (Some(_), _) | (_, Some(_)) => Some(false),
            (None, None) => None,
        });
    let created = text(attributes[1])?.and_then(|c| cast_timestamp_ms(&c).or_else(|| compact_timestamp_ms(&c)));
    batch.session_created_ms.append_option(created);
    batch.invoked_by.append_option(text(identity[8])?);
    match text(slots[SOURCE_IP])? {
        None => {
            batch.src_ip.append_null();
            batch.src_domain.append_null();
        }
        Some(ip) if looks_like_ip(&ip) => {
            batch.src_ip.append_value(ip);
            batch.src_domain.append_null();
        }
        Some(domain) => {
            batch.src_ip.append_null();
            batch.src_domain.append_value(domain);
        }
    }
    batch.user_agent.append_option(text(slots[USER_AGENT])?);
    batch.service.append_option(text(slots[EVENT_SOURCE])?);
    batch.operation.append_option(text(slots[EVENT_NAME])?);
    batch.error_code.append_option(text(slots[ERROR_CODE])?);
    batch.error_message.append_option(text(slots[ERROR_MESSAGE])?);
    resource_lists(slots[RESOURCES], batch)?;
    let scratch = &mut batch.scratch;
    for (slot, column) in [(REQUEST, &mut batch.request_json), (RESPONSE, &mut batch.response_json)] {
        match slots[slot] {
            None => column.append_null(),
            Some(raw) => {
                scratch.clear();
                if json_text::printed(raw.get(), scratch)? {
                    column.append_value(&*scratch);
                } else {
                    column.append_null();
                }
            }
        }
    }
    batch.event_type.append_option(event_type);
    batch.source_kind.append_value(origin.label);
    batch.source_file.append_value(origin.source_file);
    Ok(())
}

/// Reads `Records` of one document, pushing each record as it is read.
pub struct RecordsSeed<'o, 'b, 'c> {
    pub origin: &'o Origin<'o>,
    pub batch: &'b mut FlatBatch,
    /// Checked every few thousand records: stop promptly when set.
    pub cancelled: &'c dyn Fn() -> bool,
}

/// The message a cancelled parse ends with (told apart from bad JSON).
pub const CANCELLED: &str = "lakescope: conversion cancelled";

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n: u32 = 0;
        while let Some(slots) = seq.next_element_seed(SlotsSeed { keys: RECORD_KEYS })? {
            push_record(&slots, self.origin, self.batch).map_err(de::Error::custom)?;
            n = n.wrapping_add(1);
            if n.is_multiple_of(4096) && (self.cancelled)() {
                return Err(de::Error::custom(CANCELLED));
            }
        }
        Ok(())
    }
}

/// Reads one top-level document: an object with `Records`, or a list of
/// such objects.
pub struct DocumentSeed<'o, 'b, 'c> {
    pub records: RecordsSeed<'o, 'b, 'c>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with Records")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut records = Some(self.records);
        while let Some(key) = map.next_key_seed(KeySeed { keys: &["Records"] })? {
            match (key, records.take()) {
                (Some(_), Some(seed)) => map.next_value_seed(seed)?,
                (_, left) => {
                    records = left;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let RecordsSeed {
            origin,
            batch,
            cancelled,
        } = self.records;
        while seq
            .next_element_seed(DocumentSeed {
                records: RecordsSeed {
                    origin,
                    batch: &mut *batch,
                    cancelled,
                },
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_or_domain_as_the_regex_decides() {
        for ip in ["1.2.3.4", "1.2.3.4.5", "::1", "fe80::1", "::ffff:1.2.3.4", "a:b", ":"] {
            assert!(looks_like_ip(ip), "{ip}");
        }
        for domain in ["", "ec2.amazonaws.com", "AWS Internal", "fe80::1%eth0", "1.2:3", "g::1"] {
            assert!(!looks_like_ip(domain), "{domain}");
        }
    }
}
