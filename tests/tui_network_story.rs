//! The demo lake's network story walked with keys, from the GuardDuty finding
//! alone: its key and that key's IPs, the instance's exfiltration peer with
//! its bytes, the C2 name that resolved to that peer, and the scanner's WAF
//! requests — each equal to TRUTH.json.

mod tui_support;

use lakescope::tui::screens::findings::FindingsScreen;
use lakescope::tui::screens::flows::FlowsScreen;
use serde_json::Value;
use tui_support::{Harness, demo, truth};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("expected a number, got {v}"))
}

#[test]
fn from_the_guardduty_finding_to_the_key_the_exfiltration_the_c2_name_and_the_waf_requests() {
    let t = &truth()["network"];
    let gd = &t["guardduty"];
    let mut h = Harness::open(&demo(), 160, 50);

    // The findings list, most severe first; the GuardDuty one is there.
    h.keys("F");
    let list = h.app.screen::<FindingsScreen>().expect("the findings list");
    let at = list
        .rows
        .iter()
        .position(|f| f.id == s(&gd["uid"]))
        .unwrap_or_else(|| panic!("GuardDuty finding not listed:\n{}", h.screen()));
    h.keys("g");
    for _ in 0..at {
        h.keys("j");
    }
    h.keys("enter");
    assert!(h.title().starts_with("Finding"), "{}", h.title());
    let page = h.screen();
    assert!(page.contains(s(&gd["type"])), "{page}");

    // Its access key → the key's report names both IPs.
    h.cursor_to_row(s(&gd["access_key"]));
    h.keys("enter");
    assert!(h.title().contains(s(&gd["access_key"])), "{}", h.title());
    let key = h.screen();
    let intrusion = &truth()["intrusion"];
    for ip in intrusion["known_ips"]
        .as_array()
        .expect("ips")
        .iter()
        .chain([&intrusion["new_ip"]])
    {
        assert!(key.contains(s(ip)), "{} missing from the key's report:\n{key}", s(ip));
    }
    h.keys("backspace");

    // The instance it names → its flows: the exfiltration peer first, with its bytes.
    let exfil = &t["exfil"];
    h.cursor_to(s(&t["instance"]["id"]));
    h.keys("enter");
    assert!(h.title().contains(s(&t["instance"]["id"])), "{}", h.title());
    h.keys("f");
    let flows = h.app.screen::<FlowsScreen>().expect("the instance's flows");
    let top = &flows.rows[0];
    assert_eq!(top.peer.as_deref(), Some(s(&exfil["ip"])));
    let out: u64 = flows
        .rows
        .iter()
        .filter(|r| r.peer.as_deref() == Some(s(&exfil["ip"])))
        .map(|r| r.bytes_out)
        .sum();
    assert_eq!(out, n(&exfil["bytes_out"]));
    assert!(h.screen().contains(s(&exfil["ip"])));

    // Enter on the peer → its report: the C2 name resolved to it.
    h.keys("g enter");
    assert!(h.title().contains(s(&exfil["ip"])), "{}", h.title());
    let c2 = &t["c2"];
    let name = s(&c2["name"]).trim_end_matches('.');
    h.cursor_to_row(name);
    h.keys("enter");
    let page = h.screen();
    assert!(h.title().contains(name), "{}\n{page}", h.title());
    assert!(page.contains(s(&c2["asked_by"])), "the instance asked:\n{page}");
    for answer in c2["answers"].as_array().expect("answers") {
        assert!(page.contains(s(answer)), "{page}");
    }

    // Back to the finding page; the recon finding names the scanner, whose
    // report shows its WAF requests, blocked and allowed.
    let waf = &t["waf"];
    h.keys(":");
    h.type_text(&format!("ip {}", s(&waf["client_ip"])));
    h.keys("enter");
    let scanner = h.screen();
    assert!(scanner.contains("HTTP ("), "{scanner}");
    for uri in waf["uris"].as_array().expect("uris").iter().take(3) {
        assert!(scanner.contains(s(uri)), "{} not shown:\n{scanner}", s(uri));
    }
    assert!(scanner.contains("BLOCK") && scanner.contains("ALLOW"), "{scanner}");
    assert!(
        scanner.contains("Findings ("),
        "the port-probe finding names the scanner:\n{scanner}"
    );
}
