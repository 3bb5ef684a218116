//! Background CloudTrail activity: how many events fall into each
//! (day, account, region, hour) cell, and the events of one cell.

use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::catalog::{self, Op, Req};
use super::ids::{self, DAY_MS, Draw, HOUR_MS};
use super::record::{self, Identity, Record};
use super::requests::{self, Cx};
use super::world::{self, ACTORS, ActorDef, Agent, Net, Who};

/// A blank successful management event; callers fill in the rest.
pub fn new_record(ident: Identity, time_ms: i64, src: &str, name: &str, region: &str, recipient: &str) -> Record {
    Record {
        event_version: "1.09",
        user_identity: ident,
        event_time: ids::iso_s(time_ms),
        event_source: src.into(),
        event_name: name.into(),
        aws_region: region.into(),
        source_ip: String::new(),
        user_agent: String::new(),
        error_code: None,
        error_message: None,
        request_parameters: Value::Null,
        response_elements: Value::Null,
        additional_event_data: None,
        request_id: String::new(),
        event_id: String::new(),
        read_only: false,
        resources: None,
        event_type: "AwsApiCall",
        management_event: true,
        recipient_account_id: recipient.into(),
        shared_event_id: None,
        event_category: "Management",
        time_ms,
    }
}

/// Integer largest-remainder allocation of `total` over `weights`: exact,
/// deterministic and free of floating point.
pub fn allocate(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut out = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: u64 = 0;
    for (i, w) in weights.iter().enumerate() {
        let p = u128::from(total) * u128::from(*w);
        let q = (p / sum) as u64;
        out.push(q);
        given += q;
        rems.push((p % sum, i));
    }
    // Larger remainder first; ties by lower index.
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rems.into_iter().take((total - given) as usize) {
        out[i] += 1;
    }
    out
}

/// Weight of one (day, account, region, hour) cell.
pub fn cell_weight(day_ms: i64, account: &str, region: &str, hour: u32) -> u64 {
    world::weekday_weight(ids::weekday(day_ms))
        * world::account_weight(account)
        * world::region_weight(region)
        * world::hour_weight(hour)
}

/// 75..=125 %: keeps the diurnal shape without perfectly flat hours.
pub fn cell_jitter(seed: u64, day_ms: i64, account: &str, region: &str, hour: u32) -> u64 {
    let h = ids::hash128(&[
        &seed.to_string(),
        "jitter",
        &day_ms.to_string(),
        account,
        region,
        &hour.to_string(),
    ]);
    75 + (h % 51) as u64
}

pub fn user_agent(agent: Agent, host: Option<&str>) -> String {
    match agent {
        Agent::Cli => world::CLI_UA.into(),
        Agent::Console => world::CONSOLE_UA.into(),
        Agent::Terraform => "APN/1.0 HashiCorp/1.0 Terraform/1.8.2 (+https://www.terraform.io) terraform-provider-aws/5.48.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64".into(),
        Agent::Java => "aws-sdk-java/2.25.40 Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy".into(),
        Agent::Lambda => "Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.90".into(),
        Agent::Service => host.unwrap_or("AWS Internal").into(),
    }
}

/// Source IP: each human keeps a usual address, with occasional others and
/// a little IPv6. Only documentation ranges are used.
pub fn source_ip(def: &ActorDef, rng: &mut ChaCha8Rng) -> String {
    let usual = (ids::hash128(&[def.account, &format!("{:?}", def.who)]) % 40) as u64;
    match def.net {
        Net::Ci => world::CI_IP.into(),
        Net::Terraform => world::TF_IP.into(),
        Net::Office if rng.chance(850) => format!("198.51.100.{}", 20 + usual),
        Net::Office => format!("198.51.100.{}", 20 + rng.below(40)),
        Net::Home if rng.chance(40) => format!("2001:db8:4f2a:1c::{:x}", 0x10 + usual),
        Net::Home => format!("192.0.2.{}", 10 + usual),
        Net::App => format!("192.0.2.{}", 200 + rng.below(50)),
        Net::External => world::EXTERNAL_IP.into(),
        Net::Service => match def.who {
            Who::Service(host) => host.into(),
            _ => "AWS Internal".into(),
        },
    }
}

