//! Security Lake's published OCSF samples of VPC flows, Route 53 and
//! Security Hub: every file is read and shown, and where AWS published the
//! raw input beside a row, the row lakescope shows agrees with it.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::real;
use lakescope::lake::findings::{self, FindingCriteria};
use lakescope::lake::network::{self, DnsCriteria, FlowCriteria};
use lakescope::lake::records::RecordKind;
use lakescope::lake::{Lake, Page, Scope, catalog, events};
use serde_json::Value;

const SAMPLES: &str = "asl-ocsf-validation/samples/1.0.0-rc.2";
const ALL: Page = Page { limit: 1000, offset: 0 };

fn sample(source: &str) -> PathBuf {
    real(&format!("{SAMPLES}/{source}"))
}

/// Files directly in `dir` whose name ends with `suffix`.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("sample folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn gz_json(path: &Path) -> Value {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).expect("input"))
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("JSON input")
}

/// Every sample file of `source` is one searchable source of the lake, with
/// one record per file and none set aside.
fn assert_all_read(lake: &Lake, dir: &Path, kind: RecordKind) {
    let session = lake.session().expect("session");
    let sources = catalog::sources(&session, &Scope::default()).expect("sources");
    let parquet = files(dir, ".parquet").len() as u64;
    let row = sources
        .iter()
        .find(|s| s.searchable_as.as_deref().is_some_and(|k| k.contains(kind.name())))
        .unwrap_or_else(|| panic!("no source searchable as {}: {sources:?}", kind.name()));
    assert_eq!(row.events, Some(parquet), "{row:?}");
    assert!(lake.problems().is_empty(), "{:?}", lake.problems());
}

#[test]
fn vpc_flow_rows_agree_with_their_raw_flow_records() {
    let dir = sample("VPC_FLOW");
    let lake = Lake::open(&dir).expect("open");
    // The raw inputs are themselves parquet; keep only the OCSF rows in view.
    assert_all_read(&lake, &dir, RecordKind::Flows);
    let session = lake.session().expect("session");
    let inputs = files(&dir.join("inputs"), ".parquet");
    assert_eq!(inputs.len(), 4);
    let list: Vec<String> = inputs.iter().map(|p| format!("'{}'", p.display())).collect();
    // AWS maps pkt-srcaddr/pkt-dstaddr (the original addresses) to the
    // endpoints and srcaddr/dstaddr to intermediate_ips when they differ.
    let raw = events::sql(
        &session,
        &Scope::default(),
        &format!(
            "SELECT pkt_srcaddr AS src, pkt_dstaddr AS dst, least(srcport, dstport) AS port, \
             sum(bytes) AS bytes, sum(packets) AS packets, count(*) FILTER (action = 'REJECT') AS rejected, \
             count(*) FILTER (action = 'ACCEPT') AS accepted \
             FROM read_parquet([{}]) WHERE log_status = 'OK' GROUP BY ALL ORDER BY ALL",
            list.join(", ")
        ),
    )
    .expect("raw inputs");
    assert!(!raw.is_empty());
    for expected in &raw {
        let src = expected["src"].as_str().expect("src");
        let criteria = FlowCriteria {
            ip: Some(src.to_string()),
            ..FlowCriteria::default()
        };
        let rows = network::flows(&session, &Scope::default(), &criteria, ALL).expect("flows");
        let port = expected["port"].as_i64().map(|p| p as i32);
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.peer.as_deref() == expected["dst"].as_str() && r.port == port)
            .collect();
        assert!(!mine.is_empty(), "no conversation for {expected}: {rows:?}");
        let sum = |f: fn(&lakescope::lake::FlowRow) -> u64| mine.iter().map(|r| f(r)).sum::<u64>();
        assert_eq!(
            sum(|r| r.bytes_out),
            expected["bytes"].as_u64().unwrap_or(0),
            "{expected}"
        );
        assert_eq!(sum(|r| r.packets_out), expected["packets"].as_u64().unwrap_or(0));
        assert_eq!(sum(|r| r.rejected), expected["rejected"].as_u64().unwrap_or(0));
        assert_eq!(sum(|r| r.accepted), expected["accepted"].as_u64().unwrap_or(0));
        assert!(mine.iter().all(|r| r.protocol == Some(6)));
    }
}

#[test]
fn route53_rows_agree_with_their_resolver_query_logs() {
    let dir = sample("ROUTE53");
    let lake = Lake::open(&dir).expect("open");
    assert_all_read(&lake, &dir, RecordKind::Dns);
    let session = lake.session().expect("session");
    let inputs = files(&dir.join("inputs"), ".json.gz");
    assert_eq!(inputs.len(), 4);
    for input in inputs {
        let raw = gz_json(&input);
        let name = raw["query_name"].as_str().expect("query_name");
        let criteria = DnsCriteria {
            name: Some(name.to_string()),
            ..DnsCriteria::default()
        };
        let rows = network::dns(&session, &Scope::default(), &criteria, ALL).expect("dns");
        assert!(!rows.is_empty(), "{name} not shown");
        let asker = raw["srcaddr"].as_str().expect("srcaddr");
        let row = rows
            .iter()
            .find(|r| r.askers.iter().any(|a| a == asker))
            .unwrap_or_else(|| panic!("{name} asked by {asker} not shown: {rows:?}"));
        assert_eq!(row.name.as_deref(), Some(network::normal_name(name).as_str()));
        assert_eq!(row.qtype.as_deref(), raw["query_type"].as_str());
        for answer in raw["answers"].as_array().expect("answers") {
            let rdata = answer["Rdata"].as_str().expect("Rdata");
            assert!(row.answers.iter().any(|a| a == rdata), "{rdata} missing in {row:?}");
        }
    }
    // A name as an entity: who asked and what it resolved to.
    let report =
        network::name_report(&session, &Scope::default(), "ip-127-0-0-62.alert.firewall.canary.").expect("name");
    assert_eq!(report.queries, 3, "{report:?}");
    assert_eq!(report.askers[0].ip.as_deref(), Some("10.200.21.100"));
}

#[test]
fn security_hub_rows_agree_with_their_asff_findings() {
    let dir = sample("SH_FINDINGS");
    let lake = Lake::open(&dir).expect("open");
    assert_all_read(&lake, &dir, RecordKind::Findings);
    let session = lake.session().expect("session");
    let inputs = files(&dir.join("inputs"), ".json.gz");
    assert_eq!(inputs.len(), 4);
    let all = findings::findings(&session, &Scope::default(), &FindingCriteria::default()).expect("findings");
    for input in &inputs {
        let raw = gz_json(input);
        let id = raw["Id"].as_str().expect("Id");
        let shown = all
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id} not listed"));
        // One finding re-sent four times (each update): shown once, latest state.
        assert_eq!(shown.records, 4);
        assert_eq!(shown.title.as_deref(), raw["Title"].as_str());
        let resource = raw["Resources"][0]["Id"].as_str().expect("resource");
        assert!(shown.resources.iter().any(|r| r == resource), "{shown:?}");
    }
    assert_eq!(all.len(), 1);
    let detail = findings::finding(&session, &all[0].id)
        .expect("finding")
        .expect("found");
    assert_eq!(detail.record["finding"]["uid"].as_str(), Some(all[0].id.as_str()));
    // Named by its resource: the security group's findings.
    let by_resource = findings::naming(&session, &Scope::default(), "sg-1234567899900").expect("naming");
    assert_eq!(by_resource.len(), 1);
}
