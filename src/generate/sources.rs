//! Other Security Lake sources: EKS audit 2.0 and the Parquet helpers the
//! small sources share (VPC flow is in `flows`, Security Hub and the Iceberg
//! stub in `findings`).

use serde_json::{Value, json};

use super::fsutil::Out;
use super::ids::{self, DAY_MS, Draw, HOUR_MS};
use super::options::GenerateError;
use super::parquet::{self, ParquetWriter};
use super::record;
use super::schemas;
use super::story::Story;
use super::truth::EksKeyCounts;
use super::world::{self, DATA, DATA_ROLE, INSTANCE_IP, NEW_IP};

#[allow(clippy::too_many_arguments)]
pub(super) fn write_rows(
    out: &mut Out,
    pw: &mut ParquetWriter,
    seed: u64,
    source: &str,
    version: &str,
    account: &str,
    day_ms: i64,
    columns: &[(&str, &str)],
    rows: &[Value],
) -> Result<(), GenerateError> {
    if rows.is_empty() {
        return Ok(());
    }
    let dir = parquet::partition_dir(source, version, "us-east-1", account, &ids::day_compact(day_ms));
    let mut staged = pw.stage()?;
    for r in rows {
        staged.push(r)?;
    }
    pw.finish(
        out,
        staged,
        columns,
        &format!("{dir}/{}", parquet::file_name(seed, &dir, 0)),
    )
}

pub(super) fn ts(ms: i64) -> String {
    ids::sql_ts(ms)
}

struct K8sCall<'a> {
    t: i64,
    user: &'a str,
    uid: &'a str,
    key: Option<&'a str>,
    issuer: Option<&'a str>,
    ip: &'a str,
    verb: &'a str,
    resource: &'a str,
    ns: &'a str,
    name: &'a str,
    code: i32,
}

fn eks_row(seed: u64, c: &K8sCall) -> Value {
    let path = format!("/api/v1/namespaces/{}/{}/{}", c.ns, c.resource, c.name);
    let (act_id, act) = match c.verb {
        "get" | "list" | "watch" => (2, "Read"),
        "create" => (1, "Create"),
        "delete" => (4, "Delete"),
        _ => (3, "Update"),
    };
    let allowed = c.code < 400;
    json!({
        "metadata": {"log_level": "Request", "product": {"version": "v1", "vendor_name": "AWS", "name": "Amazon EKS", "feature": {"name": "Elastic Kubernetes Service"}}, "profiles": ["cloud", "datetime"], "version": "1.1.0"},
        "api": {
            "request": {"uid": ids::label_uuid(seed, &format!("eks/{}/{}/{}", c.t, c.user, c.verb)), "containers": null},
            "operation": c.verb,
            "version": "v1",
            "response": {"code": c.code, "message": null, "error": if allowed { Value::Null } else { json!("Forbidden") },
                "error_message": if allowed { Value::Null } else { json!(format!("{} \"{}\" is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"\" in the namespace \"{}\"", c.resource, c.name, c.user, c.verb, c.resource, c.ns)) },
                "containers": null},
            "group": {"name": null},
        },
        "message": null,
        "http_request": {"url": {"path": path}, "user_agent": "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625"},
        "actor": {
            "user": {"name": c.user, "uid": c.uid, "groups": [{"name": "system:authenticated"}], "type_id": if c.key.is_some() { 1 } else { 3 }},
            "session": c.key.map(|k| json!({"credential_uid": k, "issuer": c.issuer, "uid": null})),
        },
        "cloud": {"account": {"uid": DATA}, "provider": "AWS"},
        "src_endpoint": {"ip": c.ip, "intermediate_ips": null},
        "resources": [{"namespace": c.ns, "name": c.name, "uid": null, "version": "v1", "type": c.resource}],
        "start_time_dt": ts(c.t), "time_dt": ts(c.t + 12), "time": c.t + 12,
        "severity_id": 1, "severity": "Informational",
        "class_name": "API Activity", "class_uid": 6003, "category_name": "Application Activity", "category_uid": 6,
        "activity_name": act, "activity_id": act_id, "type_name": format!("API Activity: {act}"), "type_uid": 600300 + act_id,
        "unmapped": {"stage": "ResponseComplete", "annotations.authorization.k8s.io/decision": if allowed { "allow" } else { "forbid" }, "cluster": world::EKS_CLUSTER},
        "accountid": DATA, "region": "us-east-1", "asl_version": "2.0",
        "observables": [{"name": "src_endpoint.ip", "value": c.ip, "type": "IP Address", "type_id": 2}],
    })
}

