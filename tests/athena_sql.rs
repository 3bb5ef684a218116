//! The Athena form of lakescope's questions (`--print-sql athena`): every
//! statement parses as Athena SQL (sqlglot's `athena` dialect), and the same
//! statements, transpiled by sqlglot to DuckDB and run over the demo lake's
//! Security Lake parquet registered under the Glue table names, give the
//! local engine's answers. This proves the SQL's meaning, not Athena itself
//! (see README, "Org scale"). sqlglot is installed by `.ci/test`; without it
//! these tests fail, they never skip.

mod common;

use serde_json::Value;

use common::athena::{
    Backend, DB, ORG_TRAIL, SECURITY_LAKE, athena_sql, cross, local_json, ms, rows, sqlglot, sqlglot_all,
};

/// Every question and scope shape the Athena form has.
fn shapes() -> Vec<Vec<&'static str>> {
    let scopes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--account", "111122223333"],
        vec![
            "--region",
            "us-east-1,eu-west-1",
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
        ],
        vec![
            "--from",
            "2024-05-05T02:00:00Z",
            "--to",
            "2024-05-05T03:00:00Z",
            "--account",
            "012345678901,444455556666",
        ],
    ];
    let questions: Vec<Vec<&str>> = vec![
        vec!["actors"],
        vec!["events"],
        vec!["events", "--ip", "203.0.113.66"],
        vec![
            "events",
            "--actor",
            "arn:aws:iam::111122223333:user/ci-deploy",
            "--errors",
        ],
        vec![
            "events",
            "--key",
            "AKIAMGYET2T4O2LMKL77",
            "--operation",
            "listusers",
            "--limit",
            "5",
            "--offset",
            "2",
        ],
        vec!["events", "--actor", "it's a 'quoted' value"],
        vec!["events", "--resource", "arn:aws:s3:::acme-data-exports"],
        vec!["events", "--resource", "sg-0a1b2c3d4e5f60718", "--errors"],
        vec!["timeline", "--bucket", "1h"],
        vec![
            "timeline",
            "--bucket",
            "1d",
            "--actor",
            "arn:aws:iam::111122223333:user/ci-deploy",
            "--errors",
        ],
    ];
    cross(&scopes, &questions)
}

