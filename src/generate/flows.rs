//! VPC flow logs in Security Lake: 1.0 (OCSF 1.0.0-rc.2) for the first
//! days, 2.0 (OCSF 1.1.0) from the overlap day on, never the same day in
//! both. Background for the data account's bastion ENI (and a few prod
//! flows), and on the story day the new IP's ssh, the scanner's rejected
//! probes and the exfiltration to EXFIL_IP.

use serde_json::{Value, json};

use super::ids::{self, DAY_MS, Draw};
use super::net_run::NetRun;
use super::net_times::NetTimes;
use super::options::GenerateError;
use super::schemas;
use super::schemas_net;
use super::sources::{ts, write_rows};
use super::story::Story;
use super::world::{
    self, DATA, ENI_ID, EXFIL_IP, EXFIL_PORT, INSTANCE_ID, INSTANCE_IP, NEW_IP, PROD, SCANNER_IP, SCANNER_PORTS,
    SUBNET_ID, VPC_ID,
};

/// One flow record, before it is given a version's shape.
struct Flow {
    account: &'static str,
    t: i64,
    end: i64,
    src: (String, i32),
    dst: (String, i32),
    /// The local side (the bastion ENI) is the destination.
    inbound: bool,
    allowed: bool,
    packets: i64,
    bytes: i64,
}

impl Flow {
    /// A one-minute flow record (the default aggregation interval).
    #[allow(clippy::too_many_arguments)]
    fn minute(
        account: &'static str,
        t: i64,
        src: (&str, i32),
        dst: (&str, i32),
        inbound: bool,
        allowed: bool,
        packets: i64,
        bytes: i64,
    ) -> Flow {
        Flow {
            account,
            t,
            end: t + 59_000,
            src: (src.0.to_string(), src.1),
            dst: (dst.0.to_string(), dst.1),
            inbound,
            allowed,
            packets,
            bytes,
        }
    }
}

fn endpoint(ip: &str, port: i32, is_local: bool, none: Value) -> Value {
    let mut v = json!({"port": port, "svc_name": none, "ip": ip, "intermediate_ips": null, "interface_uid": null, "vpc_uid": null, "instance_uid": null, "subnet_uid": null});
    if is_local && let Some(m) = v.as_object_mut() {
        for (k, x) in [
            ("interface_uid", ENI_ID),
            ("vpc_uid", VPC_ID),
            ("instance_uid", INSTANCE_ID),
            ("subnet_uid", SUBNET_ID),
        ] {
            m.insert(k.into(), json!(x));
        }
    }
    v
}

fn connection(f: &Flow, boundary: Value) -> Value {
    json!({"protocol_num": 6, "tcp_flags": if f.allowed { 19 } else { 2 }, "protocol_ver": "IPv4", "boundary_id": 99, "boundary": boundary,
        "direction_id": if f.inbound { 1 } else { 2 }, "direction": if f.inbound { "Inbound" } else { "Outbound" }})
}

fn v2_row(f: &Flow) -> Value {
    let (action, action_id, disp, disp_id) = if f.allowed {
        ("Allowed", 1, "Allowed", 1)
    } else {
        ("Denied", 2, "Blocked", 2)
    };
    let (src, dst) = (&f.src, &f.dst);
    json!({
        "metadata": {"product": {"version": "5", "name": "Amazon VPC", "feature": {"name": "Flowlogs"}, "vendor_name": "AWS"}, "profiles": ["cloud", "datetime"], "version": "1.1.0"},
        "cloud": {"account": {"uid": f.account}, "region": "us-east-1", "zone": "us-east-1a", "provider": "AWS"},
        "src_endpoint": endpoint(&src.0, src.1, !f.inbound, Value::Null),
        "dst_endpoint": endpoint(&dst.0, dst.1, f.inbound, Value::Null),
        "connection_info": connection(f, Value::Null),
        "traffic": {"packets": f.packets, "bytes": f.bytes},
        "time": f.t, "time_dt": ts(f.t), "start_time_dt": ts(f.t), "end_time_dt": ts(f.end),
        "status_code": "OK", "severity_id": 1, "severity": "Informational",
        "class_name": "Network Activity", "class_uid": 4001, "category_name": "Network Activity", "category_uid": 4,
        "activity_name": "Traffic", "activity_id": 6, "action": action, "action_id": action_id, "disposition": disp, "disposition_id": disp_id,
        "type_uid": 400106, "type_name": "Network Activity: Traffic",
        "accountid": f.account, "region": "us-east-1", "asl_version": "2.0",
        "observables": [{"name": "src_endpoint.ip", "value": src.0, "type": "IP Address", "type_id": 2}, {"name": "dst_endpoint.ip", "value": dst.0, "type": "IP Address", "type_id": 2}],
        "unmapped": {"log-status": "OK", "account-id": f.account},
    })
}

