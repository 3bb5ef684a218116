//! `flows` on Athena (`--print-sql athena flows …`): every statement parses
//! as Athena SQL, and transpiled by sqlglot to DuckDB over the demo's VPC
//! flow parquet (both source versions) under the Glue names, it answers as
//! the local engine for the same criteria and scope, conversation by
//! conversation. sqlglot is installed by `.ci/test`; without it these fail.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

use common::athena::{SECURITY_LAKE_FLOWS, cross, joined, local_json, ms, refused_over_a_trail, rows, sqlglot_all};

fn shapes() -> Vec<Vec<&'static str>> {
    let scopes: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--account", "444455556666"],
        vec![
            "--region",
            "us-east-1,eu-west-1",
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
        ],
        vec!["--from", "2024-05-05T02:30:00Z", "--to", "2024-05-05T03:00:00Z"],
    ];
    let questions: Vec<Vec<&str>> = vec![
        vec!["flows", "--limit", "1000"],
        vec!["flows", "--ip", "203.0.113.66"],
        vec!["flows", "--instance", "i-0a1b2c3d4e5f67890"],
        vec!["flows", "--eni", "eni-0f1e2d3c4b5a69788", "--action", "reject"],
        vec!["flows", "--port", "22", "--action", "accept"],
        vec!["flows", "--ip", "it's 'quoted'"],
    ];
    cross(&scopes, &questions)
}

/// A conversation as both sides can say it: Athena's text and NULL sums
/// as the local numbers, lists joined, the direction from `outbound`.
fn athena_row(a: &Value) -> Value {
    let n = |k: &str| a[k].as_u64().unwrap_or(0);
    let list = |k: &str| joined(&a[k]);
    let first = a["first_ms"].as_i64();
    let subject_first = a["subject_first_ms"].as_i64();
    serde_json::json!({
        "ip": a["ip"], "peer": a["peer"], "port": a["port"], "protocol": a["protocol"],
        "direction": if a["outbound"] == true { "outbound" } else { "inbound" },
        "bytes_out": n("bytes_out"), "bytes_in": n("bytes_in"),
        "packets_out": n("packets_out"), "packets_in": n("packets_in"),
        "flows": n("flows"), "accepted": n("accepted"), "rejected": n("rejected"),
        "first_seen": first, "last_seen": a["last_ms"],
        "new": matches!((first, subject_first), (Some(t), Some(s)) if t >= s + 24 * 3_600_000),
        "enis": list("enis"), "instances": list("instances"),
    })
}

fn local_row(h: &Value) -> Value {
    let mut h = h.clone();
    h["first_seen"] = ms(&h["first_seen"]);
    h["last_seen"] = ms(&h["last_seen"]);
    h
}

#[test]
fn transpiled_to_duckdb_flows_answer_as_the_local_engine() {
    let backend = &SECURITY_LAKE_FLOWS;
    let (tmp, lake, conn) = backend.lake();
    let shapes = shapes();
    let sqls: Vec<String> = shapes.iter().map(|args| backend.sql(args)).collect();
    let mut compared = 0;
    let mut with_rows = BTreeSet::new();
    for ((args, sql), duck) in shapes.iter().zip(&sqls).zip(sqlglot_all(&sqls)) {
        for version in ["vpc_flow_1_0", "vpc_flow_2_0"] {
            assert!(sql.contains(version), "{args:?}: {version}");
        }
        let athena: Vec<String> = rows(&conn, &duck).iter().map(|a| athena_row(a).to_string()).collect();
        let here = local_json(&lake, &tmp.path().join("cache"), args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let here: Vec<String> = here
            .as_array()
            .unwrap()
            .iter()
            .map(|h| local_row(h).to_string())
            .collect();
        // Conversations tied on bytes, flows, peer and port may come in
        // either order on either side: compared as sets of whole rows.
        let (a, h): (BTreeSet<_>, BTreeSet<_>) = (athena.iter().collect(), here.iter().collect());
        assert_eq!(athena.len(), here.len(), "{args:?}: row counts");
        assert_eq!(a, h, "{args:?}");
        compared += athena.len();
        if !athena.is_empty() {
            with_rows.insert(args[args.iter().position(|a| *a == "flows").unwrap()..].join(" "));
        }
    }
    // Each question but the quoted one has rows somewhere.
    assert_eq!(with_rows.len(), 5, "{with_rows:?}");
    assert!(compared > 150, "only {compared} conversations compared");
}

#[test]
fn flows_are_refused_over_an_org_trail_table() {
    let err = refused_over_a_trail(&["flows", "--ip", "203.0.113.66"]);
    assert!(err.contains("VPC_FLOW tables"), "{err}");
}

/// `--sync-into` with `flows`: the partitions query names the VPC_FLOW
/// partition folders (account, region, `eventDay`) whose files hold flows
/// of the IP in the scope, read straight from the files, no more, no fewer.
#[test]
fn the_flows_partitions_query_names_the_folders_holding_the_flows() {
    let backend = &SECURITY_LAKE_FLOWS;
    let (_tmp, _lake, conn) = backend.lake();
    let demo = common::demo();
    let ip = "203.0.113.66";
    for scope in [
        &[][..],
        &[
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "--account",
            "444455556666",
        ][..],
    ] {
        let mut args = scope.to_vec();
        args.extend(["flows", "--ip", ip]);
        let named = backend.partition_folders(&conn, &args);
        let time = match scope.is_empty() {
            true => String::new(),
            false => "AND \"time\" >= 1714867200000 AND \"time\" < 1714953600000 AND filename LIKE '%accountId=444455556666%'".into(),
        };
        let files = rows(
            &conn,
            &format!(
                "SELECT DISTINCT regexp_extract(filename, 'accountId=([0-9]+)', 1) AS a, regexp_extract(filename, 'region=([a-z0-9-]+)', 1) AS r, \
                 regexp_extract(filename, 'eventDay=([0-9]{{8}})', 1) AS d \
                 FROM read_parquet('{}/aws/VPC_FLOW/*/region=*/accountId=*/eventDay=*/*.parquet', filename = true, union_by_name = true, hive_partitioning = false) \
                 WHERE (src_endpoint.ip = '{ip}' OR dst_endpoint.ip = '{ip}') {time}",
                demo.display()
            ),
        );
        let want: BTreeSet<String> = files
            .iter()
            .map(|r| {
                format!(
                    "{}/{}/{}",
                    r["a"].as_str().unwrap(),
                    r["r"].as_str().unwrap(),
                    r["d"].as_str().unwrap()
                )
            })
            .collect();
        assert!(!want.is_empty(), "{scope:?}: no flow of {ip} in the demo");
        assert_eq!(named, want, "{scope:?}");
    }
}
