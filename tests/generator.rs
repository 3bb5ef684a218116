//! The generator is deterministic, TRUTH.json agrees with the files it
//! wrote (re-read independently: raw CloudTrail with flate2 + serde_json,
//! Parquet with DuckDB), and the committed fixtures equal a fresh run.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use common::{n, s};
use duckdb::Connection;
use flate2::read::MultiGzDecoder;
use lakescope::generate::{GenerateError, GenerateOptions, generate_bad_lake, generate_lake};
use serde_json::Value;

fn opts(out: &Path, events: u64, seed: u64, days: u32) -> GenerateOptions {
    GenerateOptions {
        out: out.to_path_buf(),
        events,
        seed,
        days,
    }
}

/// Every file under `root` with its bytes, keyed by relative path.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let (ka, kb): (Vec<_>, Vec<_>) = (ta.keys().collect(), tb.keys().collect());
    assert_eq!(ka, kb, "file lists differ between {} and {}", a.display(), b.display());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between {} and {}", a.display(), b.display());
    }
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    MultiGzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn json_gz(path: &Path) -> Value {
    serde_json::from_slice(&gunzip(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_matching(root: &Path, pred: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    tree(root)
        .into_keys()
        .filter(|k| pred(k))
        .map(|k| root.join(k))
        .collect()
}

/// The actor key, computed independently of the generator.
fn actor_key(r: &Value) -> String {
    let u = &r["userIdentity"];
    let get = |k: &str| u.get(k).and_then(Value::as_str);
    if let Some(arn) = get("arn") {
        return arn.to_string();
    }
    match get("type") {
        Some("AWSService") | None if get("invokedBy").is_some() => format!("AWSService:{}", get("invokedBy").unwrap()),
        Some("AWSAccount") => format!("AWSAccount:{}", get("accountId").or(get("principalId")).unwrap()),
        Some("IdentityCenterUser") => format!("IdentityCenterUser:{}", s(&u["onBehalfOf"]["userId"])),
        t => format!(
            "{}:{}",
            t.unwrap_or("Unknown"),
            get("principalId").or(get("accountId")).unwrap_or("unknown")
        ),
    }
}

/// All raw CloudTrail activity records (digest and insight files excluded).
fn raw_records(root: &Path) -> Vec<Value> {
    raw_records_except(root, &BTreeSet::new())
}

fn raw_records_except(root: &Path, skip: &BTreeSet<String>) -> Vec<Value> {
    let mut out = Vec::new();
    let wanted = |k: &str| {
        k.starts_with("AWSLogs/") && k.contains("_CloudTrail_") && k.ends_with(".json.gz") && !skip.contains(k)
    };
    for f in files_matching(root, wanted) {
        let doc = json_gz(&f);
        out.extend(
            doc["Records"]
                .as_array()
                .unwrap_or_else(|| panic!("{} has no Records", f.display()))
                .iter()
                .cloned(),
        );
    }
    out
}

fn db() -> Connection {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")
        .unwrap();
    c
}

/// The first column of every row, as text.
fn strings(c: &Connection, sql: &str) -> BTreeSet<String> {
    let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("expected an array, got {v}"))
}

fn uids(c: &Connection, root: &Path, version: &str, where_: &str) -> BTreeSet<String> {
    let glob = root.join(format!(
        "aws/CLOUD_TRAIL_MGMT/{version}/region=*/accountId=*/eventDay=*/*.parquet"
    ));
    let hive = "hive_types = {'region': VARCHAR, 'accountId': VARCHAR, 'eventDay': VARCHAR}";
    strings(
        c,
        &format!(
            "SELECT metadata.uid FROM read_parquet('{}', hive_partitioning = true, {hive}) {where_}",
            glob.display()
        ),
    )
}

fn small_lake(dir: &Path, seed: u64) {
    generate_lake(&opts(dir, 1500, seed, 5)).unwrap();
}

#[test]
fn same_options_give_identical_bytes_and_seed_changes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    small_lake(&a, 7);
    small_lake(&b, 7);
    assert_same_tree(&a, &b);
    small_lake(&c, 8);
    let (ta, tc) = (tree(&a), tree(&c));
    assert_ne!(ta.get("TRUTH.json"), tc.get("TRUTH.json"));
    let shared: Vec<_> = ta
        .keys()
        .filter(|k| k.ends_with(".parquet") && tc.contains_key(*k))
        .collect();
    assert!(shared.is_empty(), "Parquet names must depend on the seed: {shared:?}");
    let raw_a: BTreeSet<&String> = ta.keys().filter(|k| k.contains("_CloudTrail_")).collect();
    let raw_c: BTreeSet<&String> = tc.keys().filter(|k| k.contains("_CloudTrail_")).collect();
    assert!(raw_a != raw_c, "raw file names must depend on the seed");
}

#[test]
fn refuses_to_overwrite_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("evidence.txt"), b"keep me").unwrap();
    let err = generate_lake(&opts(tmp.path(), 1500, 1, 5)).unwrap_err();
    assert!(matches!(err, GenerateError::OutNotEmpty { .. }), "{err}");
    assert!(err.to_string().contains(&tmp.path().display().to_string()));
    assert_eq!(std::fs::read(tmp.path().join("evidence.txt")).unwrap(), b"keep me");
    let err = generate_lake(&opts(&tmp.path().join("x"), 1500, 1, 4)).unwrap_err();
    assert!(matches!(err, GenerateError::Invalid(_)), "{err}");
}

