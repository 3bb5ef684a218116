//! `dns` on Athena (`--print-sql athena dns …`): every statement parses as
//! Athena SQL, and transpiled by sqlglot to DuckDB over the demo's Route 53
//! parquet (both source versions) under the Glue names, it answers as the
//! local engine: the names asked (by an address, with an answer, from an
//! instance) and a hostname's resolutions and askers. sqlglot is installed
//! by `.ci/test`; without it these fail.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

use common::athena::{
    SECURITY_LAKE_DNS, cross, joined, local_json, ms, refused_over_a_trail, rows, sqlglot_all, statements,
};

fn shapes() -> Vec<Vec<&'static str>> {
    let scopes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--account", "444455556666", "--region", "us-east-1"],
        vec!["--from", "2024-05-05", "--to", "2024-05-05"],
        vec!["--from", "2024-05-05T02:00:00Z", "--to", "2024-05-05T04:00:00Z"],
    ];
    let questions: Vec<Vec<&str>> = vec![
        vec!["dns", "--limit", "1000"],
        vec!["dns", "--ip", "10.20.1.15"],
        vec!["dns", "--answer", "198.51.100.34"],
        vec![
            "dns",
            "--instance",
            "i-0a1b2c3d4e5f67890",
            "--limit",
            "3",
            "--offset",
            "1",
        ],
        vec!["dns", "FILES.pythonhosted.org."],
        vec!["dns", "artifactory.corp.acme.internal"],
        vec!["dns", "it's.'quoted'"],
    ];
    cross(&scopes, &questions)
}

fn list(v: &Value) -> Value {
    joined(v).into()
}

/// A name asked, as the local JSON says it.
fn athena_dns_row(a: &Value) -> Value {
    let first = a["first_ms"].as_i64();
    let subject_first = a["subject_first_ms"].as_i64();
    serde_json::json!({
        "name": a["hostname"], "type": a["qtype"], "rcode": a["rcode"],
        "answers": list(&a["answers"]), "askers": list(&a["askers"]), "queries": a["queries"],
        "first_seen": first, "last_seen": a["last_ms"],
        "new": matches!((first, subject_first), (Some(t), Some(s)) if t >= s + 24 * 3_600_000),
    })
}

fn local_row(h: &Value) -> Value {
    let mut h = h.clone();
    for key in ["first_seen", "last_seen"] {
        h[key] = ms(&h[key]);
    }
    h
}

#[test]
fn transpiled_to_duckdb_dns_answers_as_the_local_engine() {
    let backend = &SECURITY_LAKE_DNS;
    let (tmp, lake, conn) = backend.lake();
    let shapes = shapes();
    let scripts: Vec<String> = shapes.iter().map(|args| backend.sql(args)).collect();
    let parts: Vec<Vec<(String, String)>> = scripts.iter().map(|s| statements(s)).collect();
    let sqls: Vec<String> = parts.iter().flatten().map(|(_, sql)| sql.clone()).collect();
    let mut ducks = sqlglot_all(&sqls).into_iter();
    let mut compared = 0;
    let mut with_rows = BTreeSet::new();
    for (args, parts) in shapes.iter().zip(&parts) {
        for (_, sql) in parts {
            assert!(sql.contains("route53_1_0") && sql.contains("route53_2_0"), "{args:?}");
        }
        let here = local_json(&lake, &tmp.path().join("cache"), args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let mut answers = parts
            .iter()
            .map(|(section, _)| (section.as_str(), rows(&conn, &ducks.next().unwrap())));
        let name_report = parts.len() == 2;
        let (athena, local): (Vec<Value>, Vec<Value>) = match name_report {
            false => {
                let (_, athena) = answers.next().unwrap();
                (
                    athena.iter().map(athena_dns_row).collect(),
                    here.as_array().unwrap().iter().map(local_row).collect(),
                )
            }
            true => {
                let (section, resolutions) = answers.next().unwrap();
                assert_eq!(section, "resolutions");
                let (section, askers) = answers.next().unwrap();
                assert_eq!(section, "askers");
                let mut athena: Vec<Value> = resolutions.iter().map(athena_dns_row).collect();
                athena.extend(askers.iter().map(|a| {
                    serde_json::json!({"ip": a["ip"], "instance": a["instance"], "vpc": a["vpc"],
                        "account": a["account"], "queries": a["queries"],
                        "first_seen": a["first_ms"], "last_seen": a["last_ms"]})
                }));
                let mut local: Vec<Value> = here["resolutions"].as_array().unwrap().iter().map(local_row).collect();
                local.extend(here["askers"].as_array().unwrap().iter().map(local_row));
                (athena, local)
            }
        };
        // Rows tied on the sort keys may come in either order: compared as
        // sets of whole rows, and counted.
        assert_eq!(athena.len(), local.len(), "{args:?}: {athena:#?} vs {local:#?}");
        let set = |rows: &[Value]| rows.iter().map(Value::to_string).collect::<BTreeSet<_>>();
        assert_eq!(set(&athena), set(&local), "{args:?}");
        compared += athena.len();
        if !athena.is_empty() {
            with_rows.insert(args[args.iter().position(|a| *a == "dns").unwrap()..].join(" "));
        }
    }
    // Each question but the quoted name has rows somewhere.
    assert_eq!(with_rows.len(), 6, "{with_rows:?}");
    assert!(compared > 100, "only {compared} rows compared");
}

#[test]
fn dns_is_refused_over_an_org_trail_table() {
    let err = refused_over_a_trail(&["dns", "--ip", "10.20.1.15"]);
    assert!(err.contains("ROUTE53 tables"), "{err}");
}
