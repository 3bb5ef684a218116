//! AWS Config on the demo lake (against the generator's TRUTH.json) and on
//! the real published items in `../shared/data/real/config-items`.
//! Real-data tests never skip: without the folder they fail and say why.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{demo, demo_session, s, truth};
use lakescope::lake::config;
use lakescope::lake::config::{ConfigItem, ConfigOptions, DEFAULT_WINDOW_MS, item_at};
use lakescope::lake::{Lake, Scope, Session, parse_time};
use serde_json::Value;

fn real_items() -> PathBuf {
    common::real("config-items")
}

/// The change Config captured, its likely causes and their actors must be
/// exactly the generator's.
fn assert_change_caused_by(truth: &Value, resource: &str) {
    let session = demo_session();
    let key = config::config_resource(&session, resource, &Scope::default()).unwrap();
    assert_eq!(key.account.as_deref(), Some(s(&truth["account"])));
    let items = config::config_items(&session, &key).unwrap();
    let capture = parse_time(s(&truth["config_capture_time"]), false).unwrap();
    let index = items
        .iter()
        .position(|i| i.capture.map(|c| c.0) == Some(capture))
        .unwrap_or_else(|| panic!("no item of {resource} captured at {}", truth["config_capture_time"]));
    assert!(index > 0, "the change has a previous state to compare with");
    let causes = config::config_causes(&session, &key, &items, DEFAULT_WINDOW_MS).unwrap();
    let change = &causes[index];
    let likely: Vec<(&str, &str, &str)> = change
        .likely()
        .map(|e| {
            (
                e.event_id.as_deref().unwrap_or(""),
                e.operation.as_deref().unwrap_or(""),
                e.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        likely,
        vec![(s(&truth["event_id"]), s(&truth["operation"]), s(&truth["actor_arn"]))],
        "likely causes of the {resource} change; all candidates: {:#?}",
        change.events
    );
    let event = change.likely().next().unwrap();
    assert_eq!(event.access_key.as_deref(), Some(s(&truth["access_key"])));
    assert_eq!(
        event.time.map(|t| t.0),
        Some(parse_time(s(&truth["event_time"]), false).unwrap())
    );
    // The earlier item (discovery) is not blamed on this event.
    assert!(causes[index - 1].events.iter().all(|e| e.event_id != event.event_id));
}

#[test]
fn security_group_opening_is_linked_to_its_event_and_actor() {
    let t = &truth()["intrusion"]["security_group_change"];
    assert_change_caused_by(t, s(&t["group_id"]));
    // The diff of that change shows the new rule open to the world.
    let report = config::config_report(
        &demo_session(),
        s(&t["group_id"]),
        &Scope::default(),
        &ConfigOptions {
            diff: true,
            ..ConfigOptions::default()
        },
    )
    .unwrap();
    let diff = report.diff.unwrap();
    let capture = parse_time(s(&t["config_capture_time"]), false).unwrap();
    let added: Vec<&str> = diff
        .iter()
        .filter(|d| d.capture.map(|c| c.0) == Some(capture) && d.path.starts_with("configuration.ipPermissions"))
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(added, ["configuration.ipPermissions[1]"]);
    let rule = diff
        .iter()
        .find(|d| d.path == "configuration.ipPermissions[1]")
        .unwrap();
    assert!(rule.before.is_none());
    assert!(rule.after.as_ref().unwrap().to_string().contains("0.0.0.0/0"));
}

#[test]
fn bucket_policy_change_is_linked_to_its_event_and_actor() {
    let t = &truth()["intrusion"]["bucket_policy_change"];
    // Found by ARN as well as by bucket name.
    assert_change_caused_by(t, s(&t["arn"]));
    assert_eq!(
        config::config_resource(&demo_session(), s(&t["bucket"]), &Scope::default()).unwrap(),
        config::config_resource(&demo_session(), s(&t["arn"]), &Scope::default()).unwrap()
    );
}

#[test]
fn demo_counts_match_the_generator() {
    let t = &truth()["config"];
    let load = config::config_load(&demo_session()).unwrap();
    let delivery = load
        .spellings
        .iter()
        .find(|s| s.spelling == "delivery")
        .expect("delivery items");
    assert_eq!(delivery.items_read, t["items"].as_u64().unwrap());
    assert_eq!(delivery.relationships_read, t["relationships"].as_u64().unwrap());
    assert_eq!(load.resources, t["resources"].as_u64().unwrap());
    assert!(load.problems.is_empty(), "{:#?}", load.problems);
}

/// An item as comparable values: identity, time, status, content.
type Fingerprint = (String, Option<i64>, Option<String>, String, String, String);

fn fingerprint(i: &ConfigItem) -> Fingerprint {
    let rels: BTreeSet<String> = i
        .relationships
        .iter()
        .map(|r| format!("{}|{:?}|{:?}", r.verb, r.resource_type, r.resource_id))
        .collect();
    (
        format!("{:?}", i.key),
        i.capture.map(|c| c.0),
        i.status.clone(),
        i.configuration.to_string(),
        i.tags.to_string(),
        format!("{rels:?}"),
    )
}

fn all_items(session: &Session) -> BTreeSet<Fingerprint> {
    let mut out = BTreeSet::new();
    for r in config::config_resources(session).unwrap() {
        for item in config::config_items(session, &r.key).unwrap() {
            out.insert(fingerprint(&item));
        }
    }
    out
}

#[test]
fn every_spelling_loads_the_same_items() {
    let delivery = all_items(&Lake::open(&demo().join("AWSLogs")).unwrap().session().unwrap());
    let lake = all_items(
        &Lake::open(&demo().join("config-cloudtrail-lake"))
            .unwrap()
            .session()
            .unwrap(),
    );
    let api = all_items(&Lake::open(&demo().join("config-api")).unwrap().session().unwrap());
    assert_eq!(
        delivery.len(),
        delivered_states(),
        "distinct item states in the delivery files"
    );
    assert_eq!(lake, delivery, "CloudTrail Lake export = S3 delivery");
    let sg = s(&truth()["intrusion"]["security_group_change"]["group_id"]);
    let delivery_sg: BTreeSet<_> = delivery
        .iter()
        .filter(|i| i.0.contains(sg) && !i.0.contains("Compliance"))
        .cloned()
        .collect();
    assert!(!api.is_empty());
    assert_eq!(api, delivery_sg, "API history = the security group's delivered items");
}

/// Distinct (account, region, type, id, state id) in the demo's delivery
/// files, read with flate2 and serde_json alone.
fn delivered_states() -> usize {
    let mut states = BTreeSet::new();
    for entry in walkdir::WalkDir::new(demo().join("AWSLogs")) {
        let path = entry.unwrap().into_path();
        let name = path.to_string_lossy().to_string();
        if !(name.contains("/Config/") && name.ends_with(".json.gz")) {
            continue;
        }
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()),
            &mut text,
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        for i in doc["configurationItems"].as_array().unwrap() {
            states.insert(
                [
                    "awsAccountId",
                    "awsRegion",
                    "resourceType",
                    "resourceId",
                    "configurationStateId",
                ]
                .map(|k| i[k].to_string()),
            );
        }
    }
    assert!(!states.is_empty(), "the demo lake has Config delivery files");
    states.len()
}

/// A real item file read with serde_json alone: SNS envelope or bare.
fn real_item(path: &Path) -> Option<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let inner = match doc.get("Message").and_then(Value::as_str) {
        Some(message) => serde_json::from_str::<Value>(message).ok()?,
        None => doc,
    };
    inner.get("configurationItem").cloned()
}

