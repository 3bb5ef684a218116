//! TRUTH.json `network` agrees with the network and findings rows the
//! generator wrote (re-read independently: Parquet with DuckDB, raw flow
//! and Resolver logs with flate2), and the damaged-input lake has the
//! network damage EXPECTED.json announces.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use common::{n, s};
use duckdb::Connection;
use flate2::read::MultiGzDecoder;
use lakescope::generate::{GenerateOptions, generate_bad_lake, generate_lake};
use serde_json::Value;

fn db() -> Connection {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;")
        .unwrap();
    c
}

/// `read_parquet(...)` over one source version of the lake.
fn src(root: &Path, source: &str, version: &str) -> String {
    format!(
        "read_parquet('{}/aws/{source}/{version}/region=*/accountId=*/eventDay=*/*.parquet', hive_partitioning = false)",
        root.display()
    )
}

fn one(c: &Connection, sql: &str) -> Value {
    let text: String = c
        .query_row(
            &format!("SELECT coalesce(to_json(({sql}))::VARCHAR, 'null')"),
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    serde_json::from_str(&text).unwrap()
}

const ISO: &str = "'%Y-%m-%dT%H:%M:%SZ'";

fn gz_lines(root: &Path, kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root.join("AWSLogs")) {
        let e = e.unwrap();
        let p = e.path().to_string_lossy().to_string();
        if e.file_type().is_file() && p.contains(&format!("/{kind}/")) && p.ends_with(".log.gz") {
            let mut text = String::new();
            MultiGzDecoder::new(std::fs::File::open(e.path()).unwrap())
                .read_to_string(&mut text)
                .unwrap();
            out.extend(text.lines().map(str::to_string));
        }
    }
    out
}

