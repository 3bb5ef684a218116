//! The screens beyond API calls: the findings list, a finding's page, a
//! hostname's page, the flows list and the report sections they feed
//! (snapshots at 120×40 and 80×24), and the key sequences between them.
//! The demo lake has findings and flows; DNS comes from a small lake of
//! Resolver query logs written here.

mod tui_support;

use std::io::Write;
use std::path::Path;

use lakescope::tui::screens::events::EventsScreen;
use lakescope::tui::screens::findings::FindingsScreen;
use lakescope::tui::screens::flows::FlowsScreen;
use lakescope::tui::screens::inspector::InspectorScreen;
use lakescope::tui::screens::timeline::TimelineScreen;
use tui_support::{Harness, demo};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const NEW_IP: &str = "203.0.113.66";
const INSTANCE: &str = "arn:aws:ec2:us-east-1:444455556666:instance/i-0a1b2c3d4e5f67890";
const BUCKET: &str = "arn:aws:s3:::acme-data-exports";
/// The instance's private address in the demo lake's flows.
const PRIVATE_IP: &str = "10.20.1.15";
const C2: &str = "c2.exfil-relay.example";

fn check_on(lake: &Path, name: &str, setup: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut harness = Harness::open(lake, w, h);
        setup(&mut harness);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), harness.snapshot_text());
    }
}

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

fn gz(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("gzip");
    std::fs::write(path, enc.finish().expect("gzip")).expect("write");
}

/// A lake named `net` (the header shows the name) with one VPC's flows and
/// Resolver query logs: 10.0.1.5 asks for a C2 name that resolves to
/// 203.0.113.200, then sends it a lot; lookups that fail, one of a hostile name.
fn dns_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("net/AWSLogs/111122223333");
    gz(
        &logs.join(
            "vpcflowlogs/us-east-1/2024/05/05/111122223333_vpcflowlogs_us-east-1_fl-0a1_20240505T0200Z_aa.log.gz",
        ),
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 111122223333 eni-0aaa 10.0.1.5 203.0.113.200 49152 443 6 1200 900000000 1714874400 1714874460 ACCEPT OK\n\
         2 111122223333 eni-0aaa 203.0.113.200 10.0.1.5 443 49152 6 300 24000 1714874400 1714874460 ACCEPT OK\n",
    );
    let query = |time: &str, name: &str, rcode: &str, answers: &str, port: u32| {
        format!(
            r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-01","query_timestamp":"{time}","query_name":"{name}","query_type":"A","query_class":"IN","rcode":"{rcode}","answers":[{answers}],"srcaddr":"10.0.1.5","srcport":"{port}","transport":"UDP","srcids":{{"instance":"i-0aaa"}}}}"#
        )
    };
    let answer = r#"{"Rdata":"203.0.113.200","Type":"A","Class":"IN"}"#;
    let lines = [
        query(
            "2024-05-05T01:55:00Z",
            "c2.exfil-relay.example.",
            "NOERROR",
            answer,
            53211,
        ),
        query(
            "2024-05-05T01:58:00Z",
            "c2.exfil-relay.example.",
            "NOERROR",
            answer,
            53213,
        ),
        query("2024-05-05T01:56:00Z", "nothing.example.", "NXDOMAIN", "", 53212),
        // A name carrying a terminal escape: it must reach the screen escaped.
        query("2024-05-05T01:57:00Z", r"evil\u001b[2J.example.", "NXDOMAIN", "", 53214),
    ];
    gz(
        &logs.join("vpcdnsquerylogs/vpc-01/2024/05/05/111122223333_vpcdnsquerylogs_vpc-01_20240505T0155Z_cc.log.gz"),
        &(lines.join("\n") + "\n"),
    );
    dir
}

#[test]
fn findings_list() {
    check_on(&demo(), "findings", |h| h.keys("F"));
}

#[test]
fn finding_page() {
    check_on(&demo(), "finding", |h| h.keys("F enter"));
}

#[test]
fn flows_list() {
    check_on(&demo(), "flows", |h| command(h, "flows instance=i-0a1b2c3d4e5f67890"));
}