#[test]
fn every_statement_parses_as_athena_sql() {
    let sqls: Vec<String> = shapes().iter().map(|args| athena_sql(args)).collect();
    // Parses (and transpiles) each, or fails naming it.
    assert_eq!(sqlglot_all(&sqls).len(), sqls.len());
    for sql in &sqls {
        assert!(sql.contains(&format!(
            "{DB}.amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0"
        )));
        assert!(sql.contains("cloud_trail_mgmt_1_0"));
    }
    // Only one version's table when told.
    let sql = athena_sql(&["--sl-version", "2.0", "actors"]);
    assert!(!sql.contains("cloud_trail_mgmt_1_0"), "{sql}");
    // Questions without an exact Athena form are refused by name.
    for (args, named) in [
        (&["events", "--source", "eks"][..], "--source"),
        (&["timeline", "--bucket", "1h", "--by", "ip"][..], "lanes"),
        (&["timeline"][..], "--bucket"),
        (&["http"][..], "only `actors`, `actor`, `ip`"),
    ] {
        let out = common::lakescope()
            .args(["--print-sql", "athena", "--athena-region", "us-east-1"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{args:?}: {err}");
    }
}

#[test]
fn transpiled_to_duckdb_the_statements_answer_as_the_local_engine() {
    answers_as_the_local_engine(&SECURITY_LAKE);
}

/// The same over an organization trail's CloudTrail table.
#[test]
fn over_the_org_trail_table_the_statements_answer_as_the_local_engine() {
    answers_as_the_local_engine(&ORG_TRAIL);
    for args in shapes() {
        let sql = ORG_TRAIL.sql(&args);
        assert!(
            sql.contains("FROM trails.org_trail") && !sql.contains("security_lake"),
            "{sql}"
        );
    }
}

fn answers_as_the_local_engine(backend: &Backend) {
    // The local engine over the same files only (no other copy beside them).
    let (tmp, lake, conn) = backend.lake();
    let local = |args: &[&str]| -> Value {
        local_json(&lake, &tmp.path().join("cache"), args).unwrap_or_else(|err| panic!("{args:?}: {err}"))
    };
    let mut compared = 0;
    let shapes = shapes();
    let sqls: Vec<String> = shapes.iter().map(|args| backend.sql(args)).collect();
    for (args, duck) in shapes.into_iter().zip(sqlglot_all(&sqls)) {
        let question = ["actors", "timeline"]
            .into_iter()
            .find(|q| args.contains(q))
            .unwrap_or("events");
        let athena = rows(&conn, &duck);
        let here = local(&args);
        // Locally a timeline has its empty buckets too; Athena's has those with events.
        let here: Vec<Value> = here
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| question != "timeline" || b["events"].as_u64() > Some(0))
            .cloned()
            .collect();
        assert_eq!(athena.len(), here.len(), "{args:?}: row counts");
        compared += athena.len();
        for (a, h) in athena.iter().zip(&here) {
            let pairs: &[(&str, &str)] = match question {
                "timeline" => &[
                    ("start_ms", "start"),
                    ("end_ms", "end"),
                    ("events", "events"),
                    ("errors", "errors"),
                ],
                "actors" => &[
                    ("arn", "arn"),
                    ("type", "type"),
                    ("account", "account"),
                    ("events", "events"),
                    ("errors", "errors"),
                    ("first_ms", "first_seen"),
                    ("last_ms", "last_seen"),
                    ("ips", "ip_count"),
                ],
                _ => &[
                    ("time_ms", "time"),
                    ("event_uid", "event_id"),
                    ("actor_key", "actor"),
                    ("account", "account"),
                    ("region", "region"),
                    ("access_key_id", "access_key"),
                    ("source_ip", "source_ip"),
                    ("operation", "operation"),
                    ("error_code", "error_code"),
                ],
            };
            for (athena_col, local_col) in pairs {
                let here = match *local_col {
                    "time" | "first_seen" | "last_seen" | "start" | "end" => ms(&h[local_col]),
                    _ => h[local_col].clone(),
                };
                assert_eq!(a[athena_col], here, "{args:?}: {athena_col} in {a} vs {h}");
            }
        }
    }
    assert!(
        compared > 500,
        "only {compared} rows compared: the shapes miss the demo's events"
    );
}

/// `--sync-into`'s partitions query: transpiled to DuckDB, it names the
/// partition folders (account, region, `eventDay`) of the files holding
/// the events the local engine answers with, no more, no fewer.
#[test]
fn the_partitions_query_names_the_folders_of_the_answers_files() {
    partitions_of_the_answers_files(&SECURITY_LAKE);
    partitions_of_the_answers_files(&ORG_TRAIL);
}

fn partitions_of_the_answers_files(backend: &Backend) {
    let (tmp, lake, conn) = backend.lake();
    // `…/eventDay=20240505/…`, or a trail's `…/CloudTrail/us-east-1/2024/05/05/…`.
    let day = |file: &str| -> String {
        if let Some((_, rest)) = file.split_once("/eventDay=") {
            return rest[..8].to_string();
        }
        let (_, rest) = file.split_once("/CloudTrail/").unwrap_or_else(|| panic!("{file}"));
        let parts: Vec<&str> = rest.split('/').collect();
        format!("{}{}{}", parts[1], parts[2], parts[3])
    };
    let shapes: [(&[&str], &[&str]); 4] = [
        (&["events", "--ip", "203.0.113.66"], &["events", "--ip", "203.0.113.66"]),
        (
            &["key", "ASIADMOOMHHELV7LRCH7"],
            &["events", "--key", "ASIADMOOMHHELV7LRCH7"],
        ),
        (
            &[
                "--from",
                "2024-05-05",
                "--to",
                "2024-05-06",
                "actor",
                "arn:aws:iam::111122223333:user/ci-deploy",
            ],
            &[
                "--from",
                "2024-05-05",
                "--to",
                "2024-05-06",
                "events",
                "--actor",
                "arn:aws:iam::111122223333:user/ci-deploy",
            ],
        ),
        (
            &["--account", "444455556666", "actors"],
            &["--account", "444455556666", "events"],
        ),
    ];
    for (question, as_events) in shapes {
        let mut args = vec!["--sync-into", "/nonexistent", "--lake-bucket", "s3://b/"];
        args.extend(question);
        let script = backend.sql(&args);
        let (name, sql) = common::athena::statements(&script).pop().unwrap();
        assert_eq!(name, "partitions");
        assert_eq!(sqlglot("parse", &sql).trim(), "ok");
        let mut athena: Vec<(String, String, String)> = rows(&conn, &sqlglot("duckdb", &sql))
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap().to_string();
                (s("account"), s("region"), s("event_day"))
            })
            .collect();
        athena.sort();
        let out = common::lakescope()
            .env("LAKESCOPE_CACHE_DIR", tmp.path().join("cache"))
            .args(["--format", "json", "--lake"])
            .arg(&lake)
            .args(as_events)
            .args(["--limit", "100000"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let events: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut local: Vec<(String, String, String)> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = |k: &str| e[k].as_str().unwrap().to_string();
                (s("account"), s("region"), day(e["file"].as_str().unwrap()))
            })
            .collect();
        local.sort();
        local.dedup();
        assert!(!local.is_empty(), "{question:?}");
        assert_eq!(athena, local, "{question:?}");
    }
}

