//! Damaged or awkward network and findings inputs for `fixtures/bad`: each
//! file is readable, but a field the engine relies on drifted in type, is
//! missing, or is NULL. Listed in EXPECTED.json under `other_sources`.

use serde_json::{Value, json};

use super::dns;
use super::flows;
use super::fsutil::Out;
use super::options::GenerateError;
use super::parquet::{self, ParquetWriter};
use super::schemas;
use super::schemas_net;
use super::sources::ts;
use super::world::DATA;

/// Where a file of `source/version` goes in the data account on `day`.
fn path(seed: u64, source: &str, version: &str, day: &str, part: u32) -> String {
    let dir = parquet::partition_dir(source, version, "us-east-1", DATA, day);
    format!("{dir}/{}", parquet::file_name(seed, &dir, part))
}

fn put(
    o: &mut Out,
    pw: &mut ParquetWriter,
    rows: &[Value],
    columns: &[(&str, &str)],
    rel: &str,
) -> Result<(), GenerateError> {
    let mut staged = pw.stage()?;
    for r in rows {
        staged.push(r)?;
    }
    pw.finish(o, staged, columns, rel)
}

/// A plain Security Hub control finding in the 2.0 shape.
fn finding(seed: u64, t: i64, control: &str, resources: Value) -> Value {
    let uid = format!(
        "arn:aws:securityhub:us-east-1:{DATA}:subscription/aws-foundational-security-best-practices/v/1.0.0/{control}/finding/{}",
        super::ids::label_uuid(seed, &format!("bad/sh/{control}"))
    );
    json!({
        "metadata": {"product": {"version": "2018-10-08", "name": "Security Hub", "vendor_name": "AWS", "feature": {"name": "Security Hub"}}, "uid": uid, "profiles": ["cloud", "datetime"], "version": "1.1.0"},
        "time": t, "time_dt": ts(t),
        "finding_info": {"uid": uid, "title": format!("{control} finding without a usable resource"), "types": ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"], "created_time_dt": ts(t)},
        "cloud": {"account": {"uid": DATA}, "region": "us-east-1", "provider": "AWS"},
        "resources": resources,
        "severity": "Medium", "severity_id": 3, "status": "New", "status_id": 1,
        "class_name": "Detection Finding", "class_uid": 2004, "category_name": "Findings", "category_uid": 2,
        "activity_name": "Create", "activity_id": 1, "type_uid": 200401, "type_name": "Detection Finding: Create",
        "unmapped": {"Compliance.Status": "FAILED", "ProductFields.ControlId": control},
        "accountid": DATA, "region": "us-east-1", "asl_version": "2.0",
    })
}

/// Writes the files on `day_ms` and returns their EXPECTED.json entries.
pub fn write_all(o: &mut Out, pw: &mut ParquetWriter, seed: u64, day_ms: i64) -> Result<Vec<Value>, GenerateError> {
    let day = super::ids::day_compact(day_ms);
    let mut listed = Vec::new();

    // VPC flow 2.0 whose bytes and ports were written as text.
    let mut rows = flows::sample_v2(seed ^ 0xbad_f10e, day_ms);
    for r in &mut rows {
        let bytes = r["traffic"]["bytes"].to_string();
        let port = r["src_endpoint"]["port"].to_string();
        r["traffic"]["bytes"] = json!(bytes);
        r["src_endpoint"]["port"] = json!(port);
    }
    let mut cols: Vec<(&str, &str)> = schemas::VPC_FLOW_V2.to_vec();
    for c in &mut cols {
        match c.0 {
            "traffic" => c.1 = "STRUCT(packets BIGINT, bytes VARCHAR)",
            "src_endpoint" => {
                c.1 = "STRUCT(port VARCHAR, svc_name VARCHAR, ip VARCHAR, intermediate_ips VARCHAR[], interface_uid VARCHAR, vpc_uid VARCHAR, instance_uid VARCHAR, subnet_uid VARCHAR)"
            }
            _ => {}
        }
    }
    let p = path(seed, "VPC_FLOW", "2.0", &day, 0);
    put(o, pw, &rows, &cols, &p)?;
    listed.push(json!({"path": p, "kind": "vpc_flow_types_drifted", "rows": rows.len(),
        "drift": ["traffic.bytes is VARCHAR", "src_endpoint.port is VARCHAR"]}));

    // Security Hub 2.0: one file without the resources column, one finding with NULL resources.
    let t = day_ms + 9 * 3_600_000;
    let rows = [finding(seed, t, "IAM.6", Value::Null)];
    let cols: Vec<(&str, &str)> = schemas::SH_FINDINGS_V2
        .iter()
        .copied()
        .filter(|c| c.0 != "resources")
        .collect();
    let p = path(seed, "SH_FINDINGS", "2.0", &day, 0);
    put(o, pw, &rows, &cols, &p)?;
    listed.push(json!({"path": p, "kind": "sh_findings_without_resources_column", "rows": 1}));
    let rows = [finding(seed, t + 60_000, "Config.1", Value::Null)];
    let p = path(seed, "SH_FINDINGS", "2.0", &day, 1);
    put(o, pw, &rows, schemas::SH_FINDINGS_V2, &p)?;
    listed.push(json!({"path": p, "kind": "sh_findings_resources_null", "rows": 1}));

    // Route 53 2.0 with a row whose answers are NULL (not an empty list).
    let mut rows = dns::sample_v2(seed ^ 0xbad_d25, day_ms);
    rows.truncate(6);
    if let Some(first) = rows.first_mut() {
        first["answers"] = Value::Null;
    }
    let p = path(seed, "ROUTE53", "2.0", &day, 0);
    put(o, pw, &rows, &schemas_net::route53_v2(), &p)?;
    listed.push(json!({"path": p, "kind": "route53_answers_null", "rows": rows.len(), "null_answers": 1}));
    Ok(listed)
}
