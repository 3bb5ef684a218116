//! The demo lake's planted intrusion, found by the engine, equals the
//! generator's TRUTH.json (which the generator counts from what it wrote).

mod common;

use std::collections::BTreeMap;

use common::{demo_session, n, s, truth};
use lakescope::lake::{Lake, Scope, Session};
use lakescope::lake::{events, pivots};
use serde_json::Value;

/// Counts over CloudTrail events only (EKS audit rows are a separate source):
/// `tail` reads `ev` and gives a name and a count per row.
fn cloudtrail_count(session: &Session, tail: &str) -> Vec<(String, u64)> {
    let sql = format!(
        "WITH ct AS (SELECT * FROM ev WHERE source_kind NOT LIKE 'EKS%') {}",
        tail.replace("FROM ev", "FROM ct")
    );
    events::sql(session, &Scope::default(), &sql)
        .unwrap()
        .iter()
        .map(|row| {
            let cols: Vec<&Value> = row.as_object().expect("a row object").values().collect();
            (s(cols[0]).to_string(), n(cols[1]))
        })
        .collect()
}

#[test]
fn lake_totals_match_the_generator() {
    let t = &truth()["cloudtrail"];
    let session = demo_session();
    let totals = cloudtrail_count(
        &session,
        "SELECT 'all', count(*) FROM ev UNION ALL SELECT 'errors', count(error_code) FROM ev UNION ALL SELECT 'actors', count(DISTINCT actor_key) FROM ev",
    );
    let totals: BTreeMap<String, u64> = totals.into_iter().collect();
    assert_eq!(
        totals["all"],
        n(&t["events"]),
        "distinct CloudTrail events (Security Lake 1.0, 2.0 and raw copies counted once)"
    );
    assert_eq!(totals["errors"], n(&t["errors"]));
    assert_eq!(totals["actors"], n(&t["actors"]));
    let by_day: BTreeMap<String, u64> = cloudtrail_count(
        &session,
        "SELECT strftime(epoch_ms(time_ms), '%Y-%m-%d'), count(*) FROM ev GROUP BY 1",
    )
    .into_iter()
    .collect();
    let expected: BTreeMap<String, u64> = t["events_by_day"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), n(v)))
        .collect();
    assert_eq!(by_day, expected);
    let by_account: BTreeMap<String, u64> = cloudtrail_count(&session, "SELECT account, count(*) FROM ev GROUP BY 1")
        .into_iter()
        .collect();
    let expected: BTreeMap<String, u64> = t["events_by_account"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), n(v)))
        .collect();
    assert_eq!(by_account, expected);
}

#[test]
fn intruder_dossier_equals_truth() {
    let i = &truth()["intrusion"];
    let d = pivots::actor(&demo_session(), &Scope::default(), s(&i["intruder_arn"]))
        .unwrap()
        .expect("intruder found");
    let t = &i["dossier"];
    assert_eq!(d.totals.events, n(&t["events"]));
    assert_eq!(d.totals.errors, n(&t["errors"]));
    assert_eq!(d.totals.first_seen.unwrap().to_string(), s(&t["first_seen"]));
    assert_eq!(d.totals.last_seen.unwrap().to_string(), s(&t["last_seen"]));
    let accounts: Vec<&str> = t["accounts"].as_array().unwrap().iter().map(s).collect();
    assert_eq!(d.accounts, accounts);
    let keys: Vec<(String, u64, String, String)> = d
        .access_keys
        .iter()
        .map(|k| {
            (
                k.id.clone(),
                k.events,
                k.first_seen.unwrap().to_string(),
                k.last_seen.unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, String, String)> = t["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                s(&k["id"]).into(),
                n(&k["events"]),
                s(&k["first_seen"]).into(),
                s(&k["last_seen"]).into(),
            )
        })
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(d.access_keys[0].id, s(&i["leaked_key"]));
    assert_eq!(d.access_keys[0].kind, "long-term");
    let mut ips: Vec<(String, u64, String, String)> = d
        .source_ips
        .iter()
        .map(|k| {
            (
                k.ip.clone(),
                k.events,
                k.first_seen.unwrap().to_string(),
                k.last_seen.unwrap().to_string(),
            )
        })
        .collect();
    let mut expected: Vec<(String, u64, String, String)> = t["source_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                s(&k["ip"]).into(),
                n(&k["events"]),
                s(&k["first_seen"]).into(),
                s(&k["last_seen"]).into(),
            )
        })
        .collect();
    ips.sort();
    expected.sort();
    assert_eq!(ips, expected);
    let ops: Vec<(String, String, u64, u64)> = d
        .operations
        .iter()
        .map(|o| {
            (
                o.service.clone().unwrap(),
                o.operation.clone().unwrap(),
                o.events,
                o.errors,
            )
        })
        .collect();
    let expected: Vec<(String, String, u64, u64)> = t["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                s(&o["service"]).into(),
                s(&o["operation"]).into(),
                n(&o["events"]),
                n(&o["errors"]),
            )
        })
        .collect();
    assert_eq!(ops, expected);
}