/// The workbench's timeline on Athena is drawn from minute counts (with a
/// lane): transpiled to DuckDB, those counts add up, hour by hour and lane
/// by lane, to the local timeline of the same events, and the timeline
/// drawn from them is the local one, bucket by bucket.
#[test]
fn minute_counts_add_up_to_the_local_timeline() {
    use std::collections::BTreeMap;

    use lakescope::lake::athena::{Tables, minutes};
    use lakescope::lake::buckets::Zone;
    use lakescope::lake::timeline::minutes::from_minutes;
    use lakescope::lake::timeline::{MinuteCount, TimelineQuery};
    use lakescope::lake::{EventCriteria, Scope};

    for backend in [&SECURITY_LAKE, &ORG_TRAIL] {
        let (tmp, lake, conn) = backend.lake();
        let mut tables = Tables::new("us-east-1");
        if backend.args == ORG_TRAIL.args {
            tables.trail = Some("org_trail".into());
            tables.database = Some("trails".into());
        }
        let actor = "arn:aws:iam::111122223333:user/ci-deploy";
        let scope = Scope {
            from_ms: Some(1_714_867_200_000),
            to_ms: Some(1_714_953_600_000),
            ..Scope::default()
        };
        let hour = 3_600_000;
        for (criteria, lane, by) in [
            (EventCriteria::default(), None, None),
            (
                EventCriteria {
                    actor: Some(actor.into()),
                    ..EventCriteria::default()
                },
                Some("coalesce(src_ip, src_domain)"),
                Some("ip"),
            ),
            (EventCriteria::default(), Some("account"), Some("account")),
        ] {
            let sql = minutes(&tables, &scope, &criteria, lane).unwrap();
            assert_eq!(sqlglot("parse", &sql).trim(), "ok");
            let mut athena: BTreeMap<(i64, Option<String>), (u64, u64)> = BTreeMap::new();
            let mut minute_rows: Vec<MinuteCount> = Vec::new();
            for row in rows(&conn, &sqlglot("duckdb", &sql)) {
                let t = row["t"].as_i64().unwrap();
                minute_rows.push((
                    t,
                    row["lane"].as_str().map(str::to_string),
                    row["n"].as_u64().unwrap(),
                    row["e"].as_u64().unwrap(),
                    row["first_ms"].as_i64().unwrap(),
                    row["last_ms"].as_i64().unwrap(),
                ));
                assert_eq!(t % 60_000, 0);
                let lane = row["lane"].as_str().map(str::to_string);
                let entry = athena.entry((t - t % hour, lane)).or_default();
                entry.0 += row["n"].as_u64().unwrap();
                entry.1 += row["e"].as_u64().unwrap();
            }
            let mut args = vec![
                "--from",
                "2024-05-05",
                "--to",
                "2024-05-05",
                "timeline",
                "--bucket",
                "1h",
            ];
            if criteria.actor.is_some() {
                args.extend(["--actor", actor]);
            }
            if let Some(by) = by {
                args.extend(["--by", by]);
            }
            let out = common::lakescope()
                .env("LAKESCOPE_CACHE_DIR", tmp.path().join("cache"))
                .args(["--format", "json", "--lake"])
                .arg(&lake)
                .args(&args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let local_all: Value = serde_json::from_slice(&out.stdout).unwrap();
            let local: BTreeMap<(i64, Option<String>), (u64, u64)> = local_all
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["events"].as_u64() > Some(0))
                .map(|b| {
                    let start = ms(&b["start"]).as_i64().unwrap();
                    let lane = b.get("lane").and_then(Value::as_str).map(str::to_string);
                    (
                        (start, lane),
                        (b["events"].as_u64().unwrap(), b["errors"].as_u64().unwrap()),
                    )
                })
                .collect();
            assert!(!local.is_empty());
            assert_eq!(athena, local, "{criteria:?} by {by:?}");
            // Drawn from the minutes (`--engine athena timeline`, the
            // workbench): every bucket and lane as the local timeline's.
            let drawn = from_minutes(
                &scope,
                &TimelineQuery {
                    target: criteria.clone(),
                    lanes: by.map(|b| b.parse().unwrap()),
                    max_lanes: 12,
                    width: Some("1h".parse().unwrap()),
                    max_buckets: 200,
                    zone: Zone::Utc,
                    range: None,
                },
                &minute_rows,
                Vec::new(),
            )
            .unwrap();
            let drawn: Vec<(i64, Option<String>, u64, u64)> = drawn
                .buckets
                .iter()
                .map(|b| (b.start.0, b.lane.clone(), b.events, b.errors))
                .collect();
            let local_all: Vec<(i64, Option<String>, u64, u64)> = local_all
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        ms(&b["start"]).as_i64().unwrap(),
                        b.get("lane").and_then(Value::as_str).map(str::to_string),
                        b["events"].as_u64().unwrap(),
                        b["errors"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(drawn, local_all, "{criteria:?} by {by:?}");
        }
    }
}