#[test]
fn truth_agrees_with_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("lake");
    let report = generate_lake(&opts(&root, 4000, 3, 7)).unwrap();
    let truth: Value = serde_json::from_slice(&std::fs::read(root.join("TRUTH.json")).unwrap()).unwrap();
    let ct = &truth["cloudtrail"];
    assert_eq!(n(&ct["events"]), 4000);
    assert_eq!(report.events, 4000);
    assert_eq!(report.files as usize, tree(&root).len());

    // Raw CloudTrail, read independently.
    let records = raw_records(&root);
    let ids: BTreeSet<&str> = records.iter().map(|r| s(&r["eventID"])).collect();
    assert_eq!(ids.len(), records.len(), "every raw record has its own eventID");
    assert_eq!(records.len() as u64, n(&ct["events"]));
    let errors = records.iter().filter(|r| r.get("errorCode").is_some()).count() as u64;
    assert_eq!(errors, n(&ct["errors"]));
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_account: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_hour: BTreeMap<String, u64> = BTreeMap::new();
    let mut actors = BTreeSet::new();
    for r in &records {
        let t = s(&r["eventTime"]);
        *by_day.entry(t[..10].to_string()).or_default() += 1;
        *by_hour.entry(format!("{}:00:00Z", &t[..13])).or_default() += 1;
        *by_account.entry(s(&r["recipientAccountId"]).to_string()).or_default() += 1;
        actors.insert(actor_key(r));
    }
    let as_map = |v: &Value| -> BTreeMap<String, u64> {
        v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), n(v))).collect()
    };
    assert_eq!(by_day, as_map(&ct["events_by_day"]));
    assert_eq!(by_account, as_map(&ct["events_by_account"]));
    assert_eq!(by_hour, as_map(&ct["events_by_hour"]));
    assert_eq!(actors.len() as u64, n(&ct["actors"]));
    let types: BTreeSet<&str> = records.iter().map(|r| s(&r["userIdentity"]["type"])).collect();
    let wanted = "IAMUser AssumedRole Root AWSService AWSAccount FederatedUser IdentityCenterUser";
    assert!(
        wanted.split(' ').all(|t| types.contains(t)),
        "userIdentity types: {types:?}"
    );

    // The intruder dossier.
    let i = &truth["intrusion"];
    let d = &i["dossier"];
    let mine: Vec<&Value> = records
        .iter()
        .filter(|r| r["userIdentity"]["arn"].as_str() == Some(s(&i["intruder_arn"])))
        .collect();
    assert_eq!(mine.len() as u64, n(&d["events"]));
    assert_eq!(
        mine.iter().filter(|r| r.get("errorCode").is_some()).count() as u64,
        n(&d["errors"])
    );
    let times: BTreeSet<&str> = mine.iter().map(|r| s(&r["eventTime"])).collect();
    assert_eq!(times.first().copied(), Some(s(&d["first_seen"])));
    assert_eq!(times.last().copied(), Some(s(&d["last_seen"])));
    let accounts: BTreeSet<&str> = mine.iter().map(|r| s(&r["recipientAccountId"])).collect();
    assert_eq!(
        accounts.into_iter().collect::<Vec<_>>(),
        arr(&d["accounts"]).iter().map(s).collect::<Vec<_>>()
    );
    for ip in arr(&d["source_ips"]) {
        let c = mine.iter().filter(|r| r["sourceIPAddress"] == ip["ip"]).count() as u64;
        assert_eq!(c, n(&ip["events"]), "{ip}");
    }
    let first_new = mine
        .iter()
        .filter(|r| r["sourceIPAddress"] == i["new_ip"])
        .map(|r| s(&r["eventTime"]))
        .min();
    assert_eq!(first_new, Some(s(&i["new_ip_first_seen"])));
    let ops: u64 = arr(&d["operations"]).iter().map(|o| n(&o["events"])).sum();
    assert_eq!(ops, n(&d["events"]));

    // The role chain, followed through responseElements only.
    let mut key = s(&i["leaked_key"]).to_string();
    for hop in arr(&i["role_chain"]) {
        let minted: Vec<&Value> = records
            .iter()
            .filter(|r| r["eventName"] == "AssumeRole" && r.get("errorCode").is_none())
            .filter(|r| r["userIdentity"]["accessKeyId"].as_str() == Some(key.as_str()))
            .collect();
        assert!(!minted.is_empty(), "no AssumeRole made with {key}");
        let child = s(&minted[0]["responseElements"]["credentials"]["accessKeyId"]).to_string();
        assert!(
            minted
                .iter()
                .all(|r| r["responseElements"]["credentials"]["accessKeyId"] == child.as_str())
        );
        assert_eq!(
            minted.len(),
            2,
            "cross-account AssumeRole is delivered to both accounts"
        );
        assert_eq!(minted[0]["sharedEventID"], minted[1]["sharedEventID"]);
        assert_eq!(s(&hop["parent_key"]), key);
        assert_eq!(s(&hop["access_key"]), child);
        assert_eq!(
            s(&minted[0]["responseElements"]["assumedRoleUser"]["arn"]),
            s(&hop["session_arn"])
        );
        assert_eq!(s(&minted[0]["requestParameters"]["roleArn"]), s(&hop["role_arn"]));
        let used = records
            .iter()
            .filter(|r| r["userIdentity"]["accessKeyId"].as_str() == Some(child.as_str()))
            .count() as u64;
        assert_eq!(used, n(&hop["cloudtrail_events"]));
        key = child;
    }
    let burst = &i["access_denied_burst"];
    let denied = mine
        .iter()
        .filter(|r| {
            r["errorCode"] == "AccessDenied"
                && s(&r["eventTime"]) >= s(&burst["start"])
                && s(&r["eventTime"]) <= s(&burst["end"])
        })
        .count() as u64;
    assert_eq!(denied, n(&burst["events"]));
    assert!(denied >= 10);
    let by_id = |id: &str| {
        records
            .iter()
            .find(|r| r["eventID"] == id)
            .unwrap_or_else(|| panic!("event {id}"))
    };
    let login = by_id(s(&i["console_login"]["event_id"]));
    assert_eq!(login["eventName"], "ConsoleLogin");
    assert_eq!(login["userIdentity"]["arn"], i["console_login"]["actor_arn"]);
    assert_eq!(login["responseElements"]["ConsoleLogin"], "Success");
    for change in ["security_group_change", "bucket_policy_change"] {
        let c = &i[change];
        let r = by_id(s(&c["event_id"]));
        assert_eq!(r["eventName"], c["operation"]);
        assert_eq!(r["eventTime"], c["event_time"]);
        assert_eq!(r["userIdentity"]["accessKeyId"], c["access_key"]);
    }

    // Config delivery: counts and the captured SG / bucket changes.
    let mut items = Vec::new();
    for f in files_matching(&root, |k| {
        k.contains("/Config/") && (k.contains("/ConfigHistory/") || k.contains("/ConfigSnapshot/"))
    }) {
        items.extend(json_gz(&f)["configurationItems"].as_array().unwrap().iter().cloned());
    }
    let rels: u64 = items
        .iter()
        .map(|c| c["relationships"].as_array().unwrap().len() as u64)
        .sum();
    let resources: BTreeSet<&str> = items.iter().map(|c| s(&c["resourceId"])).collect();
    assert_eq!(items.len() as u64, n(&truth["config"]["items"]));
    assert_eq!(rels, n(&truth["config"]["relationships"]));
    assert_eq!(resources.len() as u64, n(&truth["config"]["resources"]));
    let sg = &i["security_group_change"];
    let captured = items.iter().any(|c| {
        c["resourceId"] == sg["group_id"]
            && c["configurationItemStatus"] == "OK"
            && s(&c["configurationItemCaptureTime"]).replace(".000Z", "Z") == s(&sg["config_capture_time"])
    });
    assert!(
        captured,
        "SG change captured by Config at {}",
        sg["config_capture_time"]
    );
    assert!(
        items
            .iter()
            .any(|c| c["resourceType"] == "AWS::Config::ResourceCompliance" && c["ARN"].is_null())
    );

    // Digest and Insight files are not activity.
    let digests = files_matching(&root, |k| k.contains("_CloudTrail-Digest_"));
    assert!(!digests.is_empty() && digests.iter().all(|f| json_gz(f).get("Records").is_none()));
    let insights = files_matching(&root, |k| k.contains("_CloudTrail-Insight_"));
    assert_eq!(insights.len(), 1);
    assert_eq!(json_gz(&insights[0])["Records"][0]["eventType"], "AwsCloudTrailInsight");

    // Security Lake Parquet: same events, overlap day in both versions.
    let c = db();
    let (v1, v2) = (uids(&c, &root, "1.0", ""), uids(&c, &root, "2.0", ""));
    let all: BTreeSet<&str> = v1.iter().chain(v2.iter()).map(String::as_str).collect();
    assert_eq!(all, ids, "Security Lake holds exactly the raw events");
    let day4 = "WHERE eventDay = '20240504'";
    let (o1, o2) = (uids(&c, &root, "1.0", day4), uids(&c, &root, "2.0", day4));
    assert!(!o1.is_empty());
    assert_eq!(o1, o2, "the overlap day has the same metadata.uid in both versions");
    assert!(uids(&c, &root, "1.0", "WHERE eventDay > '20240504'").is_empty());
    assert!(uids(&c, &root, "2.0", "WHERE eventDay < '20240504'").is_empty());
    let zero_led = uids(&c, &root, "1.0", "WHERE accountId = '012345678901'");
    assert!(!zero_led.is_empty());
    let k2 = s(&i["role_chain"][1]["access_key"]);
    let eks_glob = root.join("aws/EKS_AUDIT/2.0/*/*/*/*.parquet");
    let sql = format!(
        "SELECT api.request.uid FROM read_parquet('{}') WHERE actor.session.credential_uid = '{k2}'",
        eks_glob.display()
    );
    assert_eq!(strings(&c, &sql).len() as u64, n(&i["role_chain"][1]["eks_events"]));
}

