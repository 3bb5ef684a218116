//! The reports' Athena form (`--print-sql athena actor|ip|key|resource`):
//! every section's statement parses as Athena SQL, and, transpiled by
//! sqlglot to DuckDB over the demo lake's Security Lake parquet under the
//! Glue names, answers as the local report's section for the same scope.
//! sqlglot is installed by `.ci/test`; without it these tests fail.

mod common;

use std::path::Path;

use serde_json::Value;

use common::athena::{Backend, ORG_TRAIL, SECURITY_LAKE, athena_sql, local_json, ms, rows, sqlglot_all, statements};

const SUBJECTS: &[&[&str]] = &[
    &["actor", "arn:aws:iam::111122223333:user/ci-deploy"],
    &["actor", "arn:aws:iam::444455556666:role/DataAdmin"],
    &["ip", "203.0.113.66"],
    &["key", "AKIAMGYET2T4O2LMKL77"],
    &["key", "ASIAZ4FWYH65FCVVRDFQ"],
    &["key", "ASIADMOOMHHELV7LRCH7"],
    &["resource", "arn:aws:s3:::acme-data-exports"],
    &["resource", "sg-0a1b2c3d4e5f60718"],
];

const SCOPES: &[&[&str]] = &[
    &[],
    &[
        "--account",
        "444455556666",
        "--from",
        "2024-05-05",
        "--to",
        "2024-05-05",
    ],
    &[
        "--region",
        "us-east-1",
        "--from",
        "2024-05-05T02:00:00Z",
        "--to",
        "2024-05-05T02:25:00Z",
    ],
];

fn shapes() -> Vec<Vec<&'static str>> {
    let mut out = Vec::new();
    for scope in SCOPES {
        for subject in SUBJECTS {
            out.push(scope.iter().chain(subject.iter()).copied().collect());
        }
    }
    out
}

/// The sections every report kind prints, in order.
fn expected_sections(kind: &str) -> &'static [&'static str] {
    match kind {
        "actor" => &[
            "summary",
            "sessions",
            "started_sessions",
            "access_keys",
            "source_ips",
            "resources",
            "operations",
            "new_sightings",
        ],
        "ip" => &["summary", "actors", "operations", "user_agents"],
        "key" => &["summary", "owners", "minted_by", "minted", "source_ips", "operations"],
        _ => &["summary", "actors", "operations"],
    }
}

#[test]
fn every_report_section_parses_as_athena_sql() {
    for args in shapes() {
        let script = athena_sql(&args);
        let parts = statements(&script);
        let kind = args[args.len() - 2];
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, expected_sections(kind), "{args:?}");
        let sqls: Vec<String> = parts.iter().map(|(_, sql)| sql.clone()).collect();
        assert_eq!(sqlglot_all(&sqls).len(), sqls.len(), "{args:?}");
        for sql in &sqls {
            assert!(sql.contains("cloud_trail_mgmt_2_0") && sql.contains("cloud_trail_mgmt_1_0"));
        }
    }
}

/// A local report of the demo's Security Lake CloudTrail only (no raw
/// trail beside it), as the Glue tables hold.
fn local(lake: &Path, cache: &Path, args: &[&str]) -> Value {
    match local_json(lake, cache, args) {
        Ok(report) => report,
        // An actor with no event in scope has no dossier: an empty report.
        Err(err) if err.contains("no events of actor") => {
            serde_json::json!({"events": 0, "errors": 0, "accounts": [], "type": null})
        }
        Err(err) => panic!("{args:?}: {err}"),
    }
}

/// A local value as Athena's text gives it: times in ms, lists joined.
fn as_athena(v: &Value, column: &str) -> Value {
    match v {
        Value::Array(items) => {
            let texts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            match texts.is_empty() {
                true => Value::Null,
                false => Value::from(texts.join(",")),
            }
        }
        _ if ["time", "first_seen", "last_seen"].contains(&column) => ms(v),
        _ => v.clone(),
    }
}

/// (Athena column, local field) of each section's rows.
fn pairs(section: &str) -> &'static [(&'static str, &'static str)] {
    const SEEN: [(&str, &str); 2] = [("first_ms", "first_seen"), ("last_ms", "last_seen")];
    match section {
        "summary" => &[
            ("events", "events"),
            ("errors", "errors"),
            SEEN[0],
            SEEN[1],
            ("accounts", "accounts"),
        ],
        "sessions" | "started_sessions" => &[
            ("name", "name"),
            ("issuer", "issuer"),
            ("access_key", "access_key"),
            ("events", "events"),
            SEEN[0],
            SEEN[1],
            ("accounts", "accounts"),
        ],
        "access_keys" => &[("id", "id"), ("events", "events"), SEEN[0], SEEN[1]],
        "source_ips" => &[("ip", "ip"), ("events", "events"), SEEN[0], SEEN[1]],
        "resources" => &[
            ("id", "id"),
            ("type", "type"),
            ("events", "events"),
            ("operations", "operations"),
        ],
        "operations" => &[
            ("service", "service"),
            ("operation", "operation"),
            ("events", "events"),
            ("errors", "errors"),
        ],
        "actors" | "owners" => &[
            ("arn", "arn"),
            ("type", "type"),
            ("events", "events"),
            ("errors", "errors"),
            SEEN[0],
            SEEN[1],
        ],
        "user_agents" => &[("user_agent", "user_agent"), ("events", "events")],
        "new_sightings" => &[("kind", "kind"), ("value", "value"), ("time_ms", "time")],
        "minted" | "minted_by" => &[
            ("parent_key", "parent_key"),
            ("parent_actor", "parent_actor"),
            ("child_key", "child_key"),
            ("session_arn", "session_arn"),
            ("role_arn", "role_arn"),
            ("operation", "operation"),
            ("account", "account"),
            ("time_ms", "time"),
            ("event_id", "event_id"),
        ],
        other => panic!("no comparison for section {other}"),
    }
}

