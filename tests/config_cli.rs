//! `lakescope config` as a user runs it: formats and the demo's truth.

mod common;

use common::{run as lakescope, stdout, truth};
use serde_json::Value;

#[test]
fn json_report_names_the_event_and_actor_behind_the_change() {
    let t = &truth()["intrusion"]["security_group_change"];
    let group = t["group_id"].as_str().unwrap();
    let out = lakescope(&[
        "--format",
        "json",
        "config",
        group,
        "--events",
        "--diff",
        "--related",
        "2",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["resource_id"], *group);
    assert_eq!(v["resource_type"], "AWS::EC2::SecurityGroup");
    let likely: Vec<&Value> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["likely"] == true)
        .collect();
    assert_eq!(likely.len(), 1, "{likely:#?}");
    assert_eq!(likely[0]["event_id"], t["event_id"]);
    assert_eq!(likely[0]["actor"], t["actor_arn"]);
    assert_eq!(likely[0]["capture"], t["config_capture_time"]);
    let statuses: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ResourceDiscovered", "OK"]);
    let related = v["related"].as_array().unwrap();
    assert_eq!(related[0]["depth"], 0);
    assert!(
        related.iter().any(|r| r["note"].as_str().unwrap().starts_with("cycle")),
        "{related:#?}"
    );
    // The compliance item names the group; the group does not name it back.
    let compliance = related
        .iter()
        .find(|r| r["resource_type"] == "AWS::Config::ResourceCompliance")
        .unwrap_or_else(|| panic!("no compliance row in {related:#?}"));
    assert_eq!(compliance["via"], "  ← Is associated with");
    assert_eq!(compliance["resource_id"], format!("AWS::EC2::SecurityGroup/{group}"));
}

#[test]
fn at_shows_the_state_before_the_change() {
    let t = &truth()["intrusion"]["security_group_change"];
    let group = t["group_id"].as_str().unwrap();
    let out = lakescope(&[
        "--format",
        "json",
        "config",
        group,
        "--at",
        t["event_time"].as_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["status"], "ResourceDiscovered");
    let ports: Vec<i64> = v["configuration"]["ipPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["fromPort"].as_i64().unwrap())
        .collect();
    assert_eq!(ports, [443]);
}

#[test]
fn table_and_csv_show_sections() {
    let t = &truth()["intrusion"]["bucket_policy_change"];
    let bucket = t["bucket"].as_str().unwrap();
    let table = stdout(&lakescope(&["config", bucket, "--events"]));
    assert!(table.contains("timeline (2)"), "{table}");
    assert!(table.contains("PutBucketPolicy"), "{table}");
    let csv = stdout(&lakescope(&["--format", "csv", "config", bucket, "--diff"]));
    assert!(
        csv.contains("\n# diff\ncapture,status,change,path,before,after\n"),
        "{csv}"
    );
    assert!(
        csv.contains("supplementaryConfiguration.BucketPolicy.policyText"),
        "{csv}"
    );
}

#[test]
fn unknown_and_listing() {
    let out = lakescope(&["config", "sg-does-not-exist"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no AWS Config item has the id, ARN or name \"sg-does-not-exist\""),
        "{err}"
    );
    let list: Value = serde_json::from_str(&stdout(&lakescope(&["--format", "json", "config", "list"]))).unwrap();
    assert_eq!(
        list.as_array().unwrap().len() as u64,
        truth()["config"]["resources"].as_u64().unwrap()
    );
}

/// --from/--to choose the captures listed, diffed and explained; the state
/// shown stays the one in force (the latest here).
#[test]
fn from_and_to_choose_the_captures_listed() {
    let t = &truth()["intrusion"]["security_group_change"];
    let group = t["group_id"].as_str().unwrap();
    let capture = t["config_capture_time"].as_str().unwrap();
    let day = &capture[..10];
    let report = |range: &[&str]| -> Value {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(range);
        args.extend(["config", group, "--diff", "--events"]);
        serde_json::from_str(&stdout(&lakescope(&args))).unwrap()
    };
    let all = report(&[]);
    let captures = |v: &Value, key: &str| -> Vec<String> {
        let mut c: Vec<String> = v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["capture"].as_str().unwrap().to_string())
            .collect();
        c.dedup();
        c
    };
    assert!(captures(&all, "timeline").len() > 1, "{}", all["timeline"]);
    let that_day = report(&["--from", day, "--to", day]);
    assert_eq!(captures(&that_day, "timeline"), [capture]);
    assert_eq!(captures(&that_day, "diff"), [capture]);
    assert_eq!(captures(&that_day, "events"), [capture]);
    assert_eq!(that_day["items"], all["items"], "the whole history is still counted");
    assert_eq!(that_day["configuration"], all["configuration"]);
    let before = report(&["--to", "2024-05-01"]);
    assert!(!captures(&before, "timeline").contains(&capture.to_string()));
    assert!(
        before["diff"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["capture"] != capture)
    );
}

/// A relationship recorded only on the other side is listed with `←`.
#[test]
fn incoming_relationships_are_listed() {
    let group = truth()["intrusion"]["security_group_change"]["group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let v: Value = serde_json::from_str(&stdout(&lakescope(&["--format", "json", "config", &group]))).unwrap();
    let rels = v["relationships"].as_array().unwrap();
    let incoming: Vec<&Value> = rels
        .iter()
        .filter(|r| r["relationship"].as_str().unwrap().starts_with("← "))
        .collect();
    assert!(!incoming.is_empty(), "{rels:?}");
    for r in incoming {
        // The other resource's own item names this group.
        let id = r["resource_id"].as_str().unwrap();
        let other: Value = serde_json::from_str(&stdout(&lakescope(&["--format", "json", "config", id]))).unwrap();
        let names_it = other["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["resource_id"].as_str() == Some(group.as_str()));
        assert!(names_it, "{id} does not name {group}: {}", other["relationships"]);
    }
}