#[test]
fn network_truth_agrees_with_the_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("lake");
    generate_lake(&GenerateOptions {
        out: root.clone(),
        events: 1500,
        seed: 3,
        days: 6,
    })
    .unwrap();
    let truth: Value = serde_json::from_slice(&std::fs::read(root.join("TRUTH.json")).unwrap()).unwrap();
    let net = &truth["network"];
    let inst = &net["instance"];
    let (ip, exfil_ip) = (s(&inst["ip"]), s(&net["exfil"]["ip"]));
    let c = db();

    // Row counts per source version, and no day in both flow versions.
    for (key, v) in net["rows"].as_object().unwrap() {
        let counted = match key.as_str() {
            "raw_vpcflowlogs" => gz_lines(&root, "vpcflowlogs")
                .iter()
                .filter(|l| !l.starts_with("version "))
                .count() as u64,
            "raw_resolver" => gz_lines(&root, "vpcdnsquerylogs").len() as u64,
            k => {
                let (source, version) = k.split_once('/').unwrap();
                n(&one(
                    &c,
                    &format!("SELECT count(*) FROM {}", src(&root, source, version)),
                ))
            }
        };
        assert_eq!(counted, n(v), "{key}");
        assert!(counted > 0, "{key} is empty");
    }
    let days = |v: &str| -> BTreeSet<String> {
        walkdir::WalkDir::new(root.join(format!("aws/VPC_FLOW/{v}")))
            .into_iter()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|name| name.starts_with("eventDay="))
            .collect()
    };
    assert!(days("1.0").is_disjoint(&days("2.0")), "a flow day is in both versions");

    // The exfiltration, both directions, from the 2.0 rows.
    let flows = src(&root, "VPC_FLOW", "2.0");
    let e = &net["exfil"];
    let side = |from: &str, to: &str, port_side: &str| {
        one(
            &c,
            &format!(
                "SELECT {{'bytes': sum(traffic.bytes), 'packets': sum(traffic.packets), 'n': count(*)}} FROM {flows} \
                 WHERE src_endpoint.ip = '{from}' AND dst_endpoint.ip = '{to}' AND {port_side}.port = 443"
            ),
        )
    };
    let (out, back) = (side(ip, exfil_ip, "dst_endpoint"), side(exfil_ip, ip, "src_endpoint"));
    assert_eq!(n(&out["bytes"]), n(&e["bytes_out"]));
    assert_eq!(n(&out["packets"]), n(&e["packets_out"]));
    assert_eq!(n(&back["bytes"]), n(&e["bytes_in"]));
    assert_eq!(n(&back["packets"]), n(&e["packets_in"]));
    assert_eq!(n(&out["n"]) + n(&back["n"]), n(&e["flows"]));
    assert!((1_000_000_000..=2_000_000_000).contains(&n(&e["bytes_out"])));
    let span = one(
        &c,
        &format!(
            "SELECT [strftime(epoch_ms(min(time)), {ISO}), strftime(max(end_time_dt), {ISO})] FROM {flows} \
             WHERE '{exfil_ip}' IN (src_endpoint.ip, dst_endpoint.ip)"
        ),
    );
    assert_eq!(span[0], e["first_seen"]);
    assert_eq!(span[1], e["last_seen"]);

    // The scanner's rejected probes (either version).
    let sc = &net["scanner"];
    let mut probes = 0;
    let mut ports = BTreeSet::new();
    for v in ["1.0", "2.0"] {
        let rows = one(
            &c,
            &format!(
                "SELECT list(dst_endpoint.port) FROM {} WHERE src_endpoint.ip = '{}' AND disposition = 'Blocked'",
                src(&root, "VPC_FLOW", v),
                s(&sc["ip"])
            ),
        );
        for p in rows.as_array().into_iter().flatten() {
            probes += 1;
            ports.insert(n(p));
        }
    }
    assert_eq!(probes, n(&sc["denied_probes"]));
    let want: BTreeSet<u64> = sc["ports"].as_array().unwrap().iter().map(n).collect();
    assert_eq!(ports, want);

    // The C2 lookup.
    let c2 = &net["c2"];
    let r = one(
        &c,
        &format!(
            "SELECT {{'first': strftime(epoch_ms(min(time)), {ISO}), 'answers': list(DISTINCT a.rdata ORDER BY a.rdata)}} \
             FROM (SELECT time, unnest(answers) AS a FROM {} \
                   WHERE lower(rtrim(query.hostname, '.')) = '{}' AND src_endpoint.ip = '{}' AND query.type = 'A')",
            src(&root, "ROUTE53", "2.0"),
            s(&c2["name"]),
            s(&c2["asked_by"])
        ),
    );
    assert_eq!(r["first"], c2["first_seen"]);
    assert_eq!(r["answers"], c2["answers"]);
    assert_eq!(c2["answers"][0], e["ip"]);
    let nx = one(
        &c,
        &format!(
            "SELECT count(*) FROM {} WHERE rcode = 'NXDomain' AND len(answers) = 0",
            src(&root, "ROUTE53", "1.0")
        ),
    );
    assert!(n(&nx) > 0, "NXDOMAIN answers are empty");

    // The web scan.
    let w = &net["waf"];
    let r = one(
        &c,
        &format!(
            "SELECT {{'requests': count(*), 'blocked': count(*) FILTER (action = 'Denied'), \
               'allowed': count(*) FILTER (action = 'Allowed'), 'uris': list(DISTINCT http_request.url.path ORDER BY http_request.url.path)}} \
             FROM {} WHERE src_endpoint.ip = '{}'",
            src(&root, "WAF", "2.0"),
            s(&w["client_ip"])
        ),
    );
    for k in ["requests", "blocked", "allowed", "uris"] {
        assert_eq!(r[k], w[k], "waf {k}");
    }
    assert!(n(&w["blocked"]) > 0 && n(&w["allowed"]) > 0);

    // GuardDuty, in both versions under one uid, naming key, actor, IP and instance.
    let gd = &net["guardduty"];
    let v1 = one(
        &c,
        &format!(
            "SELECT {{'n': count(*), 'type': any_value(finding.types[1]), 'title': any_value(finding.title), \
               'severity': any_value(severity), 'state': any_value(state), 'time': strftime(epoch_ms(any_value(time)), {ISO}), \
               'product': any_value(unmapped['ProductFields.aws/securityhub/ProductName']), \
               'feature': any_value(metadata.product.feature.name), \
               'ip': any_value(unmapped['ProductFields.action/awsApiCallAction/remoteIpDetails/ipAddressV4']), \
               'text': any_value(to_json(t)::VARCHAR)}} FROM {} AS t WHERE finding.uid = '{}'",
            src(&root, "SH_FINDINGS", "1.0"),
            s(&gd["uid"])
        ),
    );
    assert_eq!(n(&v1["n"]), 1);
    for (k, want) in [
        ("type", &gd["type"]),
        ("title", &gd["title"]),
        ("severity", &gd["severity"]),
        ("time", &gd["time"]),
        ("product", &gd["product"]),
        ("feature", &gd["product"]),
        ("ip", &gd["ip"]),
    ] {
        assert_eq!(&v1[k], want, "GuardDuty 1.0 {k}");
    }
    assert_eq!(v1["state"], "New");
    let v2 = one(
        &c,
        &format!(
            "SELECT {{'n': count(*), 'class': any_value(class_uid), 'severity_id': any_value(severity_id), 'status': any_value(status), \
               'ips': flatten(list([o.value for o in observables if o.type_id = 2])), 'text': any_value(to_json(t)::VARCHAR)}} \
             FROM {} AS t WHERE finding_info.uid = '{}'",
            src(&root, "SH_FINDINGS", "2.0"),
            s(&gd["uid"])
        ),
    );
    assert_eq!((n(&v2["n"]), n(&v2["class"]), n(&v2["severity_id"])), (1, 2004, 4));
    assert_eq!(v2["status"], "New");
    assert_eq!(v2["ips"], serde_json::json!([gd["ip"]]));
    for row in [&v1, &v2] {
        let text = s(&row["text"]);
        for k in ["access_key", "actor_arn", "ip", "instance"] {
            assert!(text.contains(s(&gd[k])), "the finding names {k}: {text}");
        }
        assert!(text.contains(&format!("AWS::IAM::AccessKey:{}", s(&gd["access_key"]))));
    }
    assert_eq!(gd["access_key"], truth["intrusion"]["leaked_key"]);
    assert!(s(&gd["time"]) > s(&truth["intrusion"]["new_ip_first_seen"]));
    let recon = &net["recon_finding"];
    let r = one(
        &c,
        &format!(
            "SELECT list(to_json(t)::VARCHAR) FROM {} AS t WHERE finding_info.uid = '{}'",
            src(&root, "SH_FINDINGS", "2.0"),
            s(&recon["uid"])
        ),
    );
    let text = s(&r[0]);
    assert!(text.contains(s(&recon["scanner_ip"])) && text.contains(s(&recon["instance"])));
    let vuln = one(
        &c,
        &format!(
            "SELECT count(*) FROM {} WHERE class_uid = 2002 AND vulnerabilities[1].cve.uid LIKE 'CVE-%' \
             AND list_contains([r.uid for r in resources], 'arn:aws:ec2:us-east-1:444455556666:instance/{}')",
            src(&root, "SH_FINDINGS", "2.0"),
            s(&inst["id"])
        ),
    );
    assert_eq!(n(&vuln), 1);
}

