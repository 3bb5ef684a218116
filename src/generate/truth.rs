//! Ground truth, counted from the records as they are emitted (never by
//! querying the output), and rendered as TRUTH.json.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::ids::{self, HOUR_MS};
use super::record::Record;
use super::story::{BUCKET_CONFIG_DELAY_MS, SG_CONFIG_DELAY_MS, Story};
use super::world::{self, BUCKET, CROSS_ROLE, DATA, DATA_ROLE, IDENTITY, NEW_IP, PROD, SG_ID};

#[derive(Default, Clone, Copy)]
pub struct Span {
    pub events: u64,
    pub errors: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Span {
    pub fn add(&mut self, t: i64, error: bool) {
        self.events += 1;
        self.errors += u64::from(error);
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }
    pub fn merge(&mut self, o: &Span) {
        self.events += o.events;
        self.errors += o.errors;
        self.first = [self.first, o.first].into_iter().flatten().min();
        self.last = [self.last, o.last].into_iter().flatten().max();
    }
    fn first_s(&self) -> Value {
        self.first.map_or(Value::Null, |t| Value::String(ids::iso_s(t)))
    }
    fn last_s(&self) -> Value {
        self.last.map_or(Value::Null, |t| Value::String(ids::iso_s(t)))
    }
}

#[derive(Default)]
pub struct CtTruth {
    pub events: u64,
    pub errors: u64,
    pub by_account: BTreeMap<String, u64>,
    /// Keyed by hours since the epoch.
    pub by_hour: BTreeMap<i64, u64>,
    pub errors_by_hour: BTreeMap<i64, u64>,
    pub actors: BTreeSet<String>,
    intruder_arn: String,
    dossier: Span,
    dossier_accounts: BTreeSet<String>,
    dossier_keys: BTreeMap<String, Span>,
    dossier_ips: BTreeMap<String, Span>,
    dossier_ops: BTreeMap<(String, String), Span>,
    watched_keys: BTreeMap<String, Span>,
}

impl CtTruth {
    pub fn new(watched_keys: &[&str]) -> CtTruth {
        CtTruth {
            intruder_arn: world::intruder_arn(),
            watched_keys: watched_keys.iter().map(|k| (k.to_string(), Span::default())).collect(),
            ..CtTruth::default()
        }
    }

    pub fn add(&mut self, r: &Record) {
        let err = r.is_error();
        self.events += 1;
        self.errors += u64::from(err);
        // Integer keys on the hot path; rendered as text only once.
        let hour = r.time_ms.div_euclid(HOUR_MS);
        if err {
            *self.errors_by_hour.entry(hour).or_default() += 1;
        }
        *self.by_hour.entry(hour).or_default() += 1;
        match self.by_account.get_mut(r.recipient_account_id.as_str()) {
            Some(n) => *n += 1,
            None => {
                self.by_account.insert(r.recipient_account_id.clone(), 1);
            }
        }
        let id = &r.user_identity;
        match &id.arn {
            Some(arn) if self.actors.contains(arn.as_str()) => {}
            _ => {
                self.actors.insert(id.actor_key());
            }
        }
        if id.arn.as_deref() == Some(self.intruder_arn.as_str()) {
            self.dossier.add(r.time_ms, err);
            self.dossier_accounts.insert(r.recipient_account_id.clone());
            if let Some(k) = id.key() {
                self.dossier_keys.entry(k.to_string()).or_default().add(r.time_ms, err);
            }
            self.dossier_ips
                .entry(r.source_ip.clone())
                .or_default()
                .add(r.time_ms, err);
            self.dossier_ops
                .entry((r.event_source.clone(), r.event_name.clone()))
                .or_default()
                .add(r.time_ms, err);
        }
        if let Some(k) = id.key()
            && let Some(span) = self.watched_keys.get_mut(k)
        {
            span.add(r.time_ms, err);
        }
    }

