//! The story's findings from other products, delivered through Security Hub:
//! GuardDuty (the leaked key used from outside AWS, then the port probe) in
//! both Security Lake versions, and an Inspector vulnerability (2.0 only:
//! 1.0 has no Vulnerability Finding class).

use serde_json::{Value, json};

use super::ids::{self, hex32};
use super::net_times::NetTimes;
use super::net_truth::NetTruth;
use super::record;
use super::sources::ts;
use super::story::Story;
use super::world::{self, DATA, ENI_ID, IDENTITY, INSTANCE_ID, INSTANCE_IP, NEW_IP, SCANNER_IP, SUBNET_ID, VPC_ID};

pub const EXFIL_TYPE: &str = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
pub const RECON_TYPE: &str = "Recon:EC2/PortProbeUnprotectedPort";

/// One finding, in the fields both versions share.
struct Finding {
    t: i64,
    uid: String,
    product: &'static str,
    title: String,
    desc: String,
    types: Vec<String>,
    severity: (&'static str, i32),
    /// `(type, uid, account, details JSON)`.
    resources: Vec<(&'static str, String, &'static str, Value)>,
    unmapped: Value,
    /// `(name, value, type, type_id)`.
    observables: Vec<(&'static str, String, &'static str, i32)>,
    vulnerabilities: Option<Value>,
}

pub struct StoryFindings {
    pub v1: Vec<Value>,
    pub v2: Vec<Value>,
}

fn instance_resource() -> (&'static str, String, &'static str, Value) {
    (
        "AwsEc2Instance",
        format!("arn:aws:ec2:us-east-1:{DATA}:instance/{INSTANCE_ID}"),
        DATA,
        json!({"AwsEc2Instance": {"Type": "t3.medium", "ImageId": "ami-0c7217cdde317cfec", "IpV4Addresses": [INSTANCE_IP],
            "VpcId": VPC_ID, "SubnetId": SUBNET_ID, "NetworkInterfaces": [{"NetworkInterfaceId": ENI_ID}], "LaunchedAt": "2024-03-18T09:12:44.000Z"}}),
    )
}

fn guardduty_uid(seed: u64, label: &str) -> String {
    format!(
        "arn:aws:guardduty:us-east-1:{DATA}:detector/{}/finding/{}",
        hex32(&[&seed.to_string(), "guardduty/detector"]),
        hex32(&[&seed.to_string(), "guardduty", label])
    )
}

fn v1_row(f: &Finding) -> Value {
    let mut unmapped = f.unmapped.clone();
    if let Some(m) = unmapped.as_object_mut() {
        m.insert("ProductFields.aws/securityhub/ProductName".into(), json!(f.product));
    }
    json!({
        "metadata": {"product": {"version": "2018-10-08", "name": "Security Hub", "vendor_name": "AWS", "feature": {"name": f.product}}, "uid": f.uid, "profiles": ["cloud"], "version": "1.0.0-rc.2"},
        "time": f.t, "finding": {"uid": f.uid, "title": f.title, "desc": f.desc, "types": f.types, "created_time": f.t},
        "cloud": {"account_uid": DATA, "region": "us-east-1", "provider": "AWS"},
        "resources": f.resources.iter().map(|(ty, uid, acct, details)| json!({"uid": uid, "type": ty, "region": "us-east-1", "account_uid": acct, "details": details.to_string()})).collect::<Vec<_>>(),
        "severity": f.severity.0, "severity_id": f.severity.1, "state": "New", "state_id": 1,
        "class_name": "Security Finding", "class_uid": 2001, "category_name": "Findings", "category_uid": 2,
        "activity_name": "Create", "activity_id": 1, "type_uid": 200101, "type_name": "Security Finding: Create",
        "unmapped": unmapped,
    })
}

fn v2_row(f: &Finding) -> Value {
    let mut unmapped = f.unmapped.clone();
    if let Some(m) = unmapped.as_object_mut() {
        m.insert("ProductFields.aws/securityhub/ProductName".into(), json!(f.product));
    }
    let (class, class_uid) = match f.vulnerabilities {
        Some(_) => ("Vulnerability Finding", 2002),
        None => ("Detection Finding", 2004),
    };
    json!({
        "metadata": {"product": {"version": "2018-10-08", "name": "Security Hub", "vendor_name": "AWS", "feature": {"name": f.product}}, "uid": f.uid, "profiles": ["cloud", "datetime"], "version": "1.1.0"},
        "time": f.t, "time_dt": ts(f.t),
        "finding_info": {"uid": f.uid, "title": f.title, "desc": f.desc, "types": f.types, "created_time_dt": ts(f.t)},
        "cloud": {"account": {"uid": DATA}, "region": "us-east-1", "provider": "AWS"},
        "resources": f.resources.iter().map(|(ty, uid, acct, details)| json!({"uid": uid, "type": ty, "region": "us-east-1", "owner": {"account": {"uid": acct}}, "data": details.to_string()})).collect::<Vec<_>>(),
        "vulnerabilities": f.vulnerabilities,
        "severity": f.severity.0, "severity_id": f.severity.1, "status": "New", "status_id": 1,
        "class_name": class, "class_uid": class_uid, "category_name": "Findings", "category_uid": 2,
        "activity_name": "Create", "activity_id": 1, "type_uid": class_uid * 100 + 1, "type_name": format!("{class}: Create"),
        "unmapped": unmapped,
        "accountid": DATA, "region": "us-east-1", "asl_version": "2.0",
        "observables": f.observables.iter().map(|(n, v, ty, id)| json!({"name": n, "value": v, "type": ty, "type_id": id})).collect::<Vec<_>>(),
    })
}

/// The story day's product findings; fills `net.guardduty` and `net.recon`.
pub fn story_findings(seed: u64, story: &Story, at: &NetTimes, net: &mut NetTruth) -> StoryFindings {
    let key = story.leaked_key.clone();
    let arn = world::intruder_arn();
    let ci = record::iam_user(seed, IDENTITY, world::CI_USER);
    let key_res = (
        "AwsIamAccessKey",
        format!("AWS::IAM::AccessKey:{key}"),
        IDENTITY,
        json!({"AwsIamAccessKey": {"PrincipalId": ci.principal_id, "PrincipalType": "IAMUser", "PrincipalName": world::CI_USER,
            "UserName": world::CI_USER, "AccountId": IDENTITY, "Arn": arn, "Status": "Active", "CreatedAt": "2023-11-02T16:40:12.000Z"}}),
    );
    let exfil = Finding {
        t: at.guardduty,
        uid: guardduty_uid(seed, "exfil"),
        product: "GuardDuty",
        title: format!(
            "Credentials of {} used from the external IP address {NEW_IP}.",
            world::CI_USER
        ),
        desc: format!(
            "Credentials that were created exclusively for an EC2 instance through an instance launch role are being used from the external IP address {NEW_IP}."
        ),
        types: vec![EXFIL_TYPE.into()],
        severity: ("High", 4),
        resources: vec![key_res, instance_resource()],
        unmapped: json!({
            "FindingProviderFields.Types[]": "TTPs/Initial Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS",
            "Severity.Original": "8", "WorkflowState": "NEW", "RecordState": "ACTIVE", "CompanyName": "Amazon",
            "ProductFields.aws/guardduty/service/action/actionType": "AWS_API_CALL",
            "ProductFields.action/awsApiCallAction/api": "GetCallerIdentity",
            "ProductFields.action/awsApiCallAction/serviceName": "sts.amazonaws.com",
            "ProductFields.action/awsApiCallAction/remoteIpDetails/ipAddressV4": NEW_IP,
            "ProductFields.action/awsApiCallAction/remoteIpDetails/organization/asnOrg": "EXAMPLE-HOSTING",
            "ProductFields.aws/guardduty/service/count": "4",
            "ProductFields.aws/securityhub/CompanyName": "Amazon",
            "ProductFields.aws/securityhub/FindingId": format!("arn:aws:securityhub:us-east-1::product/aws/guardduty/{}", guardduty_uid(seed, "exfil")),
        }),
        observables: vec![
            ("action.remote_ip", NEW_IP.into(), "IP Address", 2),
            ("actor.user.uid", arn.clone(), "Resource UID", 10),
            ("actor.user.credential_uid", key.clone(), "Other", 99),
            ("resources[1].uid", INSTANCE_ID.into(), "Resource UID", 10),
        ],
        vulnerabilities: None,
    };
    let recon = Finding {
        t: at.recon_finding,
        uid: guardduty_uid(seed, "recon"),
        product: "GuardDuty",
        title: format!("Unprotected port on EC2 instance {INSTANCE_ID} is being probed."),
        desc: format!(
            "EC2 instance has an unprotected port which is being probed by a known malicious host {SCANNER_IP}."
        ),
        types: vec![RECON_TYPE.into()],
        severity: ("Low", 2),
        resources: vec![instance_resource()],
        unmapped: json!({
            "FindingProviderFields.Types[]": "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort",
            "Severity.Original": "2", "WorkflowState": "NEW", "RecordState": "ACTIVE", "CompanyName": "Amazon",
            "ProductFields.aws/guardduty/service/action/actionType": "PORT_PROBE",
            "ProductFields.action/portProbeAction/portProbeDetails.0_/localPortDetails/port": "3389",
            "ProductFields.action/portProbeAction/portProbeDetails.0_/remoteIpDetails/ipAddressV4": SCANNER_IP,
            "ProductFields.aws/securityhub/CompanyName": "Amazon",
        }),
        observables: vec![
            ("action.remote_ip", SCANNER_IP.into(), "IP Address", 2),
            ("resources[0].uid", INSTANCE_ID.into(), "Resource UID", 10),
        ],
        vulnerabilities: None,
    };
    let inspector_uid = format!(
        "arn:aws:inspector2:us-east-1:{DATA}:finding/{}",
        hex32(&[&seed.to_string(), "inspector", INSTANCE_ID])
    );
    let inspector = Finding {
        t: at.inspector,
        uid: inspector_uid,
        product: "Inspector",
        title: "CVE-2023-38408 - openssh-client, openssh-server".into(),
        desc: "The PKCS#11 feature in ssh-agent in OpenSSH before 9.3p2 has an insufficiently trustworthy search path, leading to remote code execution if an agent is forwarded to an attacker-controlled system.".into(),
        types: vec!["Software and Configuration Checks/Vulnerabilities/CVE".into()],
        severity: ("Critical", 5),
        resources: vec![instance_resource()],
        unmapped: json!({"Severity.Original": "CRITICAL", "WorkflowState": "NEW", "RecordState": "ACTIVE", "CompanyName": "Amazon",
            "ProductFields.aws/inspector/inspectorScore": "9.8", "ProductFields.aws/securityhub/CompanyName": "Amazon"}),
        observables: vec![("resources[0].uid", INSTANCE_ID.into(), "Resource UID", 10)],
        vulnerabilities: Some(json!([{
            "cve": {"uid": "CVE-2023-38408", "cvss": [{"base_score": 9.8, "version": "3.1", "vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
            "title": "CVE-2023-38408 - openssh-client, openssh-server", "severity": "Critical", "vendor_name": "NVD",
            "affected_packages": [
                {"name": "openssh-client", "version": "1:8.9p1-3ubuntu0.1", "architecture": "X86_64"},
                {"name": "openssh-server", "version": "1:8.9p1-3ubuntu0.1", "architecture": "X86_64"},
            ],
            "references": ["https://nvd.nist.gov/vuln/detail/CVE-2023-38408", "https://ubuntu.com/security/CVE-2023-38408"],
        }])),
    };
    net.guardduty = json!({
        "uid": exfil.uid, "type": EXFIL_TYPE, "title": exfil.title, "severity": exfil.severity.0,
        "product": "GuardDuty", "time": ids::iso_s(exfil.t), "access_key": key, "actor_arn": arn,
        "ip": NEW_IP, "instance": INSTANCE_ID,
    });
    net.recon = json!({"uid": recon.uid, "scanner_ip": SCANNER_IP, "instance": INSTANCE_ID});
    StoryFindings {
        v1: vec![v1_row(&exfil), v1_row(&recon)],
        v2: vec![v2_row(&inspector), v2_row(&exfil), v2_row(&recon)],
    }
}