#[test]
fn new_ip_first_seen_and_actor() {
    let i = &truth()["intrusion"];
    let report = pivots::ip(&demo_session(), &Scope::default(), s(&i["new_ip"])).unwrap();
    assert_eq!(
        report.totals.first_seen.unwrap().to_string(),
        s(&i["new_ip_first_seen"])
    );
    assert!(
        report.actors.iter().any(|a| a.arn == s(&i["intruder_arn"])),
        "{:#?}",
        report.actors
    );
    // The intruder's known CI address is older than the new one.
    let d = pivots::actor(&demo_session(), &Scope::default(), s(&i["intruder_arn"]))
        .unwrap()
        .unwrap();
    let new = d.source_ips.iter().find(|ip| ip.ip == s(&i["new_ip"])).unwrap();
    for known in i["known_ips"].as_array().unwrap() {
        let k = d.source_ips.iter().find(|ip| ip.ip == s(known)).unwrap();
        assert!(k.first_seen < new.first_seen);
    }
}

/// From the leaked key, follow minted keys hop by hop with `key` reports.
#[test]
fn role_chain_is_reached_by_pivots_alone() {
    let i = &truth()["intrusion"];
    let session = demo_session();
    let scope = Scope::default();
    let mut key = s(&i["leaked_key"]).to_string();
    let mut reached = std::collections::BTreeSet::new();
    reached.insert(s(&i["intruder_account"]).to_string());
    for hop in i["role_chain"].as_array().unwrap() {
        let report = pivots::key(&session, &scope, &key).unwrap();
        let next = report
            .minted
            .iter()
            .find(|m| m.role_arn.as_deref() == Some(s(&hop["role_arn"])))
            .unwrap_or_else(|| panic!("hop {} not minted by {key}: {:#?}", hop["depth"], report.minted));
        assert_eq!(next.child_key, s(&hop["access_key"]));
        assert_eq!(next.session_arn.as_deref(), Some(s(&hop["session_arn"])));
        assert_eq!(next.parent_key.as_deref(), Some(key.as_str()));
        let child = pivots::key(&session, &scope, &next.child_key).unwrap();
        assert_eq!(
            child.totals.events,
            n(&hop["cloudtrail_events"]) + n(&hop["eks_events"]),
            "events of {}",
            next.child_key
        );
        assert_eq!(child.totals.first_seen.unwrap().to_string(), s(&hop["first_seen"]));
        assert_eq!(child.totals.last_seen.unwrap().to_string(), s(&hop["last_seen"]));
        assert_eq!(
            child.minted_by.as_ref().map(|m| m.child_key.as_str()),
            Some(next.child_key.as_str())
        );
        assert!(
            child.owners.iter().any(|o| o.arn == s(&hop["session_arn"])),
            "{:#?}",
            child.owners
        );
        reached.extend(child.accounts.iter().cloned());
        key = next.child_key.clone();
    }
    let expected: std::collections::BTreeSet<String> = i["accounts_reached"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(a).to_string())
        .collect();
    assert_eq!(reached, expected);
}

#[test]
fn dossier_lists_the_sessions_its_key_started() {
    let i = &truth()["intrusion"];
    let d = pivots::actor(&demo_session(), &Scope::default(), s(&i["intruder_arn"]))
        .unwrap()
        .unwrap();
    let hop = &i["role_chain"][0];
    let started = d
        .sessions
        .iter()
        .find(|x| x.relation == "started" && x.access_key.as_deref() == Some(s(&hop["access_key"])))
        .unwrap_or_else(|| panic!("{:#?}", d.sessions));
    assert_eq!(started.name, s(&hop["session_arn"]));
    assert_eq!(started.issuer.as_deref(), Some(s(&hop["role_arn"])));
    assert_eq!(started.started_with_key.as_deref(), Some(s(&i["leaked_key"])));
    assert_eq!(started.events, n(&hop["cloudtrail_events"]) + n(&hop["eks_events"]));
}