/// The 1.0 shape of the real samples: `-` for empty text, the verdict in
/// `disposition`, a rejected flow is a "Refuse" activity.
fn v1_row(f: &Flow) -> Value {
    let (activity, activity_id, disp, disp_id) = if f.allowed {
        ("Traffic", 6, "Allowed", 1)
    } else {
        ("Refuse", 5, "Blocked", 2)
    };
    let (src, dst) = (&f.src, &f.dst);
    json!({
        "metadata": {"product": {"version": "5", "name": "Amazon VPC", "feature": {"name": "Flowlogs"}, "vendor_name": "AWS"}, "profiles": ["cloud", "security_control"], "version": "1.0.0-rc.2"},
        "cloud": {"account_uid": f.account, "region": "us-east-1", "zone": "use1-az1", "provider": "AWS"},
        "src_endpoint": endpoint(&src.0, src.1, !f.inbound, json!("-")),
        "dst_endpoint": endpoint(&dst.0, dst.1, f.inbound, json!("-")),
        "connection_info": connection(f, json!("-")),
        "traffic": {"packets": f.packets, "bytes": f.bytes},
        "time": f.t, "start_time": f.t, "end_time": f.end,
        "status_code": "OK", "severity_id": 1, "severity": "Informational",
        "class_name": "Network Activity", "class_uid": 4001, "category_name": "Network Activity", "category_uid": 4,
        "activity_name": activity, "activity_id": activity_id, "disposition": disp, "disposition_id": disp_id,
        "type_uid": 400100 + activity_id, "type_name": format!("Network Activity: {activity}"),
        "unmapped": {"sublocation_id": "-", "sublocation_type": "-"},
    })
}

/// The day's background flows of one account (the stream the 2.0-only
/// generator used, so 2.0 days keep their flows).
fn background(seed: u64, account: &'static str, day_ms: i64) -> Vec<Flow> {
    let mut rng = ids::rng_for(seed, &["vpc", account, &day_ms.to_string()]);
    let mut rows = Vec::new();
    for _ in 0..18 {
        let t = day_ms + (rng.below(86_400) as i64) * 1000;
        let peer = format!("198.51.100.{}", 20 + rng.below(40));
        let scanner = format!("192.0.2.{}", 150 + rng.below(50));
        let sport = 32768 + rng.below(28000) as i32;
        rows.push(match rng.below(3) {
            0 => Flow::minute(
                account,
                t,
                (INSTANCE_IP, sport),
                (&peer, 443),
                false,
                true,
                10 + rng.below(40) as i64,
                2000 + rng.below(9000) as i64,
            ),
            1 => Flow::minute(
                account,
                t,
                (&peer, sport),
                (INSTANCE_IP, 443),
                true,
                true,
                8 + rng.below(30) as i64,
                1500 + rng.below(6000) as i64,
            ),
            _ => Flow::minute(
                account,
                t,
                (&scanner, sport),
                (INSTANCE_IP, *rng.pick(&[23, 3389, 445])),
                true,
                false,
                1,
                44,
            ),
        });
    }
    rows
}

