//! Flow logs and Resolver query logs delivered straight to S3 (no Security
//! Lake): read into the same answers, damaged files named and set aside,
//! the lake left byte-identical.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use lakescope::lake::network::{self, DnsCriteria, FlowCriteria};
use lakescope::lake::{Lake, Page, Scope, catalog};

const ALL: Page = Page { limit: 1000, offset: 0 };

fn gz(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("gzip");
    std::fs::write(path, enc.finish().expect("gzip")).expect("write");
}

/// Every file's bytes, to prove the lake was not touched.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(root)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).expect("read")))
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn lake_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("AWSLogs/111122223333");
    // Default (version 2) format, as VPC writes it when no format is given.
    gz(
        &logs.join(
            "vpcflowlogs/us-east-1/2024/05/05/111122223333_vpcflowlogs_us-east-1_fl-0a1_20240505T0200Z_aa.log.gz",
        ),
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 111122223333 eni-0aaa 10.0.1.5 203.0.113.200 49152 443 6 1200 900000000 1714874400 1714874460 ACCEPT OK\n\
         2 111122223333 eni-0aaa 203.0.113.200 10.0.1.5 443 49152 6 300 24000 1714874400 1714874460 ACCEPT OK\n\
         2 111122223333 eni-0aaa 192.0.2.250 10.0.1.5 50001 22 6 1 44 1714874500 1714874560 REJECT OK\n\
         2 111122223333 eni-0aaa - - - - - - - 1714874600 1714874660 - NODATA\n",
    );
    // A custom format: more fields, another order, flow direction given.
    gz(
        &logs.join(
            "vpcflowlogs/us-east-1/2024/05/05/111122223333_vpcflowlogs_us-east-1_fl-0b2_20240505T0300Z_bb.log.gz",
        ),
        "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction\n\
         5 vpc-01 subnet-01 i-0bbb eni-0bbb 111122223333 IPv4 10.0.2.9 203.0.113.200 40000 443 10.0.2.9 203.0.113.200 6 5000 10 1714878000 1714878060 ACCEPT 19 OK egress\n",
    );
    gz(
        &logs.join("vpcdnsquerylogs/vpc-01/2024/05/05/111122223333_vpcdnsquerylogs_vpc-01_20240505T0155Z_cc.log.gz"),
        concat!(
            r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-01","query_timestamp":"2024-05-05T01:55:00Z","query_name":"c2.exfil-relay.example.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"203.0.113.200","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.5","srcport":"53211","transport":"UDP","srcids":{"instance":"i-0aaa"}}"#,
            "\n",
            r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-01","query_timestamp":"2024-05-05T01:56:00Z","query_name":"nothing.example.","query_type":"A","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.1.5","srcport":"53212","transport":"UDP","srcids":{"instance":"i-0aaa"}}"#,
            "\n"
        ),
    );
    // Cut in the middle of its gzip stream.
    let whole = logs
        .join("vpcflowlogs/us-east-1/2024/05/05/111122223333_vpcflowlogs_us-east-1_fl-0a1_20240505T0400Z_dd.log.gz");
    gz(
        &whole,
        &"2 111122223333 eni-0aaa 10.0.1.5 198.51.100.1 1 2 6 1 1 1714881600 1714881660 ACCEPT OK\n".repeat(2000),
    );
    let bytes = std::fs::read(&whole).expect("read");
    std::fs::write(&whole, &bytes[..bytes.len() / 2]).expect("truncate");
    dir
}

#[test]
fn flow_logs_and_resolver_logs_from_s3_are_answered_and_damage_is_named() {
    let dir = lake_dir();
    let before = snapshot(dir.path());
    let lake = Lake::open(dir.path()).expect("open");
    let session = lake.session().expect("session");
    let scope = Scope::default();

    let to_exfil = FlowCriteria {
        ip: Some("203.0.113.200".into()),
        ..FlowCriteria::default()
    };
    let rows = network::flows(&session, &scope, &to_exfil, ALL).expect("flows");
    let first = rows
        .iter()
        .find(|r| r.peer.as_deref() == Some("10.0.1.5"))
        .expect("10.0.1.5 talked to it");
    // Seen from the exfil address: it received 900 MB and sent 24 kB back.
    assert_eq!((first.bytes_in, first.bytes_out), (900_000_000, 24_000), "{rows:?}");
    assert_eq!(first.port, Some(443));
    assert_eq!(first.enis, vec!["eni-0aaa".to_string()]);
    let custom = rows
        .iter()
        .find(|r| r.peer.as_deref() == Some("10.0.2.9"))
        .expect("custom format read");
    assert_eq!(
        (custom.bytes_in, custom.instances.clone()),
        (5000, vec!["i-0bbb".to_string()])
    );

    let probes = FlowCriteria {
        action: Some("reject".into()),
        ..FlowCriteria::default()
    };
    let rejected = network::flows(&session, &scope, &probes, ALL).expect("rejected");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].peer.as_deref(), Some("192.0.2.250"));
    assert_eq!(
        rejected[0].ip.as_deref(),
        Some("10.0.1.5"),
        "the VPC side is the subject"
    );

    let resolved = DnsCriteria {
        answer: Some("203.0.113.200".into()),
        ..DnsCriteria::default()
    };
    let names = network::dns(&session, &scope, &resolved, ALL).expect("dns");
    assert_eq!(names.len(), 1);
    assert_eq!(names[0].name.as_deref(), Some("c2.exfil-relay.example"));
    assert_eq!(names[0].askers, vec!["10.0.1.5".to_string()]);
    let nx = network::name_report(&session, &scope, "NOTHING.example").expect("name");
    assert_eq!(nx.resolutions.len(), 1);
    assert!(
        nx.resolutions[0].answers.is_empty(),
        "a lookup without answers is still shown"
    );

    let problems = lake.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .path
            .ends_with("111122223333_vpcflowlogs_us-east-1_fl-0a1_20240505T0400Z_dd.log.gz")
    );
    let sources = catalog::sources(&session, &scope).expect("sources");
    let flows = sources.iter().find(|s| s.source == "VPC flow logs").expect("listed");
    assert_eq!((flows.files, flows.unreadable_files), (3, 1));
    assert_eq!(flows.searchable_as.as_deref(), Some("flows"));
    drop(session);
    drop(lake);
    assert_eq!(snapshot(dir.path()), before, "the lake was modified");
}
