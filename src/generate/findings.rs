//! Security Hub findings (SH_FINDINGS 1.0 class 2001, 2.0 classes 2002 and
//! 2004) and the Iceberg metadata stub of CLOUD_TRAIL_MGMT/2.0.

use serde_json::{Value, json};

use super::findings_gd;
use super::fsutil::Out;
use super::ids::{self, DAY_MS, HOUR_MS};
use super::net_run::NetRun;
use super::options::GenerateError;
use super::schemas;
use super::sources::{ts, write_rows};
use super::world::{self, BUCKET, DATA, INSTANCE_ID, SG_ID};

/// Security Hub findings: a couple per day, plus the story's two on 2024-05-05
/// and its GuardDuty and Inspector findings (`findings_gd`).
pub fn write_findings(run: &mut NetRun<'_>) -> Result<(), GenerateError> {
    let (out, pw, net) = (&mut *run.out, &mut *run.pw, &mut *run.net);
    let (seed, first_day_ms, days, story, at) = (run.seed, run.first_day_ms, run.days, run.story, run.at);
    let bucket_arn = format!("arn:aws:s3:::{BUCKET}");
    let sg_arn = format!("arn:aws:ec2:us-east-1:{DATA}:security-group/{SG_ID}");
    let inst_arn = format!("arn:aws:ec2:us-east-1:{DATA}:instance/{INSTANCE_ID}");
    for d in 0..days {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        let mut list: Vec<(i64, &str, &str, &str, &str, &str, i32)> = vec![
            (
                day_ms + 7 * HOUR_MS + 12 * 60_000,
                "S3.9",
                "S3 general purpose buckets should have server access logging enabled",
                bucket_arn.as_str(),
                "AwsS3Bucket",
                "Medium",
                3,
            ),
            (
                day_ms + 7 * HOUR_MS + 13 * 60_000,
                "EC2.8",
                "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
                inst_arn.as_str(),
                "AwsEc2Instance",
                "High",
                4,
            ),
        ];
        if day_ms == story.day_ms {
            list.push((
                story.sg_event.1 + 5 * 60_000 + 26_000,
                "EC2.19",
                "Security groups should not allow unrestricted access to ports with high risk",
                sg_arn.as_str(),
                "AwsEc2SecurityGroup",
                "Critical",
                5,
            ));
            list.push((
                story.bucket_event.1 + 4 * 60_000 + 55_000,
                "S3.2",
                "S3 general purpose buckets should block public read access",
                bucket_arn.as_str(),
                "AwsS3Bucket",
                "Critical",
                5,
            ));
        }
        list.sort_by_key(|f| f.0);
        let uid = |control: &str, t: i64| {
            format!(
                "arn:aws:securityhub:us-east-1:{DATA}:subscription/aws-foundational-security-best-practices/v/1.0.0/{control}/finding/{}",
                ids::label_uuid(seed, &format!("sh/{control}/{t}"))
            )
        };
        let mut v1: Vec<Value> = list.iter().map(|(t, control, title, res, rtype, sev, sev_id)| json!({
            "metadata": {"product": {"version": "2018-10-08", "name": "Security Hub", "vendor_name": "AWS", "feature": {"name": "Security Hub"}}, "uid": uid(control, *t), "profiles": ["cloud"], "version": "1.0.0-rc.2"},
            "time": t, "finding": {"uid": uid(control, *t), "title": format!("{control} {title}"), "types": ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"], "created_time": t},
            "cloud": {"account_uid": DATA, "region": "us-east-1", "provider": "AWS"},
            "resources": [{"uid": res, "type": rtype, "region": "us-east-1", "account_uid": DATA}],
            "severity": sev, "severity_id": sev_id, "state": "New", "state_id": 1,
            "class_name": "Security Finding", "class_uid": 2001, "category_name": "Findings", "category_uid": 2,
            "activity_name": "Create", "activity_id": 1, "type_uid": 200101, "type_name": "Security Finding: Create",
            "unmapped": {"Compliance.Status": "FAILED", "ProductFields.ControlId": control},
        })).collect();
        let mut v2: Vec<Value> = list.iter().map(|(t, control, title, res, rtype, sev, sev_id)| json!({
            "metadata": {"product": {"version": "2018-10-08", "name": "Security Hub", "vendor_name": "AWS", "feature": {"name": "Security Hub"}}, "uid": uid(control, *t), "profiles": ["cloud", "datetime"], "version": "1.1.0"},
            "time": t, "time_dt": ts(*t),
            "finding_info": {"uid": uid(control, *t), "title": format!("{control} {title}"), "types": ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"], "created_time_dt": ts(*t)},
            "cloud": {"account": {"uid": DATA}, "region": "us-east-1", "provider": "AWS"},
            "resources": [{"uid": res, "type": rtype, "region": "us-east-1", "owner": {"account": {"uid": DATA}}}],
            "severity": sev, "severity_id": sev_id, "status": "New", "status_id": 1,
            "class_name": "Detection Finding", "class_uid": 2004, "category_name": "Findings", "category_uid": 2,
            "activity_name": "Create", "activity_id": 1, "type_uid": 200401, "type_name": "Detection Finding: Create",
            "unmapped": {"Compliance.Status": "FAILED", "ProductFields.ControlId": control},
            "accountid": DATA, "region": "us-east-1", "asl_version": "2.0",
        })).collect();
        // GuardDuty findings reach both versions on the story day (an account
        // still subscribed to 1.0 as well), under the same finding uid.
        let mut gd_in_v1 = false;
        if day_ms == story.day_ms {
            let extra = findings_gd::story_findings(seed, story, at, net);
            if d > world::OVERLAP_DAY_INDEX {
                v1.clear();
            }
            gd_in_v1 = true;
            v1.extend(extra.v1);
            v2.extend(extra.v2);
            v1.sort_by_key(|r| r["time"].as_i64().unwrap_or(0));
            v2.sort_by_key(|r| r["time"].as_i64().unwrap_or(0));
        }
        if d <= world::OVERLAP_DAY_INDEX || gd_in_v1 {
            net.count("SH_FINDINGS/1.0", v1.len());
            write_rows(
                out,
                pw,
                seed,
                "SH_FINDINGS",
                "1.0",
                DATA,
                day_ms,
                schemas::SH_FINDINGS_V1,
                &v1,
            )?;
        }
        if d >= world::OVERLAP_DAY_INDEX {
            net.count("SH_FINDINGS/2.0", v2.len());
            write_rows(
                out,
                pw,
                seed,
                "SH_FINDINGS",
                "2.0",
                DATA,
                day_ms,
                schemas::SH_FINDINGS_V2,
                &v2,
            )?;
        }
    }
    Ok(())
}

/// `aws/CLOUD_TRAIL_MGMT/2.0/metadata/00000-<uuid>.metadata.json` (Iceberg, `docs/formats.md#layout`);
/// lakescope does not read it, but a real 2.0 source directory has one.
pub fn write_iceberg_stub(out: &mut Out, seed: u64, first_day_ms: i64) -> Result<(), GenerateError> {
    let uuid = ids::label_uuid(seed, "iceberg/cloudtrail");
    let fixed = [
        ("time_dt", 10, "timestamp"),
        ("accountid", 23, "string"),
        ("region", 24, "string"),
        ("asl_version", 25, "string"),
    ];
    let mut next = 1;
    let mut fields = Vec::new();
    for (name, _) in schemas::CLOUDTRAIL_V2 {
        let (id, ty) = match fixed.iter().find(|f| f.0 == *name) {
            Some(f) => (f.1, f.2.to_string()),
            None => {
                while fixed.iter().any(|f| f.1 == next) {
                    next += 1;
                }
                next += 1;
                (
                    next - 1,
                    if matches!(*name, "time" | "type_uid") {
                        "long".into()
                    } else {
                        "string".into()
                    },
                )
            }
        };
        fields.push(json!({"id": id, "name": name, "required": false, "type": ty}));
    }
    let doc = json!({
        "format-version": 2,
        "table-uuid": uuid,
        "location": "s3://aws-security-data-lake-us-east-1-4x7k2m9q1w3e5r8t0y6u/aws/CLOUD_TRAIL_MGMT/2.0",
        "last-sequence-number": 0,
        "last-updated-ms": first_day_ms,
        "last-column-id": 40,
        "current-schema-id": 0,
        "schemas": [{"type": "struct", "schema-id": 0, "fields": fields}],
        "default-spec-id": 0,
        "partition-specs": [{"spec-id": 0, "fields": [
            {"name": "asl_version", "transform": "identity", "source-id": 25, "field-id": 1000},
            {"name": "region", "transform": "identity", "source-id": 24, "field-id": 1001},
            {"name": "accountid", "transform": "identity", "source-id": 23, "field-id": 1002},
            {"name": "time_dt_day", "transform": "day", "source-id": 10, "field-id": 1003},
        ]}],
        "last-partition-id": 1003,
        "default-sort-order-id": 0,
        "sort-orders": [{"order-id": 0, "fields": []}],
        "properties": {"metadata_location": "metadata", "write.metadata.delete-after-commit.enabled": "true"},
        "current-snapshot-id": -1,
        "refs": {},
        "snapshots": [],
        "statistics": [],
        "snapshot-log": [],
        "metadata-log": [],
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| GenerateError::Json {
        path: out.root().join("aws"),
        source: e,
    })?;
    out.write(
        &format!("aws/CLOUD_TRAIL_MGMT/2.0/metadata/00000-{uuid}.metadata.json"),
        text.as_bytes(),
    )
}