#[test]
fn ip_report_with_network_sections() {
    // Tab moves to the next section, the Network, and scrolls to it.
    check_on(&demo(), "ip_network", |h| {
        command(h, &format!("ip {NEW_IP}"));
        h.keys("tab");
    });
}

#[test]
fn ip_report_with_dns_sections() {
    let lake = dns_lake();
    check_on(&lake.path().join("net"), "ip_dns", |h| command(h, "ip 10.0.1.5"));
}

#[test]
fn name_page() {
    let lake = dns_lake();
    check_on(&lake.path().join("net"), "name", |h| command(h, &format!("dns {C2}.")));
}

#[test]
fn findings_then_finding_then_its_resource() {
    let mut h = Harness::open(&demo(), 120, 40);
    h.keys("F");
    let list = h.app.screen::<FindingsScreen>().expect("the findings list");
    assert!(list.rows.len() > 3, "{}", h.screen());
    let severities: Vec<i32> = list.rows.iter().map(|f| f.severity_id.unwrap_or(0)).collect();
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "most severe first: {severities:?}"
    );
    let first = list.rows[0].id.clone();

    h.keys("enter");
    assert_eq!(h.title(), format!("Finding {first}"));
    assert_eq!(h.summary("severity").as_deref(), Some("Critical (5)"));
    h.cursor_to_row(BUCKET);
    h.keys("enter");
    assert_eq!(h.title(), format!("Resource {BUCKET}"));
    let screen = h.screen();
    assert!(screen.contains("Findings (8)"), "{screen}");

    // Back on the finding: its events an hour either side, in that window.
    h.keys("backspace");
    h.cursor_to_row(&format!("resource={BUCKET}"));
    h.keys("enter");
    let events = h.app.screen::<EventsScreen>().expect("the events around");
    assert_eq!(events.filter.resource.as_deref(), Some(BUCKET));
    assert!(!events.rows.is_empty(), "{}", h.screen());
    let scope = h.app.scope();
    let (from, to) = (scope.from_ms.expect("from"), scope.to_ms.expect("to"));
    assert_eq!(to - from, 2 * 3_600_000);
    assert!(
        events
            .rows
            .iter()
            .all(|e| e.time.is_some_and(|t| t.0 >= from && t.0 <= to))
    );

    // The original record opens in the inspector.
    h.keys("backspace");
    h.cursor_to_row("open in the inspector (fold, copy)");
    h.keys("enter");
    let inspector = h.app.screen::<InspectorScreen>().expect("the record");
    assert!(inspector.whole_text().contains(&first), "{}", h.screen());
}

#[test]
fn findings_command_takes_a_severity() {
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, "findings critical");
    let list = h.app.screen::<FindingsScreen>().expect("the findings list");
    // The two critical Security Hub controls and Inspector's CVE.
    assert_eq!(list.rows.len(), 3, "{}", h.screen());
    assert!(h.title().contains("severity≥critical"), "{}", h.title());
    command(&mut h, "findings severe");
    let screen = h.screen();
    assert!(screen.contains("unknown severity"), "{screen}");

    let id = h.app.screen::<FindingsScreen>().expect("still the list").rows[1]
        .id
        .clone();
    command(&mut h, &format!("finding {id}"));
    assert_eq!(h.title(), format!("Finding {id}"));
    command(&mut h, "finding nope");
    assert!(h.screen().contains("no finding nope in the lake"), "{}", h.screen());
}

#[test]
fn ip_network_row_opens_the_peer() {
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("ip {NEW_IP}"));
    h.cursor_to_row(PRIVATE_IP);
    assert_eq!(h.selected_row().expect("a row")[1], "22/tcp");
    h.keys("enter");
    assert_eq!(h.title(), format!("IP {PRIVATE_IP}"));
    let screen = h.screen();
    assert!(screen.contains("Network ("), "{screen}");
}