/// EKS audit: background calls by the data engineer's session and the
/// cluster autoscaler, plus the story's allowed/forbidden pair with K2.
pub fn write_eks(
    out: &mut Out,
    pw: &mut ParquetWriter,
    seed: u64,
    first_day_ms: i64,
    days: u32,
    story: &Story,
) -> Result<EksKeyCounts, GenerateError> {
    let mut counts = EksKeyCounts::new();
    let Some(engineer) = world::eks_actor() else {
        return Err(GenerateError::Invalid(
            "the EKS background actor is missing from the roster".into(),
        ));
    };
    for d in 0..days {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        let mut rng = ids::rng_for(seed, &["eks", &day_ms.to_string()]);
        let ident = record::identity_for(seed, engineer, day_ms);
        let (arn, key) = (
            ident.arn.clone().unwrap_or_default(),
            ident.key().unwrap_or_default().to_string(),
        );
        let issuer = ident
            .session_context
            .as_ref()
            .map(|s| s.session_issuer.arn.clone())
            .unwrap_or_default();
        let uid = format!(
            "aws-iam-authenticator:{DATA}:{}",
            ident.principal_id.clone().unwrap_or_default()
        );
        let mut calls = Vec::new();
        for i in 0..24 {
            let t = day_ms + 8 * HOUR_MS + (rng.below(10 * 3600) as i64) * 1000;
            let (verb, resource, name) = *rng.pick(&[
                ("get", "pods", "etl-runner-7d9f8"),
                ("list", "pods", ""),
                ("get", "configmaps", "etl-config"),
                ("list", "jobs", ""),
            ]);
            if i % 3 == 0 {
                calls.push((t, false, verb, resource, name, 200));
            } else {
                calls.push((t, true, verb, resource, name, 200));
            }
        }
        calls.sort_by_key(|c| c.0);
        let mut rows = Vec::new();
        for (t, human, verb, resource, name, code) in calls {
            let c = if human {
                K8sCall {
                    t,
                    user: &arn,
                    uid: &uid,
                    key: Some(&key),
                    issuer: Some(&issuer),
                    ip: "198.51.100.42",
                    verb,
                    resource,
                    ns: "data",
                    name,
                    code,
                }
            } else {
                K8sCall {
                    t,
                    user: "system:serviceaccount:kube-system:cluster-autoscaler",
                    uid: "5f1c2e3d-0a9b-4c8d-8e7f-6a5b4c3d2e1f",
                    key: None,
                    issuer: None,
                    ip: INSTANCE_IP,
                    verb,
                    resource,
                    ns: "kube-system",
                    name,
                    code,
                }
            };
            if let Some(k) = c.key {
                counts.entry(k.to_string()).or_default().add(c.t + 12, false);
            }
            rows.push(eks_row(seed, &c));
        }
        if day_ms == story.day_ms {
            let arn = world::session_arn(DATA, DATA_ROLE, "maintenance");
            let issuer = world::role_arn(DATA, DATA_ROLE);
            let uid = format!(
                "aws-iam-authenticator:{DATA}:{}:maintenance",
                record::role_id(seed, DATA, DATA_ROLE)
            );
            for (t, verb, resource, name, code) in [
                (story.eks_times[0], "list", "secrets", "", 200),
                (story.eks_times[1], "create", "clusterrolebindings", "backup-admin", 403),
            ] {
                let c = K8sCall {
                    t,
                    user: &arn,
                    uid: &uid,
                    key: Some(&story.k2),
                    issuer: Some(&issuer),
                    ip: NEW_IP,
                    verb,
                    resource,
                    ns: "data",
                    name,
                    code,
                };
                counts.entry(story.k2.clone()).or_default().add(t + 12, code >= 400);
                rows.push(eks_row(seed, &c));
            }
            rows.sort_by_key(|r| r["time"].as_i64().unwrap_or(0));
        }
        write_rows(
            out,
            pw,
            seed,
            "EKS_AUDIT",
            "2.0",
            DATA,
            day_ms,
            schemas::EKS_AUDIT_V2,
            &rows,
        )?;
    }
    Ok(counts)
}
