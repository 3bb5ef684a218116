//! Ground truth of the network sources (TRUTH.json `network`), counted from
//! the rows as the writers emit them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::ids;
use super::world::{self, C2_NAME, ENI_ID, EXFIL_IP, EXFIL_PORT, INSTANCE_ID, INSTANCE_IP, SCANNER_IP, VPC_ID};

/// Row counts, by `SOURCE/VERSION` (Security Lake) or raw delivery kind.
pub const ROW_KEYS: [&str; 9] = [
    "VPC_FLOW/1.0",
    "VPC_FLOW/2.0",
    "ROUTE53/1.0",
    "ROUTE53/2.0",
    "WAF/2.0",
    "SH_FINDINGS/1.0",
    "SH_FINDINGS/2.0",
    "raw_vpcflowlogs",
    "raw_resolver",
];

/// Both directions of the instance's conversation with EXFIL_IP:443.
#[derive(Default)]
pub struct Exfil {
    pub bytes_out: i64,
    pub packets_out: i64,
    pub bytes_in: i64,
    pub packets_in: i64,
    pub flows: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

pub struct NetTruth {
    rows: BTreeMap<&'static str, u64>,
    pub guardduty: Value,
    pub recon: Value,
    pub exfil: Exfil,
    pub scanner_probes: u64,
    pub scanner_ports: BTreeSet<i32>,
    pub c2_first: Option<i64>,
    pub c2_answers: BTreeSet<String>,
    pub waf_requests: u64,
    pub waf_blocked: u64,
    pub waf_allowed: u64,
    pub waf_uris: BTreeSet<String>,
}

impl NetTruth {
    pub fn new() -> NetTruth {
        NetTruth {
            rows: ROW_KEYS.iter().map(|k| (*k, 0)).collect(),
            guardduty: Value::Null,
            recon: Value::Null,
            exfil: Exfil::default(),
            scanner_probes: 0,
            scanner_ports: BTreeSet::new(),
            c2_first: None,
            c2_answers: BTreeSet::new(),
            waf_requests: 0,
            waf_blocked: 0,
            waf_allowed: 0,
            waf_uris: BTreeSet::new(),
        }
    }

    /// Adds `n` rows to `key` (one of `ROW_KEYS`).
    pub fn count(&mut self, key: &'static str, n: usize) {
        *self.rows.entry(key).or_default() += n as u64;
    }

    /// One flow record, if it is part of the exfiltration conversation.
    pub fn flow(&mut self, src: (&str, i32), dst: (&str, i32), t: i64, end: i64, packets: i64, bytes: i64) {
        let out = src.0 == INSTANCE_IP && dst == (EXFIL_IP, EXFIL_PORT);
        let back = src == (EXFIL_IP, EXFIL_PORT) && dst.0 == INSTANCE_IP;
        if !(out || back) {
            return;
        }
        let e = &mut self.exfil;
        if out {
            e.bytes_out += bytes;
            e.packets_out += packets;
        } else {
            e.bytes_in += bytes;
            e.packets_in += packets;
        }
        e.flows += 1;
        e.first = Some(e.first.map_or(t, |f| f.min(t)));
        e.last = Some(e.last.map_or(end, |l| l.max(end)));
    }

    pub fn render(&self) -> Value {
        let iso = |t: Option<i64>| t.map(ids::iso_s);
        let e = &self.exfil;
        json!({
            "guardduty": self.guardduty,
            "recon_finding": self.recon,
            "instance": {"id": INSTANCE_ID, "eni": ENI_ID, "ip": INSTANCE_IP, "vpc": VPC_ID},
            "exfil": {
                "ip": EXFIL_IP, "port": EXFIL_PORT, "protocol": 6,
                "bytes_out": e.bytes_out, "packets_out": e.packets_out,
                "bytes_in": e.bytes_in, "packets_in": e.packets_in,
                "flows": e.flows, "first_seen": iso(e.first), "last_seen": iso(e.last),
            },
            "scanner": {
                "ip": SCANNER_IP,
                "denied_probes": self.scanner_probes,
                "ports": self.scanner_ports,
            },
            "c2": {
                "name": C2_NAME.trim_end_matches('.').to_ascii_lowercase(),
                "type": "A",
                "answers": self.c2_answers,
                "asked_by": INSTANCE_IP,
                "first_seen": iso(self.c2_first),
            },
            "waf": {
                "client_ip": world::SCANNER_IP,
                "requests": self.waf_requests,
                "blocked": self.waf_blocked,
                "allowed": self.waf_allowed,
                "uris": self.waf_uris,
            },
            "rows": ROW_KEYS
                .iter()
                .map(|k| ((*k).to_string(), json!(self.rows.get(k).copied().unwrap_or(0))))
                .collect::<serde_json::Map<_, _>>(),
        })
    }
}
