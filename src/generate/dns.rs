//! Route 53 Resolver query logs in Security Lake (ROUTE53, DNS Activity
//! 4003): 1.0 before the overlap day, 2.0 from it on. Background lookups
//! of AWS endpoints and package mirrors by the bastion and its neighbours
//! (a few NXDOMAIN, which have no answers), and on the story day the
//! bastion resolving the C2 name to EXFIL_IP just before the exfiltration.

use serde_json::{Value, json};

use super::ids::{self, DAY_MS, Draw};
use super::net_run::NetRun;
use super::net_times::NetTimes;
use super::options::GenerateError;
use super::schemas_net;
use super::sources::{ts, write_rows};
use super::world::{self, C2_NAME, DATA, EXFIL_IP, INSTANCE_ID, INSTANCE_IP, VPC_ID};

/// Names the VPC resolves every day, fully qualified as Route 53 logs them.
pub const NAMES: [&str; 10] = [
    "sts.us-east-1.amazonaws.com.",
    "s3.us-east-1.amazonaws.com.",
    "ec2.us-east-1.amazonaws.com.",
    "ssm.us-east-1.amazonaws.com.",
    "ec2messages.us-east-1.amazonaws.com.",
    "logs.us-east-1.amazonaws.com.",
    "archive.ubuntu.com.",
    "security.ubuntu.com.",
    "pypi.org.",
    "files.pythonhosted.org.",
];
/// Names that do not exist (search-domain and proxy auto-discovery noise).
pub const NXDOMAIN_NAMES: [&str; 2] = ["wpad.ec2.internal.", "artifactory.corp.acme.internal."];
/// The bastion's neighbours in the VPC: `(ip, instance)`.
const NEIGHBOURS: [(&str, &str); 3] = [
    ("10.20.1.27", "i-0b2c3d4e5f6a78901"),
    ("10.20.2.41", "i-0c3d4e5f6a7b89012"),
    ("10.20.2.58", "i-0d4e5f6a7b8c90123"),
];

/// A name's A record: one of the background flow peers (198.51.100.20-59),
/// so that flows to them can be traced back to a name.
pub fn address_of(name: &str) -> String {
    format!("198.51.100.{}", 20 + ids::hash128(&["dns", name]) % 40)
}