/// The local report's rows of a section.
fn local_rows(report: &Value, section: &str) -> Vec<Value> {
    let list = |key: &str| report[key].as_array().cloned().unwrap_or_default();
    let sessions = |relation: &str| -> Vec<Value> {
        list("sessions")
            .into_iter()
            .filter(|s| s["relation"] == relation)
            .collect()
    };
    match section {
        "summary" => vec![report.clone()],
        "sessions" => sessions("own"),
        "started_sessions" => sessions("started"),
        "minted_by" => match &report["minted_by"] {
            Value::Null => vec![],
            one => vec![one.clone()],
        },
        other => list(other),
    }
}

#[test]
fn transpiled_to_duckdb_each_section_answers_as_the_local_report() {
    answers_as_the_local_report(&SECURITY_LAKE);
}

/// The same over an organization trail's CloudTrail table.
#[test]
fn over_the_org_trail_table_each_section_answers_as_the_local_report() {
    answers_as_the_local_report(&ORG_TRAIL);
}

fn answers_as_the_local_report(backend: &Backend) {
    let (tmp, lake, conn) = backend.lake();
    let cache = tmp.path().join("cache");
    let mut compared = 0;
    let mut sections_with_rows = std::collections::BTreeSet::new();
    let mut new_sightings = 0;
    for args in shapes() {
        let here = local(&lake, &cache, &args);
        let parts = statements(&backend.sql(&args));
        let sqls: Vec<String> = parts.iter().map(|(_, sql)| sql.clone()).collect();
        for ((section, _), duck) in parts.into_iter().zip(sqlglot_all(&sqls)) {
            let athena = rows(&conn, &duck);
            let expected = match section.as_str() {
                "new_sightings" => {
                    let within = sightings_within_scope(&lake, &cache, &args);
                    // Over the whole lake the engine's own dossier says the same.
                    if args.len() == 2 {
                        assert_eq!(within, local_rows(&here, &section), "{args:?}");
                        new_sightings += within.len();
                    }
                    within
                }
                _ => local_rows(&here, &section),
            };
            assert_eq!(
                athena.len(),
                expected.len(),
                "{args:?} {section}: {athena:?} vs {expected:?}"
            );
            for (a, h) in athena.iter().zip(&expected) {
                for (athena_col, local_col) in pairs(&section) {
                    let want = as_athena(&h[local_col], local_col);
                    assert_eq!(a[athena_col], want, "{args:?} {section}.{athena_col}: {a} vs {h}");
                }
                if section == "summary" && args[args.len() - 2] == "actor" {
                    assert_eq!(a["type"], h["type"], "{args:?}: the actor's type");
                }
            }
            if args.len() > 2 && !athena.is_empty() {
                sections_with_rows.insert(section.clone());
            }
            compared += athena.len();
        }
    }
    // The comparison reaches every section with rows, within a scope too.
    for section in [
        "summary",
        "sessions",
        "started_sessions",
        "access_keys",
        "source_ips",
        "resources",
        "operations",
        "actors",
        "owners",
        "user_agents",
        "minted",
        "minted_by",
    ] {
        assert!(
            sections_with_rows.contains(section),
            "no scoped rows compared in {section}"
        );
    }
    assert!(compared > 150, "only {compared} rows compared");
    assert!(new_sightings > 10, "only {new_sightings} new sightings compared");
}

/// The dossier's new sightings as Athena answers them: within the scope
/// (the local engine compares with the whole lake), from the actor's events
/// there — each IP, region and operation at its first time, kept when that
/// comes a day (the baseline) after the actor's first event.
fn sightings_within_scope(lake: &Path, cache: &Path, args: &[&str]) -> Vec<Value> {
    let (scope, subject) = args.split_at(args.len() - 2);
    let mut events_args = scope.to_vec();
    events_args.extend(["events", "--actor", subject[1], "--limit", "1000000"]);
    let events = local_json(lake, cache, &events_args).unwrap();
    let mut first: std::collections::BTreeMap<(String, String), (i64, String)> = Default::default();
    for event in events.as_array().unwrap() {
        let t = ms(&event["time"]).as_i64().unwrap();
        for (kind, field) in [("ip", "source_ip"), ("region", "region"), ("operation", "operation")] {
            let Some(value) = event[field].as_str() else { continue };
            let entry = first
                .entry((kind.to_string(), value.to_string()))
                .or_insert((t, event["time"].as_str().unwrap().to_string()));
            if t < entry.0 {
                *entry = (t, event["time"].as_str().unwrap().to_string());
            }
        }
    }
    let Some(start) = first.values().map(|(t, _)| *t).min() else {
        return Vec::new();
    };
    let mut new: Vec<(i64, String, String, String)> = first
        .into_iter()
        .filter(|(_, (t, _))| *t >= start + 24 * 3_600_000)
        .map(|((kind, value), (t, time))| (t, kind, value, time))
        .collect();
    new.sort();
    new.into_iter()
        .map(|(_, kind, value, time)| serde_json::json!({"kind": kind, "value": value, "time": time, "new": true}))
        .collect()
}
