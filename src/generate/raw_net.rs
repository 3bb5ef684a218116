//! Network logs the production account delivers straight to S3, without
//! Security Lake: VPC flow log text (one flow log in the default format, one
//! in a custom format with more fields, in another order) and Route 53
//! Resolver query logs (JSON lines), for the overlap and story days.

use super::dns::{self, NAMES, NXDOMAIN_NAMES};
use super::fsutil::Out;
use super::ids::{self, DAY_MS, Draw, HOUR_MS, hex32};
use super::net_truth::NetTruth;
use super::options::GenerateError;
use super::world::{self, PROD, PROD_SUBNET_ID, PROD_VPC_ID};

const DEFAULT_HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
const CUSTOM_HEADER: &str = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction";

/// `(flow log id, eni, instance, ip)`: the web server (default format) and
/// the worker (custom format).
const WEB: (&str, &str, &str, &str) = (
    "fl-0a1b2c3d4e5f60789",
    "eni-0a7b6c5d4e3f21098",
    "i-0e1f2a3b4c5d67890",
    "10.30.1.25",
);
const WORKER: (&str, &str, &str, &str) = (
    "fl-0f9e8d7c6b5a43210",
    "eni-0b8c7d6e5f4a32109",
    "i-0f2a3b4c5d6e78901",
    "10.30.2.40",
);
/// The delivery hours of each day: one file per log per hour.
const HOURS: [i64; 2] = [9, 16];

struct Line {
    start: i64,
    src: (String, u32),
    dst: (String, u32),
    egress: bool,
    packets: u64,
    bytes: u64,
    accept: bool,
}

fn lines(rng: &mut impl Draw, from_ms: i64, local: &str, n: usize) -> Vec<Line> {
    let mut out: Vec<Line> = (0..n)
        .map(|_| {
            let start = from_ms / 1000 + rng.below(3540) as i64;
            let eph = 32768 + rng.below(28000) as u32;
            match rng.below(3) {
                0 => Line {
                    start,
                    src: (local.into(), eph),
                    dst: (format!("198.51.100.{}", 20 + rng.below(40)), 443),
                    egress: true,
                    packets: 10 + rng.below(60),
                    bytes: 2_000 + rng.below(40_000),
                    accept: true,
                },
                1 => Line {
                    start,
                    src: (format!("198.51.100.{}", 140 + rng.below(40)), eph),
                    dst: (local.into(), 443),
                    egress: false,
                    packets: 8 + rng.below(40),
                    bytes: 1_500 + rng.below(20_000),
                    accept: true,
                },
                _ => Line {
                    start,
                    src: (format!("192.0.2.{}", 150 + rng.below(50)), eph),
                    dst: (local.into(), *rng.pick(&[22, 3389, 445])),
                    egress: false,
                    packets: 1,
                    bytes: 40,
                    accept: false,
                },
            }
        })
        .collect();
    out.sort_by_key(|l| l.start);
    out
}

fn default_text(ll: &[Line], eni: &str, nodata_at: i64) -> String {
    let mut text = format!("{DEFAULT_HEADER}\n");
    for l in ll {
        text.push_str(&format!(
            "2 {PROD} {eni} {} {} {} {} 6 {} {} {} {} {} OK\n",
            l.src.0,
            l.dst.0,
            l.src.1,
            l.dst.1,
            l.packets,
            l.bytes,
            l.start,
            l.start + 60,
            if l.accept { "ACCEPT" } else { "REJECT" },
        ));
    }
    // An interval without traffic: every field AWS cannot fill is `-`.
    text.push_str(&format!(
        "2 {PROD} {eni} - - - - - - - {nodata_at} {} - NODATA\n",
        nodata_at + 60
    ));
    text
}

