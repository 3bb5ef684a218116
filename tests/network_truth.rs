//! From the GuardDuty finding alone, through the command line, every part of
//! the planted network story is reached and equals TRUTH.json: the leaked
//! key and its IPs, the compromised instance's exfiltration peer with its
//! byte count, the C2 name that resolved to it, the scanner's denied probes
//! and its WAF requests.

mod common;

use common::{json, n, run, s, truth};
use serde_json::Value;

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {v}"))
        .iter()
        .map(s)
        .collect()
}

fn lakescope_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    json(&run(&all))
}

#[test]
fn from_the_finding_to_the_key_the_exfiltration_the_c2_name_and_the_scanner() {
    let t = &truth()["network"];
    let intrusion = &truth()["intrusion"];
    let gd = &t["guardduty"];

    // The finding is listed among the high ones, as GuardDuty's.
    let high = lakescope_json(&["findings", "--severity", "high", "--product", "guardduty"]);
    let listed = high
        .as_array()
        .expect("list")
        .iter()
        .find(|f| f["id"] == gd["uid"])
        .expect("the GuardDuty finding is listed");
    assert_eq!(listed["type"], gd["type"]);
    assert_eq!(listed["product"], "GuardDuty");

    // What it names.
    let finding = lakescope_json(&["finding", s(&gd["uid"]), "--events"]);
    assert!(
        strings(&finding["access_keys"]).contains(&s(&gd["access_key"])),
        "{finding}"
    );
    assert_eq!(s(&gd["access_key"]), s(&intrusion["leaked_key"]));
    assert!(strings(&finding["ips"]).contains(&s(&gd["ip"])));
    assert!(strings(&finding["actors"]).contains(&s(&gd["actor_arn"])));
    let instance = s(&t["instance"]["id"]);
    let instance_arn = strings(&finding["resources"])
        .into_iter()
        .find(|r| r.ends_with(instance))
        .expect("the finding names the instance")
        .to_string();
    assert!(
        !finding["events_around"].as_array().expect("events").is_empty(),
        "the intruder's calls around the finding"
    );

    // The key: its IPs are the known one and the new one.
    let key = lakescope_json(&["key", s(&gd["access_key"])]);
    let mut ips: Vec<&str> = key["source_ips"]
        .as_array()
        .expect("ips")
        .iter()
        .map(|r| s(&r["ip"]))
        .collect();
    ips.sort();
    let mut expected: Vec<&str> = strings(&intrusion["known_ips"]);
    expected.push(s(&intrusion["new_ip"]));
    expected.sort();
    assert_eq!(ips, expected);
    assert!(
        key["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == gd["uid"])
    );

    // The instance: its largest conversation is the exfiltration.
    let exfil = &t["exfil"];
    let report = lakescope_json(&["resource", &instance_arn]);
    let network = report["network"].as_array().expect("network");
    let out: Vec<&Value> = network.iter().filter(|r| r["peer"] == exfil["ip"]).collect();
    assert!(!out.is_empty(), "no flows to the exfiltration address: {network:?}");
    assert_eq!(
        out.iter().map(|r| n(&r["bytes_out"])).sum::<u64>(),
        n(&exfil["bytes_out"])
    );
    assert_eq!(
        out.iter().map(|r| n(&r["bytes_in"])).sum::<u64>(),
        n(&exfil["bytes_in"])
    );
    assert!(
        out.iter()
            .all(|r| r["port"] == exfil["port"] && r["protocol"] == exfil["protocol"])
    );
    assert_eq!(network[0]["peer"], exfil["ip"], "most bytes first");
    // … and its rejected flows: the scanner's probes (too small for the
    // report's busiest conversations; `flows` pages through all of them).
    let scanner = &t["scanner"];
    let rejected = lakescope_json(&["flows", "--instance", instance, "--action", "reject", "--limit", "1000"]);
    let probes: Vec<&Value> = rejected
        .as_array()
        .expect("flows")
        .iter()
        .filter(|r| r["peer"] == scanner["ip"])
        .collect();
    assert_eq!(
        probes.iter().map(|r| n(&r["rejected"])).sum::<u64>(),
        n(&scanner["denied_probes"])
    );
    let mut ports: Vec<u64> = probes.iter().map(|r| n(&r["port"])).collect();
    ports.sort();
    let mut truth_ports: Vec<u64> = scanner["ports"].as_array().expect("ports").iter().map(n).collect();
    truth_ports.sort();
    assert_eq!(ports, truth_ports);

    // The exfiltration address: the C2 name resolved to it, asked by the instance.
    let c2 = &t["c2"];
    let peer = lakescope_json(&["ip", s(&exfil["ip"])]);
    let resolved = peer["resolved_from"].as_array().expect("resolved_from");
    let name = resolved
        .iter()
        .find(|r| r["name"] == c2["name"])
        .expect("the C2 name resolved to it");
    assert_eq!(strings(&name["askers"]), vec![s(&c2["asked_by"])]);
    let dns = lakescope_json(&["dns", s(&c2["name"])]);
    assert_eq!(dns["first_seen"], c2["first_seen"]);
    let answers: Vec<&str> = dns["resolutions"]
        .as_array()
        .expect("resolutions")
        .iter()
        .flat_map(|r| strings(&r["answers"]))
        .collect();
    assert_eq!(answers, strings(&c2["answers"]));

    // The scanner: its HTTP requests, some blocked.
    let waf = &t["waf"];
    let scanner_ip = lakescope_json(&["ip", s(&scanner["ip"])]);
    let http = scanner_ip["http"].as_array().expect("http");
    let total: u64 = http.iter().map(|r| n(&r["requests"])).sum();
    let blocked: u64 = http
        .iter()
        .filter(|r| r["action"] == "BLOCK")
        .map(|r| n(&r["requests"]))
        .sum();
    assert_eq!((total, blocked), (n(&waf["requests"]), n(&waf["blocked"])));
    let recon = &t["recon_finding"];
    assert!(
        scanner_ip["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["id"] == recon["uid"]),
        "the port-probe finding names the scanner"
    );
}
