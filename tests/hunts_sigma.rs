//! Sigma rules for CloudTrail (written here) over the demo lake: each
//! rule's hits equal an independent SQL count over `ev`, modifiers and
//! conditions included; a rule with unsupported parts is refused by name
//! and the others still run.

mod common;

use std::collections::BTreeSet;

use common::{demo, demo_session, json, s, truth};
use lakescope::lake::hunts::{self, sigma};
use lakescope::lake::{Scope, events};

/// A rule for CloudTrail with this detection.
fn rule(title: &str, detection: &str) -> String {
    format!(
        "title: {title}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}\nlevel: high\n\
         tags:\n  - attack.defense_evasion\n  - attack.t1562.007\n"
    )
}

/// The event ids a rule hits, and those `sql` (over `ev`) selects.
fn compare(detection: &str, sql_where: &str) -> BTreeSet<String> {
    let hunts = sigma::parse("rule", &rule("Test", detection)).unwrap();
    let report = hunts::run(&demo_session(), &Scope::default(), &hunts).unwrap();
    let hit: BTreeSet<String> = report.events.iter().filter_map(|e| e.event.event_id.clone()).collect();
    let sql = format!("SELECT event_uid FROM ev WHERE {sql_where}");
    let expected: BTreeSet<String> = events::sql(&demo_session(), &Scope::default(), &sql)
        .unwrap()
        .iter()
        .map(|row| s(&row["event_uid"]).to_string())
        .collect();
    assert_eq!(hit, expected, "{detection}");
    hit
}

#[test]
fn fields_lists_wildcards_and_case_as_sigma_means_them() {
    let hit = compare(
        "  selection:\n    eventName: NoSuchCall\n  condition: selection",
        "false",
    );
    assert!(hit.is_empty());
    let sg = compare(
        "  selection:\n    eventName: authorizesecuritygroupingress\n    requestParameters|contains: 0.0.0.0/0\n  condition: selection",
        "operation = 'AuthorizeSecurityGroupIngress' AND contains(request_json, '0.0.0.0/0')",
    );
    assert_eq!(
        sg,
        BTreeSet::from([s(&truth()["intrusion"]["security_group_change"]["event_id"]).to_string()])
    );
    compare(
        "  selection:\n    eventName: 'Put*Policy'\n    userIdentity.type: AssumedRole\n  condition: selection",
        "operation LIKE 'Put%Policy' AND actor_type = 'AssumedRole'",
    );
    compare(
        "  selection:\n    requestParameters|contains|all:\n      - '\"fromPort\":22'\n      - 0.0.0.0/0\n  condition: selection",
        "contains(request_json, '\"fromPort\":22') AND contains(request_json, '0.0.0.0/0')",
    );
}

#[test]
fn conditions_quantifiers_exists_cidr_and_re() {
    let persistence = compare(
        "  selection_keys:\n    eventName:\n      - CreateAccessKey\n      - CreateLoginProfile\n  \
         selection_admin:\n    eventName|startswith: Attach\n    requestParameters.policyArn|endswith: /AdministratorAccess\n  \
         failed:\n    errorCode|exists: true\n  condition: 1 of selection_* and not failed",
        "(operation IN ('CreateAccessKey', 'CreateLoginProfile') OR (operation LIKE 'Attach%' \
         AND request_json LIKE '%/AdministratorAccess\"%')) AND error_code IS NULL",
    );
    assert_eq!(persistence.len(), 3, "the backdoor user's key, password and policy");
    compare(
        "  selection:\n    sourceIPAddress|cidr: 203.0.113.0/24\n    eventName: ConsoleLogin\n  condition: selection",
        "src_ip LIKE '203.0.113.%' AND operation = 'ConsoleLogin'",
    );
    compare(
        "  selection:\n    userIdentity.arn|re: ':user/(ci|backup)-'\n    errorCode: AccessDenied\n  condition: all of them",
        "regexp_matches(actor_arn, ':user/(ci|backup)-') AND error_code = 'AccessDenied'",
    );
    compare(
        "  a:\n    eventSource: sts.amazonaws.com\n  b:\n    errorCode: null\n  condition: a and not (b or a and b)",
        "service = 'sts.amazonaws.com' AND error_code IS NOT NULL",
    );
}

#[test]
fn lakescope_hunt_rules_refuses_a_rule_by_name_and_runs_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sg-open.yml"),
        rule(
            "SSH open to the world",
            "  selection:\n    eventName: AuthorizeSecurityGroupIngress\n    requestParameters|contains: 0.0.0.0/0\n  condition: selection",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("encoded.yml"),
        rule(
            "Encoded command",
            "  selection:\n    requestParameters.userData|base64offset|contains: curl\n  condition: selection",
        ),
    )
    .unwrap();
    let none = tempfile::tempdir().unwrap();
    let lake = demo().display().to_string();
    let out = common::lakescope()
        .env("LAKESCOPE_HUNTS", none.path())
        .args(["--lake", &lake, "--format", "json", "hunt", "--rules"])
        .arg(dir.path())
        .args(["--severity", "high"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("encoded.yml refused: rule \"Encoded command\": selection selection: modifier |base64offset is not supported"),
        "{err}"
    );
    let hits = json(&out);
    let ids: Vec<&str> = hits.as_array().unwrap().iter().map(|h| s(&h["id"])).collect();
    assert!(
        ids.contains(&"sigma-sg-open") && ids.contains(&"bucket-made-public"),
        "{ids:?}"
    );
    let rule = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "sigma-sg-open")
        .unwrap();
    assert_eq!(
        (s(&rule["technique"]), s(&rule["tactic"])),
        ("T1562.007", "Defense Evasion")
    );
    assert_eq!(rule["events"], 1);
}