#[test]
fn flows_from_a_report_and_the_command() {
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("resource {INSTANCE}"));
    h.keys("f");
    assert_eq!(h.title(), "Flows instance=i-0a1b2c3d4e5f67890");
    let flows = h.app.screen::<FlowsScreen>().expect("the flows");
    assert!(flows.rows.len() >= 3, "{}", h.screen());
    let bytes: Vec<u64> = flows.rows.iter().map(|f| f.bytes_out + f.bytes_in).collect();
    assert!(bytes.windows(2).all(|w| w[0] >= w[1]), "most bytes first: {bytes:?}");
    let peer = flows.rows[0].peer.clone().expect("a peer");
    h.keys("enter");
    assert_eq!(h.title(), format!("IP {peer}"));

    command(&mut h, &format!("flows ip={NEW_IP}"));
    let flows = h.app.screen::<FlowsScreen>().expect("the flows");
    assert_eq!(flows.rows.len(), 2, "{}", h.screen());
    command(&mut h, "flows port=22");
    assert!(h.screen().contains(":flows needs ip="), "{}", h.screen());

    // Where flows cannot be: the app says where they are.
    command(&mut h, &format!("resource {BUCKET}"));
    h.keys("f");
    assert!(h.screen().contains("flows open from an IP"), "{}", h.screen());
}

#[test]
fn dns_row_name_page_answer_ip() {
    let lake = dns_lake();
    let mut h = Harness::open(&lake.path().join("net"), 120, 40);
    command(&mut h, "ip 10.0.1.5");
    h.cursor_to_row(C2);
    h.keys("enter");
    assert_eq!(h.title(), format!("Name {C2}"));
    assert_eq!(h.summary("queries").as_deref(), Some("2"));
    h.cursor_to_row("203.0.113.200");
    h.keys("enter");
    assert_eq!(h.title(), "IP 203.0.113.200");
    // The name that resolved to it leads back to the name.
    let screen = h.screen();
    assert!(screen.contains("Resolved from (1)"), "{screen}");
    h.cursor_to_row(C2);
    h.keys("enter");
    assert_eq!(h.title(), format!("Name {C2}"));
    // An asker leads to its IP.
    h.cursor_to_row("10.0.1.5");
    h.keys("enter");
    assert_eq!(h.title(), "IP 10.0.1.5");
}

#[test]
fn hostile_names_are_escaped() {
    let lake = dns_lake();
    let mut h = Harness::open(&lake.path().join("net"), 120, 40);
    command(&mut h, "ip 10.0.1.5");
    let screen = h.screen();
    assert!(screen.contains("evil\\e[2j.example"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "{screen}");
    h.cursor_to("evil");
    h.keys("enter");
    assert!(h.title().starts_with("Name evil"), "{}", h.title());
    let screen = h.screen();
    assert!(!screen.contains('\u{1b}'), "{screen}");
    assert!(screen.contains("name: evil\\e[2j.example"), "{screen}");
}

#[test]
fn dns_command_opens_a_name() {
    let lake = dns_lake();
    let mut h = Harness::open(&lake.path().join("net"), 120, 40);
    command(&mut h, "dns C2.Exfil-Relay.Example.");
    assert_eq!(h.title(), format!("Name {C2}"));
    let screen = h.screen();
    assert!(screen.contains("Resolutions (1)"), "{screen}");
    assert!(screen.contains("Askers (1)"), "{screen}");
    command(&mut h, "dns never.asked.example");
    assert!(
        h.screen().contains("no DNS query of never.asked.example"),
        "{}",
        h.screen()
    );
}

#[test]
fn timeline_by_source_leads_to_the_flows() {
    let mut h = Harness::open(&demo(), 120, 40);
    command(&mut h, &format!("ip {NEW_IP}"));
    h.keys("t");
    // Lanes cycle to the split by source (after actor).
    for _ in 0..8 {
        if h.screen().contains("lanes: source") {
            break;
        }
        h.keys("b");
    }
    let screen = h.screen();
    assert!(screen.contains("lanes: source"), "{screen}");
    assert!(screen.contains("API calls") && screen.contains("flows"), "{screen}");
    // Down from the total to the flows lane (lanes are ordered by volume).
    h.keys("g");
    for _ in 0..6 {
        let lane = h
            .app
            .screen::<TimelineScreen>()
            .and_then(|t| t.selected_lane().map(str::to_string));
        if lane.as_deref() == Some("flows") {
            break;
        }
        h.keys("j");
    }
    h.keys("enter");
    assert!(
        h.title().starts_with("Flows ip=203.0.113.66"),
        "{}\n{}",
        h.title(),
        h.screen()
    );
}
