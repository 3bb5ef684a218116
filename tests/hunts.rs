//! Hunts on the demo lake: every planted step of the intrusion is hit by a
//! hunt of the step's technique (TRUTH.json `intrusion.steps`), and every
//! hit on the background is listed here, so that a noisy hunt shows. Hunts
//! the demo lake has no events for run in `hunts_built.rs`, the real samples
//! in `hunts_real.rs`.

mod common;

use std::collections::BTreeSet;

use common::{demo_session, s, truth};
use lakescope::lake::hunts::{self, Hunt, HuntReport, Severity, library};
use lakescope::lake::{Scope, parse_time};

fn built_in() -> Vec<Hunt> {
    library::built_in().unwrap()
}

fn demo_report(scope: &Scope) -> HuntReport {
    hunts::run(&demo_session(), scope, &built_in()).unwrap()
}

fn ids_hit_by(report: &HuntReport, technique: &str) -> BTreeSet<String> {
    let hunts: BTreeSet<String> = built_in()
        .into_iter()
        .filter(|h| h.technique == technique)
        .map(|h| h.id)
        .collect();
    assert!(!hunts.is_empty(), "no built-in hunt has technique {technique}");
    report
        .events
        .iter()
        .filter(|e| hunts.contains(&e.hunt))
        .filter_map(|e| e.event.event_id.clone())
        .collect()
}

#[test]
fn every_planted_step_is_hit_by_a_hunt_of_its_technique() {
    let report = demo_report(&Scope::default());
    let steps = truth()["intrusion"]["steps"].as_array().unwrap();
    assert!(steps.len() >= 10, "{steps:?}");
    for step in steps {
        let hit = ids_hit_by(&report, s(&step["technique"]));
        let missed: Vec<&str> = step["event_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(s)
            .filter(|id| !hit.contains(*id))
            .collect();
        assert!(
            missed.is_empty(),
            "step {} ({}): events not hit {missed:?}",
            step["name"],
            step["technique"]
        );
    }
}

#[test]
fn the_hunts_hits_on_the_background_are_these() {
    // Every story event comes from the intruder's new address.
    let new_ip = s(&truth()["intrusion"]["new_ip"]);
    let report = demo_report(&Scope::default());
    let background: Vec<String> = report
        .events
        .iter()
        .filter(|e| e.event.source_ip.as_deref() != Some(new_ip))
        .map(|e| {
            format!(
                "{} {} {} {}",
                e.hunt,
                e.event.time.unwrap(),
                e.event.actor,
                e.event.operation.as_deref().unwrap_or("-")
            )
        })
        .collect();
    // Root signs in and looks at its account once a day in each account,
    // with MFA (`MFAUsed: Yes`): the MFA hunt does not hit those sign-ins.
    let expected = [
        "root-activity 2024-05-02T09:12:44Z arn:aws:iam::012345678901:root ConsoleLogin",
        "root-activity 2024-05-02T09:13:20Z arn:aws:iam::012345678901:root GetAccountSummary",
        "root-activity 2024-05-03T09:12:44Z arn:aws:iam::111122223333:root ConsoleLogin",
        "root-activity 2024-05-03T09:13:20Z arn:aws:iam::111122223333:root GetAccountSummary",
        "root-activity 2024-05-04T09:12:44Z arn:aws:iam::444455556666:root ConsoleLogin",
        "root-activity 2024-05-04T09:13:20Z arn:aws:iam::444455556666:root GetAccountSummary",
    ];
    assert_eq!(background, expected);
}

#[test]
fn hits_are_summed_up_by_hunt_most_severe_first() {
    let report = demo_report(&Scope::default());
    assert_eq!(report.hunts, built_in().len());
    let severities: Vec<Severity> = report.hits.iter().map(|h| h.severity).collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "{severities:?}");
    let burst = report.hits.iter().find(|h| h.id == "access-denied-burst").unwrap();
    let planted = &truth()["intrusion"]["access_denied_burst"];
    // The 12 planted denials, and the denied AssumeRole less than five
    // minutes after them.
    assert_eq!(burst.events, 13);
    assert_eq!(burst.first_seen.unwrap().to_string(), s(&planted["start"]));
    assert_eq!(burst.actors, [s(&truth()["intrusion"]["intruder_arn"])]);
    for hit in &report.hits {
        assert_eq!(report.events_of(&hit.id).count() as u64, hit.events, "{}", hit.id);
    }
    let intruder = report
        .hits_of_actor(s(&truth()["intrusion"]["intruder_arn"]))
        .map(|h| h.id.as_str())
        .collect::<Vec<_>>();
    assert!(intruder.contains(&"cross-account-role-from-new-ip"), "{intruder:?}");
}

#[test]
fn hunts_respect_the_scope() {
    let before = Scope {
        to_ms: Some(parse_time("2024-05-05", false).unwrap()),
        ..Scope::default()
    };
    let ids: Vec<String> = demo_report(&before).hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids, ["root-activity"]);
    let data = Scope {
        accounts: vec!["444455556666".into()],
        ..Scope::default()
    };
    let report = demo_report(&data);
    assert!(
        report
            .events
            .iter()
            .all(|e| e.event.account.as_deref() == Some("444455556666"))
    );
    assert!(report.hits.iter().any(|h| h.id == "bucket-made-public"));
    assert!(!report.hits.iter().any(|h| h.id == "iam-enumeration-burst"));
}