/// The committed demo and damaged lakes are exactly what the generator writes.
#[test]
fn committed_fixtures_match_a_fresh_generation() {
    let fixtures = common::repo().join("fixtures");
    for name in ["lake", "bad"] {
        assert!(
            fixtures.join(name).is_dir(),
            "fixtures/{name} is missing: cargo test --test generator -- --ignored regenerate_fixtures"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    generate_lake(&GenerateOptions {
        out: lake.clone(),
        ..GenerateOptions::default()
    })
    .unwrap();
    assert_same_tree(&fixtures.join("lake"), &lake);
    let bad = tmp.path().join("bad");
    generate_bad_lake(&bad, 1).unwrap();
    assert_same_tree(&fixtures.join("bad"), &bad);
}

#[test]
fn bad_lake_has_the_announced_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("bad");
    generate_bad_lake(&root, 1).unwrap();
    let again = tmp.path().join("again");
    generate_bad_lake(&again, 1).unwrap();
    assert_same_tree(&root, &again);
    let expected: Value = serde_json::from_slice(&std::fs::read(root.join("EXPECTED.json")).unwrap()).unwrap();
    let c = db();
    let read_all = |p: &Path| {
        c.execute_batch(&format!(
            "CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_parquet('{}'); DROP TABLE t;",
            p.display()
        ))
    };
    let count = |p: &Path| {
        c.query_row(
            &format!("SELECT count(*) FROM read_parquet('{}')", p.display()),
            [],
            |r| r.get::<_, i64>(0),
        )
    };
    for b in arr(&expected["bad_files"]) {
        let path = root.join(s(&b["path"]));
        assert!(path.is_file(), "{}", path.display());
        match s(&b["damage"]) {
            "parquet_corrupt_data_page_footer_intact" => {
                assert!(count(&path).is_ok(), "count(*) is answered from the footer");
                assert!(read_all(&path).is_err(), "reading the pages fails");
            }
            d if d.starts_with("parquet") => assert!(read_all(&path).is_err(), "{d}"),
            d => {
                let mut text = String::new();
                let ok = MultiGzDecoder::new(std::fs::File::open(&path).unwrap())
                    .read_to_string(&mut text)
                    .is_ok()
                    && serde_json::from_str::<Value>(&text).is_ok();
                assert!(!ok, "{d} must not parse");
            }
        }
    }
    let mut events = BTreeSet::new();
    let parquet_uids = |p: &Path| strings(&c, &format!("SELECT metadata.uid FROM read_parquet('{}')", p.display()));
    for f in arr(&expected["good"]["security_lake_files"]) {
        let p = root.join(s(f));
        assert!(read_all(&p).is_ok(), "{}", p.display());
        events.extend(parquet_uids(&p));
    }
    for sp in arr(&expected["valid_special_files"]) {
        let p = root.join(s(&sp["path"]));
        let ids: BTreeSet<String> = if s(&sp["path"]).ends_with(".parquet") {
            parquet_uids(&p)
        } else {
            let raw = gunzip(&p);
            if s(&sp["kind"]) == "record_over_16mib_inflated" {
                assert!(raw.len() > 16 * 1024 * 1024 && std::fs::metadata(&p).unwrap().len() < 200_000);
            }
            let doc: Value = serde_json::from_slice(&raw).unwrap();
            arr(&doc["Records"])
                .iter()
                .map(|r| s(&r["eventID"]).to_string())
                .collect()
        };
        assert_eq!(ids.len() as u64, n(&sp["events"]), "{}", p.display());
        events.extend(ids);
    }
    let damaged: BTreeSet<String> = arr(&expected["bad_files"])
        .iter()
        .map(|b| s(&b["path"]).to_string())
        .collect();
    for r in raw_records_except(&root, &damaged) {
        events.insert(s(&r["eventID"]).to_string());
    }
    assert_eq!(events.len() as u64, n(&expected["good"]["cloudtrail_events"]));
    let size: usize = tree(&root).values().map(Vec::len).sum();
    assert!(size < 400_000, "fixtures/bad stays small: {size} bytes");
}

/// `cargo test --test generator -- --ignored regenerate_fixtures` rewrites
/// fixtures/lake and fixtures/bad from the generator (default options, seed 1).
#[test]
#[ignore]
fn regenerate_fixtures() {
    let fixtures = common::repo().join("fixtures");
    for name in ["lake", "bad"] {
        let dir = fixtures.join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
    let lake = generate_lake(&GenerateOptions {
        out: fixtures.join("lake"),
        ..GenerateOptions::default()
    })
    .unwrap();
    let bad = generate_bad_lake(&fixtures.join("bad"), 1).unwrap();
    eprintln!("fixtures/lake: {lake:?}\nfixtures/bad: {bad:?}");
}