fn real_files() -> Vec<PathBuf> {
    let dir = real_items();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("REAL DATA MISSING: {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Verb of a relationship name, squashed words and trailing spaces allowed.
fn squashed_verb(name: &str) -> &'static str {
    let sq: String = name.split_whitespace().collect::<String>().to_lowercase();
    for (prefix, verb) in [
        ("isattachedto", "Is attached to"),
        ("isassociatedwith", "Is associated with"),
        ("iscontainedin", "Is contained in"),
        ("contains", "Contains"),
    ] {
        if sq.starts_with(prefix) {
            return verb;
        }
    }
    panic!("unexpected relationship name {name:?}")
}

#[test]
fn real_items_load_and_the_bad_one_is_named() {
    let files: Vec<PathBuf> = real_files().iter().map(|p| p.canonicalize().unwrap()).collect();
    let parsed: Vec<(PathBuf, Value)> = files
        .iter()
        .filter_map(|p| real_item(p).map(|v| (p.clone(), v)))
        .collect();
    let unparsable: Vec<&PathBuf> = files.iter().filter(|p| real_item(p).is_none()).collect();
    let lake = Lake::open(&real_items()).unwrap();
    let session = lake.session().unwrap();
    let load = config::config_load(&session).unwrap();
    assert_eq!(load.items_read, parsed.len() as u64);
    let rels: usize = parsed
        .iter()
        .map(|(_, v)| v["relationships"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(load.relationships_read, rels as u64);
    let problem_files: Vec<&Path> = load.problems.iter().map(|p| p.path.as_path()).collect();
    assert_eq!(
        problem_files,
        unparsable.iter().map(|p| p.as_path()).collect::<Vec<_>>()
    );
    assert!(
        load.problems[0].problem.contains("not valid JSON"),
        "{:?}",
        load.problems
    );
    assert!(
        lake.problems().iter().any(|p| p.path == *unparsable[0]),
        "reported with the lake's problems"
    );
    // Distinct resources, as the files name them.
    let resources: BTreeSet<(String, String, String, String)> = parsed
        .iter()
        .map(|(_, v)| {
            let f = |k: &str| v[k].as_str().unwrap_or("").to_string();
            (f("awsAccountId"), f("awsRegion"), f("resourceType"), f("resourceId"))
        })
        .collect();
    assert_eq!(load.resources, resources.len() as u64);
}

#[test]
fn real_relationship_graph_matches_the_files() {
    let parsed: Vec<Value> = real_files().iter().filter_map(|p| real_item(p)).collect();
    // Edges (resource, verb, target) and per-verb counts derived from the files.
    let mut expected_edges = BTreeSet::new();
    let mut expected_verbs: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &parsed {
        for r in v["relationships"].as_array().into_iter().flatten() {
            let verb = squashed_verb(r["name"].as_str().unwrap());
            *expected_verbs.entry(verb).or_default() += 1;
            expected_edges.insert((
                v["resourceId"].as_str().unwrap().to_string(),
                verb.to_string(),
                r["resourceId"].as_str().unwrap().to_string(),
            ));
        }
    }
    let session = Lake::open(&real_items()).unwrap().session().unwrap();
    let mut edges = BTreeSet::new();
    let mut verbs: BTreeMap<String, usize> = BTreeMap::new();
    for r in config::config_resources(&session).unwrap() {
        for item in config::config_items(&session, &r.key).unwrap() {
            for rel in &item.relationships {
                edges.insert((
                    item.key.resource_id.clone(),
                    rel.verb.clone(),
                    rel.resource_id.clone().unwrap_or_default(),
                ));
                // Per-verb counts over every copy read, like the files.
                *verbs.entry(rel.verb.clone()).or_default() += item.copies as usize;
            }
        }
    }
    assert_eq!(edges, expected_edges);
    let expected_verbs: BTreeMap<String, usize> = expected_verbs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    assert_eq!(verbs, expected_verbs);
}

#[test]
fn real_instance_walk_before_termination() {
    // The instance's item in force at 21:20 is ec2.3.json (stopped, 5 relationships).
    let dir = real_items();
    let expected = real_item(&dir.join("ec2.3.json")).expect("ec2.3.json");
    let at = parse_time("2019-02-22T21:20:00Z", false).unwrap();
    let session = Lake::open(&dir).unwrap().session().unwrap();
    let key = config::config_resource(&session, "i-0a763ac3ee37d8d2b", &Scope::default()).unwrap();
    let items = config::config_items(&session, &key).unwrap();
    let shown = item_at(&items, Some(at)).unwrap();
    let expected_capture = parse_time(expected["configurationItemCaptureTime"].as_str().unwrap(), false).unwrap();
    assert_eq!(shown.capture.map(|c| c.0), Some(expected_capture));
    let tree = config::config_walk(&session, &key, 1, Some(at)).unwrap();
    let children: BTreeSet<String> = tree.iter().skip(1).map(|n| n.resource_id.clone().unwrap()).collect();
    let expected_children: BTreeSet<String> = expected["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resourceId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(children, expected_children);
    assert!(tree.iter().skip(1).all(|n| n.depth == 1 && n.parent == Some(0)));
    // Latest item is the termination: no relationships left.
    assert_eq!(items.last().unwrap().status.as_deref(), Some("ResourceDeleted"));
    assert!(config::config_walk(&session, &key, 3, None).unwrap().len() == 1);
}

#[test]
fn an_unreadable_config_file_is_named_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir
        .path()
        .join("AWSLogs/111122223333/Config/us-east-1/2024/5/4/ConfigHistory");
    std::fs::create_dir_all(&day).unwrap();
    let item = serde_json::json!({"configurationItems": [{
        "configurationItemCaptureTime": "2024-05-04T10:10:42.123Z", "configurationItemStatus": "OK",
        "configurationStateId": 1, "awsAccountId": "111122223333", "awsRegion": "us-east-1",
        "resourceType": "AWS::EC2::SecurityGroup", "resourceId": "sg-1", "ARN": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1",
        "configuration": {"groupId": "sg-1"}, "relationships": [], "tags": {}
    }]});
    let good = day.join("111122223333_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_1.json");
    std::fs::write(&good, item.to_string()).unwrap();
    // Gzip magic, then garbage: DuckDB cannot read it.
    let bad = day.join("111122223333_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_2.json.gz");
    std::fs::write(&bad, [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]).unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let session = lake.session().unwrap();
    let load = config::config_load(&session).unwrap();
    assert_eq!(load.items, 1);
    assert_eq!(load.problems.len(), 1, "{:#?}", load.problems);
    assert_eq!(load.problems[0].path, bad.canonicalize().unwrap());
    assert!(!load.problems[0].problem.is_empty());
    // The user's value is bound: a quote in it is just a miss.
    assert!(
        config::config_resolve(&session, "sg-1' OR '1'='1", &Scope::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        config::config_resolve(&session, "sg-1", &Scope::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_id_shared_by_two_accounts_is_ambiguous_until_scoped() {
    // elb.malformed.json carries the classic ELB with an empty account.
    let session = Lake::open(&real_items()).unwrap().session().unwrap();
    let err = config::config_resource(&session, "config-test-elb", &Scope::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("names 2 resources"), "{err}");
    assert!(err.contains("(no account us-west-2)"), "{err}");
    let scoped = Scope {
        accounts: vec!["123456789012".into()],
        ..Scope::default()
    };
    let key = config::config_resource(&session, "config-test-elb", &scoped).unwrap();
    assert_eq!(key.account.as_deref(), Some("123456789012"));
    assert_eq!(
        config::config_items(&session, &key).unwrap().len(),
        3,
        "create, update, delete"
    );
}

#[test]
fn a_cloudtrail_lake_csv_export_is_named_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("config-items.csv");
    std::fs::write(
        &csv,
        "# Execution Time: 1 ms Query Statement: SELECT * FROM eds\n\
         eventVersion,eventCategory,eventType,eventID,eventTime,awsRegion,recipientAccountId,addendum,metadata,eventData\n\
         1.09,ConfigurationItem,AwsConfigurationItem,x,2024-05-04 10:10:47.000,us-east-1,1,,,\"{resourceid=sg-1, configuration={groupid=sg-1}}\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.csv"), "a,b\n1,2\n").unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    let reasons: BTreeMap<String, String> = lake
        .skipped()
        .iter()
        .map(|s| {
            (
                s.path.file_name().unwrap().to_string_lossy().to_string(),
                s.reason.clone(),
            )
        })
        .collect();
    assert!(
        reasons["config-items.csv"].starts_with("CloudTrail Lake CSV export"),
        "{reasons:?}"
    );
    assert_eq!(reasons["notes.csv"], "not a log format lakescope reads");
    assert_eq!(config::config_load(&lake.session().unwrap()).unwrap().items, 0);
}
