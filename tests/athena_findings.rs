//! `findings` on Athena (`--print-sql athena findings …`): every statement
//! parses as Athena SQL, and transpiled by sqlglot to DuckDB over the
//! demo's Security Hub findings (both source versions) under the Glue
//! names, it answers as the local engine: the latest record of each
//! finding with how many it has, what it names (IPs, keys, actors,
//! resources), by severity, product, status and subject. sqlglot is
//! installed by `.ci/test`; without it these fail.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

use common::athena::{SECURITY_LAKE_FINDINGS, cross, joined, local_json, ms, refused_over_a_trail, rows, sqlglot_all};

fn shapes() -> Vec<Vec<&'static str>> {
    let scopes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--account", "444455556666"],
        vec!["--from", "2024-05-05", "--to", "2024-05-05", "--region", "us-east-1"],
        vec!["--from", "2024-05-05T02:30:00Z", "--to", "2024-05-05T03:00:00Z"],
    ];
    let questions: Vec<Vec<&str>> = vec![
        vec!["findings"],
        vec!["findings", "--severity", "high"],
        vec!["findings", "--product", "security hub", "--status", "new"],
        vec!["findings", "--names", "203.0.113.66"],
        vec!["findings", "--names", "sg-0a1b2c3d4e5f60718"],
        vec!["findings", "--names", "it's 'quoted'"],
    ];
    cross(&scopes, &questions)
}

/// A finding as both sides say it: lists sorted (each side finds names
/// in its own text of the record, in its own order), times in ms.
fn athena_row(a: &Value) -> Value {
    let list = |k: &str| -> Value {
        let mut items = joined(&a[k]);
        items.sort();
        items.into()
    };
    serde_json::json!({
        "id": a["finding_uid"], "time": a["time_ms"], "account": a["account"], "region": a["region"],
        "product": a["product"], "class": a["class_name"], "type": a["finding_type"], "title": a["title"],
        "severity": a["severity"], "severity_id": a["severity_id"], "status": a["status"],
        "resources": list("resource_uids"), "resource_types": list("resource_types"), "ips": list("ips"),
        "access_keys": list("access_keys"), "actors": list("actors"), "records": a["records"], "source": a["source_kind"],
    })
}

fn local_row(h: &Value) -> Value {
    let mut h = h.clone();
    h["time"] = ms(&h["time"]);
    for key in ["resources", "resource_types", "ips", "access_keys", "actors"] {
        let mut items: Vec<String> = h[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        items.sort();
        h[key] = items.into();
    }
    h.as_object_mut().unwrap().remove("file");
    h
}

#[test]
fn transpiled_to_duckdb_findings_answer_as_the_local_engine() {
    let backend = &SECURITY_LAKE_FINDINGS;
    let (tmp, lake, conn) = backend.lake();
    let shapes = shapes();
    let sqls: Vec<String> = shapes.iter().map(|args| backend.sql(args)).collect();
    let mut compared = 0;
    let mut names_found = 0;
    let mut with_rows = BTreeSet::new();
    for ((args, sql), duck) in shapes.iter().zip(&sqls).zip(sqlglot_all(&sqls)) {
        assert!(
            sql.contains("sh_findings_1_0") && sql.contains("sh_findings_2_0"),
            "{args:?}"
        );
        let athena: Vec<Value> = rows(&conn, &duck).iter().map(athena_row).collect();
        let here = local_json(&lake, &tmp.path().join("cache"), args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let here: Vec<Value> = here.as_array().unwrap().iter().map(local_row).collect();
        // Same rows in the same order (most severe, then newest, then id).
        assert_eq!(athena, here, "{args:?}");
        compared += athena.len();
        names_found += athena
            .iter()
            .map(|f| {
                ["ips", "access_keys", "actors"]
                    .iter()
                    .map(|k| f[k].as_array().unwrap().len())
                    .sum::<usize>()
            })
            .sum::<usize>();
        if !athena.is_empty() {
            with_rows.insert(args[args.iter().position(|a| *a == "findings").unwrap()..].join(" "));
        }
    }
    assert_eq!(with_rows.len(), 5, "{with_rows:?}");
    assert!(compared > 40, "only {compared} findings compared");
    assert!(
        names_found > 5,
        "only {names_found} IPs, keys and actors found in findings"
    );
}

#[test]
fn findings_are_refused_over_an_org_trail_table() {
    let err = refused_over_a_trail(&["findings"]);
    assert!(err.contains("SH_FINDINGS tables"), "{err}");
}

/// `--sync-into` with `findings`: the partitions query names the
/// SH_FINDINGS folders holding the findings asked for.
#[test]
fn the_findings_partitions_query_names_their_folders() {
    let backend = &SECURITY_LAKE_FINDINGS;
    let (_tmp, _lake, conn) = backend.lake();
    let folders = |args: &[&str]| backend.partition_folders(&conn, args);
    // Every folder of the source holds findings.
    let on_disk: BTreeSet<String> = walkdir::WalkDir::new(common::demo().join("aws/SH_FINDINGS"))
        .into_iter()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".parquet"))
        .map(|p| {
            let part = |key: &str| p.split(key).nth(1).unwrap().split('/').next().unwrap().to_string();
            format!("{}/{}/{}", part("accountId="), part("region="), part("eventDay="))
        })
        .collect();
    assert_eq!(folders(&["findings"]), on_disk);
    // Those naming the security group: a subset, not empty.
    let named = folders(&["findings", "--names", "sg-0a1b2c3d4e5f60718"]);
    assert!(
        !named.is_empty() && named.len() < on_disk.len() && named.is_subset(&on_disk),
        "{named:?}"
    );
}