pub fn service_host(def: &ActorDef) -> Option<&'static str> {
    match def.who {
        Who::Service(h) => Some(h),
        _ => None,
    }
}

/// Per-partition view of the roster: actors of one account with the
/// operations they can perform in one region.
pub struct Roster {
    actors: Vec<(&'static ActorDef, Vec<&'static Op>, Vec<u32>)>,
    weights: Vec<u32>,
    identities: Vec<Identity>,
}

impl Roster {
    pub fn new(seed: u64, account: &str, region: &str, day_ms: i64) -> Roster {
        let home = region == world::HOME_REGION;
        let mut actors = Vec::new();
        for def in ACTORS.iter().filter(|d| d.account == account) {
            let ops: Vec<&'static Op> =
                catalog::ops_in_region(catalog::ops_for(def.profile, service_host(def)), home).collect();
            if ops.is_empty() {
                continue;
            }
            let ws = ops.iter().map(|o| o.w).collect();
            actors.push((def, ops, ws));
        }
        let weights = actors.iter().map(|a| a.0.weight).collect();
        let identities = actors.iter().map(|a| record::identity_for(seed, a.0, day_ms)).collect();
        Roster {
            actors,
            weights,
            identities,
        }
    }
}

/// The background events of one cell, in no particular order.
pub fn cell_events(
    seed: u64,
    roster: &Roster,
    day_ms: i64,
    account: &str,
    region: &str,
    hour: u32,
    count: u64,
) -> Vec<Record> {
    let mut rng = ids::rng_for(seed, &["bg", &day_ms.to_string(), account, region, &hour.to_string()]);
    let mut out = Vec::with_capacity(count as usize);
    if roster.actors.is_empty() {
        return out;
    }
    let hour_ms = day_ms + i64::from(hour) * HOUR_MS;
    for _ in 0..count {
        let mut t = hour_ms + (rng.below(3600) as i64) * 1000;
        let ai = rng.weighted(&roster.weights);
        let (def, ops, ws) = &roster.actors[ai];
        let op = ops[rng.weighted(ws)];
        let ident = roster.identities[ai].clone();
        // A session cannot act before its credentials were minted.
        if let Some(sc) = &ident.session_context
            && t < sc.created_ms
        {
            t = sc.created_ms + 1000 + (rng.below(59) as i64) * 1000;
        }
        out.push(make_event(def, op, ident, t, account, region, &mut rng));
    }
    debug_assert!(out.iter().all(|r| r.time_ms < day_ms + DAY_MS));
    out
}

pub fn make_event(
    def: &ActorDef,
    op: &Op,
    ident: Identity,
    t: i64,
    account: &str,
    region: &str,
    rng: &mut ChaCha8Rng,
) -> Record {
    let arn = ident.arn.clone();
    let mut r = new_record(ident, t, op.src, op.name, region, account);
    r.read_only = op.ro;
    r.event_type = catalog::event_type(op);
    r.source_ip = source_ip(def, rng);
    r.user_agent = user_agent(def.agent, service_host(def));
    let fail_rate = if matches!(def.who, Who::Service(_)) { 30 } else { 105 };
    // Failed console sign-ins carry no errorCode in CloudTrail; keep the
    // background ones successful so "error" always means errorCode present.
    let failed = op.req != Req::ConsoleLogin && rng.chance(fail_rate);
    let mut cx = Cx {
        account,
        region,
        arn: arn.as_deref(),
        time_ms: t,
        rng,
    };
    let built = requests::build(op, &mut cx);
    r.request_parameters = built.req;
    r.resources = built.resources;
    r.additional_event_data = built.extra;
    if failed {
        let (code, msg) = requests::error_for(op, &mut cx);
        r.error_code = Some(code);
        r.error_message = Some(msg);
    } else {
        r.response_elements = built.resp;
    }
    r.request_id = requests::request_id(op.src, rng);
    r.event_id = rng.uuid();
    r
}