#[test]
fn story_resources_lead_back_to_the_session_that_changed_them() {
    let i = &truth()["intrusion"];
    let session = demo_session();
    for change in ["security_group_change", "bucket_policy_change"] {
        let c = &i[change];
        let id = c.get("group_id").or(c.get("arn")).map(s).unwrap();
        let report = pivots::resource(&session, &Scope::default(), id).unwrap();
        let actor = report.actors.iter().find(|a| a.arn == s(&c["actor_arn"]));
        assert!(actor.is_some(), "{change}: {:#?}", report.actors);
        assert!(
            report
                .operations
                .iter()
                .any(|o| o.operation.as_deref() == Some(s(&c["operation"])))
        );
    }
}

#[test]
fn the_original_record_of_an_event_is_one_bound_lookup_away() {
    let i = &truth()["intrusion"];
    let c = &i["security_group_change"];
    let session = demo_session();
    let criteria = lakescope::lake::EventCriteria {
        resource: Some(s(&c["group_id"]).into()),
        operation: Some(s(&c["operation"]).into()),
        ..Default::default()
    };
    let page = lakescope::lake::Page { limit: 10, offset: 0 };
    let rows = events::events(&session, &Scope::default(), &criteria, page).unwrap();
    let row = rows
        .iter()
        .find(|r| r.event_id.as_deref() == Some(s(&c["event_id"])))
        .expect("the SG change");
    let record = events::event_detail(&session, row.file.as_deref().unwrap(), row.event_id.as_deref().unwrap())
        .unwrap()
        .expect("record found");
    // Raw CloudTrail is preferred over its Security Lake copies.
    assert_eq!(record["eventName"], "AuthorizeSecurityGroupIngress");
    assert_eq!(record["requestParameters"]["groupId"], s(&c["group_id"]));
    assert_eq!(record["userIdentity"]["accessKeyId"], s(&c["access_key"]));
    // A quote in the id is data, not SQL.
    assert!(
        events::event_detail(&session, row.file.as_deref().unwrap(), "x' OR '1'='1")
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_bucket_named_in_requests_and_in_resources_is_listed_once() {
    let c = &truth()["intrusion"]["bucket_policy_change"];
    let d = pivots::actor(&demo_session(), &Scope::default(), s(&c["actor_arn"]))
        .unwrap()
        .expect("the actor who changed the policy");
    let rows: Vec<_> = d.resources.iter().filter(|r| r.id.contains(s(&c["bucket"]))).collect();
    let buckets: Vec<_> = rows
        .iter()
        .filter(|r| r.resource_type.as_deref() == Some("AWS::S3::Bucket"))
        .collect();
    assert_eq!(buckets.len(), 1, "{rows:?}");
    assert_eq!(buckets[0].id, s(&c["arn"]));
    assert!(buckets[0].operations.iter().any(|o| o == s(&c["operation"])));
}

/// Files an Iceberg compaction replaced can stay in a copied lake next to
/// the compacted file: the same events twice in one source and version.
#[test]
fn a_file_present_twice_in_one_source_counts_once() {
    let day = common::demo().join("aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240505");
    let file = std::fs::read_dir(&day)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .expect("a 2.0 parquet file");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp
        .path()
        .join("aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240505");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(&file, copy.join("part-00000.gz.parquet")).unwrap();
    let once = Lake::open(tmp.path()).unwrap().session().unwrap();
    let count = |s: &Session| {
        events::sql(s, &Scope::default(), "SELECT count(*) AS n FROM ev").unwrap()[0]["n"]
            .as_i64()
            .unwrap()
    };
    let single = count(&once);
    assert!(single > 0);
    std::fs::copy(&file, copy.join("part-00001-compacted.gz.parquet")).unwrap();
    let twice = Lake::open(tmp.path()).unwrap().session().unwrap();
    assert_eq!(count(&twice), single, "the second copy adds nothing");
}