    /// Adds another worker's counts (all operations commute).
    pub fn merge(&mut self, o: CtTruth) {
        fn sum<K: Ord>(a: &mut BTreeMap<K, u64>, b: BTreeMap<K, u64>) {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
        }
        fn spans<K: Ord>(a: &mut BTreeMap<K, Span>, b: BTreeMap<K, Span>) {
            for (k, v) in b {
                a.entry(k).or_default().merge(&v);
            }
        }
        self.events += o.events;
        self.errors += o.errors;
        sum(&mut self.by_account, o.by_account);
        sum(&mut self.by_hour, o.by_hour);
        sum(&mut self.errors_by_hour, o.errors_by_hour);
        self.actors.extend(o.actors);
        self.dossier.merge(&o.dossier);
        self.dossier_accounts.extend(o.dossier_accounts);
        spans(&mut self.dossier_keys, o.dossier_keys);
        spans(&mut self.dossier_ips, o.dossier_ips);
        spans(&mut self.dossier_ops, o.dossier_ops);
        spans(&mut self.watched_keys, o.watched_keys);
    }

    pub fn cloudtrail_json(&self) -> Value {
        let hours = |m: &BTreeMap<i64, u64>| -> BTreeMap<String, u64> {
            m.iter().map(|(h, n)| (ids::iso_s(h * HOUR_MS), *n)).collect()
        };
        let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
        for (h, n) in &self.by_hour {
            *by_day.entry(ids::day_iso(h * HOUR_MS)).or_default() += n;
        }
        json!({
            "events": self.events,
            "errors": self.errors,
            "events_by_day": by_day,
            "events_by_account": self.by_account,
            "events_by_hour": hours(&self.by_hour),
            "errors_by_hour": hours(&self.errors_by_hour),
            "actors": self.actors.len(),
        })
    }

    fn dossier_json(&self) -> Value {
        json!({
            "events": self.dossier.events,
            "errors": self.dossier.errors,
            "first_seen": self.dossier.first_s(),
            "last_seen": self.dossier.last_s(),
            "accounts": self.dossier_accounts,
            "access_keys": self.dossier_keys.iter().map(|(k, s)| json!({
                "id": k, "events": s.events, "first_seen": s.first_s(), "last_seen": s.last_s(),
            })).collect::<Vec<_>>(),
            "source_ips": self.dossier_ips.iter().map(|(ip, s)| json!({
                "ip": ip, "events": s.events, "first_seen": s.first_s(), "last_seen": s.last_s(),
            })).collect::<Vec<_>>(),
            "operations": self.dossier_ops.iter().map(|((svc, op), s)| json!({
                "service": svc, "operation": op, "events": s.events, "errors": s.errors,
            })).collect::<Vec<_>>(),
        })
    }

    fn key_span(&self, key: &str) -> Span {
        self.watched_keys.get(key).copied().unwrap_or_default()
    }
}

/// Per-key counts of EKS audit events (by `actor.session.credential_uid`).
pub type EksKeyCounts = BTreeMap<String, Span>;

#[derive(Default, Clone, Copy)]
pub struct ConfigCounts {
    pub items: u64,
    pub relationships: u64,
    pub resources: u64,
}

pub struct TruthInput<'a> {
    pub seed: u64,
    pub events: u64,
    pub days: u32,
    pub first_day_ms: i64,
    pub ct: &'a CtTruth,
    pub story: &'a Story,
    pub eks: &'a EksKeyCounts,
    pub config: ConfigCounts,
    /// TRUTH.json `network`, rendered by `net_truth` (last, so the keys
    /// before it keep their bytes).
    pub network: Value,
}

#[allow(clippy::too_many_arguments)]
fn chain_entry(
    t: &TruthInput,
    depth: u32,
    parent: &str,
    acct: &str,
    role: &str,
    session: &str,
    key: &str,
    at: i64,
) -> Value {
    let ct = t.ct.key_span(key);
    let eks = t.eks.get(key).copied().unwrap_or_default();
    let first = [ct.first, eks.first].into_iter().flatten().min();
    let last = [ct.last, eks.last].into_iter().flatten().max();
    json!({
        "depth": depth,
        "parent_key": parent,
        "role_arn": world::role_arn(acct, role),
        "session_arn": world::session_arn(acct, role, session),
        "session_name": session,
        "account": acct,
        "access_key": key,
        "assume_role_time": ids::iso_s(at),
        "cloudtrail_events": ct.events,
        "eks_events": eks.events,
        "first_seen": first.map(ids::iso_s),
        "last_seen": last.map(ids::iso_s),
    })
}