#[test]
fn a_burst_needs_its_count_within_its_window() {
    let mut hunt = built_in().into_iter().find(|h| h.id == "access-denied-burst").unwrap();
    hunt.burst.as_mut().unwrap().count = 14;
    let report = hunts::run(&demo_session(), &Scope::default(), &[hunt.clone()]).unwrap();
    assert!(report.hits.is_empty(), "{:?}", report.hits);
    hunt.burst.as_mut().unwrap().count = 13;
    hunt.burst.as_mut().unwrap().window = "2m".into();
    let report = hunts::run(&demo_session(), &Scope::default(), &[hunt]).unwrap();
    assert!(
        report.hits.is_empty(),
        "13 denials span more than two minutes: {:?}",
        report.hits
    );
}

#[test]
fn a_bad_pattern_is_named_before_the_lake_is_read() {
    let mut hunt = built_in()
        .into_iter()
        .find(|h| h.id == "admin-policy-attached")
        .unwrap();
    hunt.rules[0].request[0].matches = Some("(unclosed".into());
    let err = hunts::run(&demo_session(), &Scope::default(), &[hunt]).unwrap_err();
    assert!(err.to_string().contains("admin-policy-attached"), "{err}");
}

#[test]
fn the_readme_example_hunt_reads_and_runs() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let start = readme
        .find("```toml\nid = \"ecr-token-outside-ci\"")
        .expect("the example in README");
    let text = &readme[start + "```toml\n".len()..];
    let text = &text[..text.find("```").unwrap()];
    let hunt = Hunt::parse("README.md", text).unwrap();
    assert_eq!(
        hunt.new.map(|n| n.value),
        Some(lakescope::lake::hunts::format::SightingValue::SrcIp)
    );
    hunts::run(&demo_session(), &Scope::default(), &[hunt]).unwrap();
}

#[test]
fn an_actors_hits_are_those_of_the_whole_run() {
    let intruder = s(&truth()["intrusion"]["intruder_arn"]);
    let all = demo_report(&Scope::default());
    let own = hunts::run_for(&demo_session(), &Scope::default(), &built_in(), Some(intruder)).unwrap();
    let expected: Vec<(String, u64)> = all.hits_of_actor(intruder).map(|h| (h.id.clone(), h.events)).collect();
    let got: Vec<(String, u64)> = own.hits.iter().map(|h| (h.id.clone(), h.events)).collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 5, "{got:?}");
}

#[test]
fn a_sequence_hits_the_first_chain_of_one_actor_in_order() {
    let mut hunt = built_in()
        .into_iter()
        .find(|h| h.id == "new-network-denied-then-iam-change")
        .unwrap();
    let report = hunts::run(&demo_session(), &Scope::default(), &[hunt.clone()]).unwrap();
    let chain: Vec<String> = report
        .events
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.event.time.unwrap(),
                e.event.operation.as_deref().unwrap_or("-")
            )
        })
        .collect();
    // The leaked key's first call from the new network, its first denied
    // call, its first (denied) IAM change.
    assert_eq!(
        chain,
        [
            "2024-05-05T02:13:07Z GetCallerIdentity",
            "2024-05-05T02:14:31Z ListSecrets",
            "2024-05-05T02:15:20Z CreateUser",
        ]
    );
    assert_eq!(report.hits[0].actors, [s(&truth()["intrusion"]["intruder_arn"])]);
    assert_eq!(report.hunts, 1, "the steps run but are not reported as hunts");
    // Within two minutes: a later chain (every call of the intruder is
    // from the new network), starting with ListUsers.
    hunt.sequence.as_mut().unwrap().window = "2m".into();
    let report = hunts::run(&demo_session(), &Scope::default(), &[hunt.clone()]).unwrap();
    let first = report.events.first().and_then(|e| e.event.operation.clone());
    assert_eq!(first.as_deref(), Some("ListUsers"));
    // Within five seconds: the intruder's calls are at least 7 s apart.
    hunt.sequence.as_mut().unwrap().window = "5s".into();
    let report = hunts::run(&demo_session(), &Scope::default(), &[hunt]).unwrap();
    assert!(report.hits.is_empty(), "{:?}", report.events);
}

/// A sign-in says whether it used MFA from its own field (raw CloudTrail's
/// `additionalEventData.MFAUsed`, Security Lake 1.0's `mfa`, 2.0's
/// `is_mfa`) when its session carries no flag: root's daily sign-ins did,
/// the intruder's did not — read from each source alone.
#[test]
fn sign_ins_say_whether_they_used_mfa_in_every_source() {
    let tmp = tempfile::tempdir().unwrap();
    for (folder, want) in [
        ("AWSLogs", vec![("IAMUser", false), ("Root", true)]),
        ("aws", vec![("IAMUser", false), ("Root", true)]),
    ] {
        let out = common::lakescope()
            .env("LAKESCOPE_CACHE_DIR", tmp.path().join(folder))
            .args(["--format", "json", "--lake"])
            .arg(common::demo().join(folder))
            .args([
                "sql",
                "SELECT DISTINCT actor_type, session_mfa FROM ev WHERE operation = 'ConsoleLogin' ORDER BY ALL",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got: Vec<(String, bool)> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (s(&r["actor_type"]).to_string(), r["session_mfa"].as_bool().unwrap()))
            .collect();
        let want: Vec<(String, bool)> = want.into_iter().map(|(t, m)| (t.to_string(), m)).collect();
        assert_eq!(got, want, "{folder}");
    }
}