#[test]
fn bad_lake_has_the_network_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("bad");
    generate_bad_lake(&root, 1).unwrap();
    let expected: Value = serde_json::from_slice(&std::fs::read(root.join("EXPECTED.json")).unwrap()).unwrap();
    let c = db();
    let kinds: Vec<&str> = expected["other_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| s(&o["kind"]))
        .collect();
    assert_eq!(
        kinds,
        [
            "vpc_flow_types_drifted",
            "sh_findings_without_resources_column",
            "sh_findings_resources_null",
            "route53_answers_null"
        ]
    );
    for o in expected["other_sources"].as_array().unwrap() {
        let p = format!("read_parquet('{}')", root.join(s(&o["path"])).display());
        assert_eq!(n(&one(&c, &format!("SELECT count(*) FROM {p}"))), n(&o["rows"]), "{o}");
        let check = match s(&o["kind"]) {
            "vpc_flow_types_drifted" => {
                "SELECT typeof(any_value(traffic.bytes)) = 'VARCHAR' AND typeof(any_value(src_endpoint.port)) = 'VARCHAR'"
            }
            "sh_findings_without_resources_column" => {
                "SELECT NOT list_contains(list(column_name), 'resources') FROM (DESCRIBE SELECT *"
            }
            "sh_findings_resources_null" => "SELECT bool_and(resources IS NULL)",
            _ => "SELECT count(*) FILTER (answers IS NULL) = 1",
        };
        let sql = match check.ends_with('*') {
            true => format!("{check} FROM {p})"),
            false => format!("{check} FROM {p}"),
        };
        assert_eq!(one(&c, &sql), Value::Bool(true), "{}", s(&o["kind"]));
    }
}