struct Query {
    t: i64,
    ip: &'static str,
    instance: &'static str,
    port: i32,
    name: &'static str,
    qtype: &'static str,
    /// `(type, rdata)`.
    answers: Vec<(&'static str, String)>,
    nxdomain: bool,
}

fn common(q: &Query) -> Value {
    let (rcode, rcode_id) = if q.nxdomain { ("NXDomain", 3) } else { ("NoError", 0) };
    json!({
        "src_endpoint": {"vpc_uid": VPC_ID, "ip": q.ip, "port": q.port, "instance_uid": q.instance},
        "time": q.t,
        "query": {"hostname": q.name, "type": q.qtype, "class": "IN"},
        "answers": q.answers.iter().map(|(ty, rdata)| json!({"type": ty, "rdata": rdata, "class": "IN"})).collect::<Vec<_>>(),
        "connection_info": {"protocol_name": "UDP", "direction": "Unknown", "direction_id": 0},
        "dst_endpoint": null,
        "severity_id": 1, "severity": "Informational",
        "class_name": "DNS Activity", "class_uid": 4003, "category_name": "Network Activity", "category_uid": 4,
        "rcode_id": rcode_id, "rcode": rcode,
        "activity_id": 2, "activity_name": "Response", "type_name": "DNS Activity: Response", "type_uid": 400302,
        "disposition": null, "disposition_id": null,
        "unmapped": null,
    })
}

fn row(q: &Query, v1: bool) -> Value {
    let mut r = common(q);
    let product = json!({"version": "1.100000", "name": "Route 53", "feature": {"name": "Resolver Query Logs"}, "vendor_name": "AWS"});
    if let Some(m) = r.as_object_mut() {
        if v1 {
            m.insert(
                "metadata".into(),
                json!({"product": product, "profiles": ["cloud", "security_control"], "version": "1.0.0-rc.2"}),
            );
            m.insert(
                "cloud".into(),
                json!({"account_uid": DATA, "region": "us-east-1", "provider": "AWS"}),
            );
        } else {
            m.insert(
                "metadata".into(),
                json!({"product": product, "profiles": ["cloud", "datetime"], "version": "1.1.0"}),
            );
            m.insert(
                "cloud".into(),
                json!({"account": {"uid": DATA}, "region": "us-east-1", "provider": "AWS"}),
            );
            m.insert("time_dt".into(), json!(ts(q.t)));
            m.insert("accountid".into(), json!(DATA));
            m.insert("region".into(), json!("us-east-1"));
            m.insert("asl_version".into(), json!("2.0"));
            m.insert(
                "observables".into(),
                json!([
                    {"name": "src_endpoint.ip", "value": q.ip, "type": "IP Address", "type_id": 2},
                    {"name": "query.hostname", "value": q.name, "type": "Hostname", "type_id": 1},
                ]),
            );
        }
    }
    r
}

fn background(seed: u64, day_ms: i64) -> Vec<Query> {
    let mut rng = ids::rng_for(seed, &["route53", &day_ms.to_string()]);
    let mut out = Vec::new();
    for _ in 0..30 {
        let t = day_ms + (rng.below(86_400) as i64) * 1000;
        let (ip, instance) = match rng.below(2) {
            0 => (INSTANCE_IP, INSTANCE_ID),
            _ => *rng.pick(&NEIGHBOURS),
        };
        let port = 32768 + rng.below(28000) as i32;
        let nxdomain = rng.chance(100);
        let (name, qtype, answers) = if nxdomain {
            (*rng.pick(&NXDOMAIN_NAMES), "A", Vec::new())
        } else {
            let name = *rng.pick(&NAMES);
            match rng.chance(150) {
                true => (
                    name,
                    "AAAA",
                    vec![(
                        "AAAA",
                        format!("2001:db8:{:x}::1", ids::hash128(&["dns6", name]) % 0xffff),
                    )],
                ),
                false => (name, "A", vec![("A", address_of(name))]),
            }
        };
        out.push(Query {
            t,
            ip,
            instance,
            port,
            name,
            qtype,
            answers,
            nxdomain,
        });
    }
    out
}

/// The C2 lookup before the exfiltration, and again when the answer's
/// TTL ran out in the middle of it.
fn story_queries(seed: u64, at: &NetTimes) -> Vec<Query> {
    let mut rng = ids::rng_for(seed, &["netstory", "c2"]);
    [at.c2_query, at.exfil_start + 25 * 60_000 + 7_000]
        .into_iter()
        .map(|t| Query {
            t,
            ip: INSTANCE_IP,
            instance: INSTANCE_ID,
            port: 32768 + rng.below(28000) as i32,
            name: C2_NAME,
            qtype: "A",
            answers: vec![("A", EXFIL_IP.to_string())],
            nxdomain: false,
        })
        .collect()
}

pub fn write_route53(run: &mut NetRun<'_>) -> Result<(), GenerateError> {
    let (out, pw, net) = (&mut *run.out, &mut *run.pw, &mut *run.net);
    let (seed, first_day_ms, days, story, at) = (run.seed, run.first_day_ms, run.days, run.story, run.at);
    for d in 0..days {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        let mut queries = background(seed, day_ms);
        if day_ms == story.day_ms {
            queries.extend(story_queries(seed, at));
        }
        queries.sort_by_key(|q| q.t);
        for q in queries.iter().filter(|q| q.name == C2_NAME && q.ip == INSTANCE_IP) {
            net.c2_first = Some(net.c2_first.map_or(q.t, |f| f.min(q.t)));
            net.c2_answers.extend(q.answers.iter().map(|a| a.1.clone()));
        }
        let v1 = d < world::OVERLAP_DAY_INDEX;
        let rows: Vec<Value> = queries.iter().map(|q| row(q, v1)).collect();
        let (version, key, columns) = match v1 {
            true => ("1.0", "ROUTE53/1.0", schemas_net::route53_v1()),
            false => ("2.0", "ROUTE53/2.0", schemas_net::route53_v2()),
        };
        net.count(key, rows.len());
        write_rows(out, pw, seed, "ROUTE53", version, DATA, day_ms, &columns, &rows)?;
    }
    Ok(())
}

/// A day's background queries in the 2.0 shape (for the damaged-input lake).
pub fn sample_v2(seed: u64, day_ms: i64) -> Vec<Value> {
    background(seed, day_ms).iter().map(|q| row(q, false)).collect()
}
