//! The story's record builder: calls, denials and role assumptions made by
//! the intruder on the story day, shared by both phases of the story.

use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::background::new_record;
use super::daily::sts_credentials;
use super::ids::{Draw, HOUR_MS};
use super::record::{self, Identity, Record, Resource};
use super::world::{self, BUCKET, IDENTITY, NEW_IP};

/// One step of the intrusion as a responder would name it.
pub struct Step {
    pub name: &'static str,
    pub tactic: &'static str,
    pub technique: &'static str,
    pub event_ids: Vec<String>,
}

impl Step {
    pub fn new(name: &'static str, tactic: &'static str, technique: &'static str, event_ids: Vec<String>) -> Step {
        Step {
            name,
            tactic,
            technique,
            event_ids,
        }
    }
}

pub(super) struct Builder {
    pub seed: u64,
    pub rng: ChaCha8Rng,
    pub day_ms: i64,
    pub out: Vec<Record>,
}

impl Builder {
    /// Epoch ms of hh:mm:ss on the story day.
    pub fn t(&self, h: i64, m: i64, s: i64) -> i64 {
        self.day_ms + h * HOUR_MS + m * 60_000 + s * 1000
    }

    /// A call from the intruder's address in us-east-1 with the Kali user agent.
    pub fn call(&mut self, who: &Identity, recipient: &str, t: i64, src: &str, name: &str, req: Value) -> &mut Record {
        let mut r = new_record(who.clone(), t, src, name, "us-east-1", recipient);
        r.source_ip = NEW_IP.into();
        r.user_agent = world::KALI_UA.into();
        r.request_parameters = req;
        r.read_only = ["List", "Get", "Describe", "Assume"]
            .iter()
            .any(|p| name.starts_with(p));
        r.request_id = if src == "s3.amazonaws.com" {
            self.rng.chars(b"ABCDEF0123456789", 16)
        } else {
            self.rng.uuid()
        };
        r.event_id = self.rng.uuid();
        self.out.push(r);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// The event ids of the last `n` records written.
    pub fn last_ids(&self, n: usize) -> Vec<String> {
        self.out[self.out.len().saturating_sub(n)..]
            .iter()
            .map(|r| r.event_id.clone())
            .collect()
    }

    pub fn deny(&mut self, who: &Identity, t: i64, src: &str, name: &str, req: Value) -> &mut Record {
        let arn = who.arn.clone().unwrap_or_default();
        let action = format!("{}:{name}", src.trim_end_matches(".amazonaws.com"));
        let r = self.call(who, IDENTITY, t, src, name, req);
        r.error_code = Some("AccessDenied".into());
        r.error_message = Some(if src == "s3.amazonaws.com" {
            "Access Denied".into()
        } else {
            format!(
                "User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
            )
        });
        r
    }

    /// A successful cross-account AssumeRole, delivered to both accounts
    /// (different eventIDs, one sharedEventID).
    pub fn assume(&mut self, caller: (&Identity, &str), t: i64, role: (&str, &str), session: &str, key: &str) {
        let ((who, caller_acct), (role_acct, role_name)) = (caller, role);
        let role_arn = world::role_arn(role_acct, role_name);
        let req = json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600});
        let resp = json!({
            "credentials": sts_credentials(key, t, &mut self.rng),
            "assumedRoleUser": {
                "assumedRoleId": format!("{}:{session}", record::role_id(self.seed, role_acct, role_name)),
                "arn": world::session_arn(role_acct, role_name, session),
            },
        });
        let shared = self.rng.uuid();
        let request_id = self.rng.uuid();
        for recipient in [caller_acct, role_acct] {
            let r = self.call(who, recipient, t, "sts.amazonaws.com", "AssumeRole", req.clone());
            r.response_elements = resp.clone();
            r.request_id = request_id.clone();
            r.shared_event_id = Some(shared.clone());
            r.resources = Some(vec![Resource::new(Some(role_acct), "AWS::IAM::Role", role_arn.clone())]);
        }
    }
}

/// The bucket policy the intruder makes public.
pub fn public_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{BUCKET}/*")}]})
}
