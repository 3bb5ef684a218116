//! What an SQS message body announces: S3 event notifications sent to the
//! queue directly, the same wrapped in an SNS envelope (the CloudTrail → S3 →
//! SNS → SQS pattern), and CloudTrail's own SNS delivery notice.

use serde_json::Value;

/// One object a message says was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub bucket: String,
    /// Decoded key (event notifications URL-encode it).
    pub key: String,
    pub size: Option<u64>,
    pub etag: Option<String>,
}

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// New objects; the message is deleted once each is on disk.
    Created(Vec<Announced>),
    /// Nothing to fetch (S3 test event, SNS subscription notice, removals…):
    /// logged and deleted.
    Nothing(String),
    /// Not understood: logged and left in the queue for its redrive policy.
    Malformed(String),
}

/// Read a message body.
pub fn parse(body: &str) -> Notice {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Notice::Malformed("not JSON".into());
    };
    // SNS envelope (unless raw message delivery is on): the S3 event is a
    // JSON string in `Message`.
    if value.get("Type").and_then(Value::as_str).is_some() && value.get("TopicArn").is_some() {
        return match value.get("Type").and_then(Value::as_str) {
            Some("Notification") => match value.get("Message").and_then(Value::as_str) {
                Some(inner) => match serde_json::from_str::<Value>(inner) {
                    Ok(inner) => parse_event(&inner),
                    Err(_) => Notice::Malformed("SNS message is not JSON".into()),
                },
                None => Notice::Malformed("SNS notification without a Message".into()),
            },
            Some(other) => Notice::Nothing(format!("SNS {other}")),
            None => Notice::Malformed("SNS envelope without a Type".into()),
        };
    }
    parse_event(&value)
}

fn parse_event(value: &Value) -> Notice {
    if let Some(event) = value.get("Event").and_then(Value::as_str) {
        return Notice::Nothing(format!("S3 {event}"));
    }
    if let Some(records) = value.get("Records").and_then(Value::as_array) {
        return parse_records(records);
    }
    // CloudTrail's SNS notice names the delivered log files.
    if let (Some(bucket), Some(keys)) = (
        value.get("s3Bucket").and_then(Value::as_str),
        value.get("s3ObjectKey").and_then(Value::as_array),
    ) {
        let keys: Option<Vec<Announced>> = keys
            .iter()
            .map(|k| {
                k.as_str().map(|key| Announced {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                    size: None,
                    etag: None,
                })
            })
            .collect();
        return match keys {
            Some(keys) if !keys.is_empty() => Notice::Created(keys),
            _ => Notice::Malformed("CloudTrail notice without object keys".into()),
        };
    }
    Notice::Malformed("neither an S3 event nor a CloudTrail notice".into())
}

fn parse_records(records: &[Value]) -> Notice {
    let mut created = Vec::new();
    let mut other = Vec::new();
    for record in records {
        let name = record.get("eventName").and_then(Value::as_str).unwrap_or_default();
        let s3 = record.get("s3");
        let bucket = s3.and_then(|s| s.pointer("/bucket/name")).and_then(Value::as_str);
        let object = s3.and_then(|s| s.get("object"));
        let key = object.and_then(|o| o.get("key")).and_then(Value::as_str);
        let (Some(bucket), Some(key)) = (bucket, key) else {
            return Notice::Malformed("S3 event record without bucket or key".into());
        };
        if !name.starts_with("ObjectCreated:") {
            other.push(name.to_string());
            continue;
        }
        let Some(key) = decode_key(key) else {
            return Notice::Malformed("S3 event key is not valid URL encoding".into());
        };
        created.push(Announced {
            bucket: bucket.to_string(),
            key,
            size: object.and_then(|o| o.get("size")).and_then(Value::as_u64),
            etag: object
                .and_then(|o| o.get("eTag"))
                .and_then(Value::as_str)
                .map(|e| e.trim_matches('"').to_string()),
        });
    }
    if created.is_empty() {
        return Notice::Nothing(format!("S3 events {}", other.join(", ")));
    }
    Notice::Created(created)
}

/// S3 event keys are form-encoded: `+` is a space, the rest percent-escaped.
fn decode_key(key: &str) -> Option<String> {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|k| k.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRECT: &str = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
        "s3":{"bucket":{"name":"lake"},"object":{"key":"AWSLogs/111122223333/CloudTrail/x+y%3Az.json.gz","size":12,"eTag":"abc"}}}]}"#;

    fn created(key: &str, size: Option<u64>, etag: Option<&str>) -> Notice {
        Notice::Created(vec![Announced {
            bucket: "lake".into(),
            key: key.into(),
            size,
            etag: etag.map(str::to_string),
        }])
    }

    #[test]
    fn direct_s3_event_decodes_the_key() {
        assert_eq!(
            parse(DIRECT),
            created("AWSLogs/111122223333/CloudTrail/x y:z.json.gz", Some(12), Some("abc"))
        );
    }

    #[test]
    fn sns_envelope_is_unwrapped() {
        let body = serde_json::json!({
            "Type": "Notification",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
            "Message": DIRECT,
        })
        .to_string();
        assert_eq!(parse(&body), parse(DIRECT));
        let confirm = r#"{"Type":"SubscriptionConfirmation","TopicArn":"arn:x","Message":"hi"}"#;
        assert!(matches!(parse(confirm), Notice::Nothing(_)));
    }

    #[test]
    fn cloudtrail_notice_lists_keys() {
        let body = r#"{"s3Bucket":"lake","s3ObjectKey":["AWSLogs/1/CloudTrail/a.json.gz"]}"#;
        assert_eq!(parse(body), created("AWSLogs/1/CloudTrail/a.json.gz", None, None));
    }

    #[test]
    fn test_events_and_removals_need_nothing() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"lake"}"#;
        assert!(matches!(parse(test), Notice::Nothing(_)));
        let wrapped = serde_json::json!({"Type":"Notification","TopicArn":"arn:x","Message":test}).to_string();
        assert!(matches!(parse(&wrapped), Notice::Nothing(_)));
        let removed = DIRECT.replace("ObjectCreated:Put", "ObjectRemoved:Delete");
        assert!(matches!(parse(&removed), Notice::Nothing(_)));
    }

    #[test]
    fn garbage_is_malformed() {
        for body in [
            "not json",
            "{}",
            "[1,2]",
            r#"{"Records":[{"eventName":"ObjectCreated:Put"}]}"#,
            r#"{"Type":"Notification","TopicArn":"arn:x","Message":"{broken"}"#,
            r#"{"s3Bucket":"lake","s3ObjectKey":[]}"#,
            r#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%FF"}}}]}"#,
        ] {
            assert!(matches!(parse(body), Notice::Malformed(_)), "{body}");
        }
    }
}