fn custom_text(ll: &[Line]) -> String {
    let (_, eni, instance, _) = WORKER;
    let mut text = format!("{CUSTOM_HEADER}\n");
    for l in ll {
        let flags = if l.accept { 19 } else { 2 };
        text.push_str(&format!(
            "5 {PROD_VPC_ID} {PROD_SUBNET_ID} {instance} {eni} {PROD} IPv4 {src} {dst} {} {} {src} {dst} 6 {} {} {} {} {} {flags} OK {}\n",
            l.src.1,
            l.dst.1,
            l.bytes,
            l.packets,
            l.start,
            l.start + 60,
            if l.accept { "ACCEPT" } else { "REJECT" },
            if l.egress { "egress" } else { "ingress" },
            src = l.src.0,
            dst = l.dst.0,
        ));
    }
    text
}

fn resolver_text(rng: &mut impl Draw, from_ms: i64, n: usize) -> String {
    let mut rows: Vec<(i64, String)> = (0..n)
        .map(|_| {
            let t = from_ms + (rng.below(3540) as i64) * 1000;
            let (_, _, instance, ip) = *rng.pick(&[WEB, WORKER]);
            let nx = rng.chance(120);
            let name = if nx {
                *rng.pick(&NXDOMAIN_NAMES)
            } else {
                *rng.pick(&NAMES)
            };
            let answers = match nx {
                true => serde_json::json!([]),
                false => serde_json::json!([{"Rdata": dns::address_of(name), "Type": "A", "Class": "IN"}]),
            };
            let line = serde_json::json!({
                "version": "1.100000", "account_id": PROD, "region": "us-east-1", "vpc_id": PROD_VPC_ID,
                "query_timestamp": ids::iso_s(t), "query_name": name, "query_type": "A", "query_class": "IN",
                "rcode": if nx { "NXDOMAIN" } else { "NOERROR" }, "answers": answers,
                "srcaddr": ip, "srcport": (32768 + rng.below(28000)).to_string(), "transport": "UDP",
                "srcids": {"instance": instance},
            });
            (t, line.to_string())
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, l)| l + "\n").collect()
}

fn dated(kind: &str, sub: &str, t: i64) -> String {
    let c = ids::civil(t);
    format!("AWSLogs/{PROD}/{kind}/{sub}/{:04}/{:02}/{:02}", c.y, c.mo, c.d)
}

fn suffix(seed: u64, name: &str) -> String {
    hex32(&[&seed.to_string(), "rawnet", name])[..8].to_string()
}

/// Writes the files; counts flow records (header lines excluded, NODATA
/// included) and Resolver queries into `net`.
pub fn write_raw_network(out: &mut Out, seed: u64, first_day_ms: i64, net: &mut NetTruth) -> Result<(), GenerateError> {
    for d in [world::OVERLAP_DAY_INDEX, world::STORY_DAY_INDEX] {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        for h in HOURS {
            let from = day_ms + h * HOUR_MS;
            // Delivered when the hour's last aggregation window closed.
            let stamp = ids::stamp_min(from + HOUR_MS);
            let mut rng = ids::rng_for(seed, &["rawnet", &from.to_string()]);
            for (fl, eni, _, ip) in [WEB, WORKER] {
                let ll = lines(&mut rng, from, ip, 12);
                let text = match fl == WEB.0 {
                    true => default_text(&ll, eni, from / 1000 + 3540),
                    false => custom_text(&ll),
                };
                net.count("raw_vpcflowlogs", text.lines().count() - 1);
                let stem = format!("{PROD}_vpcflowlogs_us-east-1_{fl}_{stamp}");
                let rel = format!(
                    "{}/{stem}_{}.log.gz",
                    dated("vpcflowlogs", "us-east-1", from),
                    suffix(seed, &stem)
                );
                out.write_gz(&rel, text.as_bytes())?;
            }
            let text = resolver_text(&mut rng, from, 10);
            net.count("raw_resolver", text.lines().count());
            let stem = format!("{PROD}_vpcdnsquerylogs_{PROD_VPC_ID}_{stamp}");
            let rel = format!(
                "{}/{stem}_{}.log.gz",
                dated("vpcdnsquerylogs", PROD_VPC_ID, from),
                suffix(seed, &stem)
            );
            out.write_gz(&rel, text.as_bytes())?;
        }
    }
    Ok(())
}