pub fn render(t: &TruthInput) -> Value {
    let s = t.story;
    let last_day = t.first_day_ms + i64::from(t.days.saturating_sub(1)) * ids::DAY_MS;
    let mut regions: Vec<&str> = world::REGIONS.to_vec();
    regions.sort_unstable();
    let mut accounts: Vec<&str> = world::ACCOUNTS.to_vec();
    accounts.sort_unstable();
    let k2_actor = world::session_arn(DATA, DATA_ROLE, "maintenance");
    let change = |op: &str, id: &(String, i64), delay: i64, extra: Value| {
        let mut v = extra;
        if let Value::Object(m) = &mut v {
            m.insert("account".into(), json!(DATA));
            m.insert("region".into(), json!("us-east-1"));
            m.insert("event_id".into(), json!(id.0));
            m.insert("event_time".into(), json!(ids::iso_s(id.1)));
            m.insert("operation".into(), json!(op));
            m.insert("actor_arn".into(), json!(k2_actor));
            m.insert("access_key".into(), json!(s.k2));
            m.insert("config_capture_time".into(), json!(ids::iso_s(id.1 + delay)));
        }
        v
    };
    json!({
        "generator": {
            "seed": t.seed,
            "events": t.events,
            "days": t.days,
            "first_day": ids::day_iso(t.first_day_ms),
            "last_day": ids::day_iso(last_day),
        },
        "accounts": accounts,
        "regions": regions,
        "cloudtrail": t.ct.cloudtrail_json(),
        "intrusion": {
            "leaked_key": s.leaked_key,
            "intruder_arn": world::intruder_arn(),
            "intruder_account": IDENTITY,
            "known_ips": [world::CI_IP],
            "new_ip": NEW_IP,
            "new_ip_first_seen": ids::iso_s(s.records.first().map_or(s.day_ms, |r| r.time_ms)),
            "dossier": t.ct.dossier_json(),
            "role_chain": [
                chain_entry(t, 1, &s.leaked_key, PROD, CROSS_ROLE, world::CI_USER, &s.k1, s.k1_time),
                chain_entry(t, 2, &s.k1, DATA, DATA_ROLE, "maintenance", &s.k2, s.k2_time),
            ],
            "accounts_reached": [PROD, IDENTITY, DATA],
            "access_denied_burst": {
                "start": ids::iso_s(s.burst.0),
                "end": ids::iso_s(s.burst.1),
                "events": s.burst.2,
            },
            "recon_operations": s.recon_ops,
            "console_login": {
                "actor_arn": world::user_arn(DATA, world::BACKDOOR_USER),
                "ip": NEW_IP,
                "time": ids::iso_s(s.console_time),
                "event_id": s.console_id,
            },
            "minted_user_key": s.minted_user_key,
            "security_group_change": change("AuthorizeSecurityGroupIngress", &s.sg_event, SG_CONFIG_DELAY_MS, json!({"group_id": SG_ID})),
            "bucket_policy_change": change("PutBucketPolicy", &s.bucket_event, BUCKET_CONFIG_DELAY_MS, json!({"bucket": BUCKET, "arn": format!("arn:aws:s3:::{BUCKET}")})),
            // Last, so that the keys before it keep their bytes.
            "steps": s.steps.iter().map(|step| json!({
                "name": step.name,
                "tactic": step.tactic,
                "technique": step.technique,
                "event_ids": step.event_ids,
            })).collect::<Vec<_>>(),
        },
        "config": {
            "items": t.config.items,
            "relationships": t.config.relationships,
            "resources": t.config.resources,
        },
        "network": t.network,
    })
}