/// The story day's flows in the data account.
fn story_flows(seed: u64, story: &Story, at: &NetTimes) -> Vec<Flow> {
    let t_ssh = story.sg_event.1 + 8 * 60_000 + 27_000;
    let mut rows = vec![
        Flow::minute(DATA, t_ssh, (NEW_IP, 51514), (INSTANCE_IP, 22), true, true, 24, 4810),
        Flow::minute(
            DATA,
            t_ssh + 51_000,
            (NEW_IP, 51530),
            (INSTANCE_IP, 3389),
            true,
            false,
            2,
            104,
        ),
    ];
    // The scanner: every port a few times, all rejected by the security group.
    let mut rng = ids::rng_for(seed, &["netstory", "scan"]);
    let mut t = at.scan_start;
    for port in SCANNER_PORTS {
        for _ in 0..1 + rng.below(3) {
            let sport = 40000 + rng.below(20000) as i32;
            rows.push(Flow::minute(
                DATA,
                t,
                (SCANNER_IP, sport),
                (INSTANCE_IP, port),
                true,
                false,
                1,
                44,
            ));
            t += (3 + rng.below(9) as i64) * 1000;
        }
    }
    // The exfiltration: one TLS connection per 10-minute window, ~300 MB out
    // each, ACKs back.
    let mut rng = ids::rng_for(seed, &["netstory", "exfil"]);
    for w in 0..at.exfil_windows {
        let t = at.exfil_start + w * at.exfil_window;
        let end = t + at.exfil_window - 1000;
        let sport = 32768 + rng.below(28000) as i32;
        let bytes = 250_000_000 + rng.below(100_000_000) as i64;
        let packets = bytes / 1448 + 1;
        let acks = packets / 2;
        rows.push(Flow {
            account: DATA,
            t,
            end,
            src: (INSTANCE_IP.into(), sport),
            dst: (EXFIL_IP.into(), EXFIL_PORT),
            inbound: false,
            allowed: true,
            packets,
            bytes,
        });
        rows.push(Flow {
            account: DATA,
            t,
            end,
            src: (EXFIL_IP.into(), EXFIL_PORT),
            dst: (INSTANCE_IP.into(), sport),
            inbound: true,
            allowed: true,
            packets: acks,
            bytes: acks * 52,
        });
    }
    rows
}

/// Writes VPC_FLOW 1.0 for the days before the overlap day and 2.0 from it on.
pub fn write_vpc_flow(run: &mut NetRun<'_>) -> Result<(), GenerateError> {
    let (out, pw, net) = (&mut *run.out, &mut *run.pw, &mut *run.net);
    let (seed, first_day_ms, days, story, at) = (run.seed, run.first_day_ms, run.days, run.story, run.at);
    for d in 0..days {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        for account in [PROD, DATA] {
            let mut flows = background(seed, account, day_ms);
            if account == DATA && day_ms == story.day_ms {
                flows.extend(story_flows(seed, story, at));
            }
            flows.sort_by_key(|f| f.t);
            for f in &flows {
                net.flow((&f.src.0, f.src.1), (&f.dst.0, f.dst.1), f.t, f.end, f.packets, f.bytes);
                if f.src.0 == SCANNER_IP && !f.allowed {
                    net.scanner_probes += 1;
                    net.scanner_ports.insert(f.dst.1);
                }
            }
            let v1 = d < world::OVERLAP_DAY_INDEX;
            let (version, key, columns, rows): (_, _, &[(&str, &str)], Vec<Value>) = match v1 {
                true => (
                    "1.0",
                    "VPC_FLOW/1.0",
                    schemas_net::VPC_FLOW_V1,
                    flows.iter().map(v1_row).collect(),
                ),
                false => (
                    "2.0",
                    "VPC_FLOW/2.0",
                    schemas::VPC_FLOW_V2,
                    flows.iter().map(v2_row).collect(),
                ),
            };
            net.count(key, rows.len());
            write_rows(out, pw, seed, "VPC_FLOW", version, account, day_ms, columns, &rows)?;
        }
    }
    Ok(())
}

/// A day's background flows of the data account in the 2.0 shape (for the
/// damaged-input lake).
pub fn sample_v2(seed: u64, day_ms: i64) -> Vec<Value> {
    background(seed, DATA, day_ms).iter().map(v2_row).collect()
}
