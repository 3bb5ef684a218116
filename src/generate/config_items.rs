//! AWS Config configuration items: the resources of the data account, their
//! history around the story, and the three spellings of an item (S3
//! delivery, API, CloudTrail Lake; `docs/formats.md#config-item-spellings`).

use serde_json::{Value, json};

use super::ids::{self, DAY_MS, HOUR_MS};
use super::record;
use super::story::{BUCKET_CONFIG_DELAY_MS, SG_CONFIG_DELAY_MS, Story, USER_CONFIG_DELAY_MS};
use super::story_builder;
use super::world::*;

/// One configuration item plus the fields needed to file and count it.
#[derive(Clone)]
pub struct Item {
    pub account: &'static str,
    pub region: &'static str,
    pub rtype: &'static str,
    pub rid: String,
    pub capture_ms: i64,
    pub status: &'static str,
    pub rels: Vec<(String, &'static str, String, Option<String>)>,
    pub arn: Option<String>,
    pub name: Option<String>,
    pub configuration: Value,
    pub supplementary: Value,
    pub tags: Value,
    pub az: &'static str,
}

fn rel(name: &str, rtype: &'static str, rid: &str) -> (String, &'static str, String, Option<String>) {
    (name.to_string(), rtype, rid.to_string(), None)
}

impl Item {
    /// S3 delivery spelling (history and snapshot files).
    pub fn s3(&self) -> Value {
        json!({
            "relatedEvents": [],
            "relationships": self.rels.iter().map(|(n, t, id, rn)| json!({"resourceId": id, "resourceName": rn, "resourceType": t, "name": n})).collect::<Vec<_>>(),
            "configuration": self.configuration,
            "supplementaryConfiguration": self.supplementary,
            "tags": self.tags,
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": ids::iso_ms(self.capture_ms),
            "configurationStateId": self.capture_ms,
            "awsAccountId": self.account,
            "configurationItemStatus": self.status,
            "resourceType": self.rtype,
            "resourceId": self.rid,
            "resourceName": self.name,
            "ARN": self.arn,
            "awsRegion": self.region,
            "availabilityZone": self.az,
            "configurationStateMd5Hash": "",
            "resourceCreationTime": null,
        })
    }

    /// `aws configservice get-resource-config-history` (CLI v2) spelling.
    pub fn api(&self) -> Value {
        let supplementary: serde_json::Map<String, Value> = self
            .supplementary
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "version": "1.3",
            "accountId": self.account,
            "configurationItemCaptureTime": ids::iso_ms(self.capture_ms),
            "configurationItemStatus": self.status,
            "configurationStateId": self.capture_ms.to_string(),
            "configurationItemMD5Hash": "",
            "arn": self.arn,
            "resourceType": self.rtype,
            "resourceId": self.rid,
            "resourceName": self.name,
            "awsRegion": self.region,
            "availabilityZone": self.az,
            "tags": self.tags,
            "relatedEvents": [],
            "relationships": self.rels.iter().map(|(n, t, id, rn)| json!({"resourceType": t, "resourceId": id, "resourceName": rn, "relationshipName": n})).collect::<Vec<_>>(),
            "configuration": if self.configuration.is_null() { Value::Null } else { Value::String(self.configuration.to_string()) },
            "supplementaryConfiguration": supplementary,
        })
    }

    /// CloudTrail Lake row (`eventData` camelCase, `docs/formats.md#config-item-spellings`).
    pub fn cloudtrail_lake(&self, seed: u64) -> Value {
        let label = format!("{}/{}/{}", self.rtype, self.rid, self.capture_ms);
        json!({
            "eventVersion": "1.09",
            "eventCategory": "ConfigurationItem",
            "eventType": "AwsConfigurationItem",
            "eventID": ids::label_uuid(seed, &format!("ctl/{label}")),
            "eventTime": ids::sql_ts(self.capture_ms + 7000),
            "awsRegion": self.region,
            "recipientAccountId": self.account,
            "addendum": null,
            "eventData": {
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": ids::sql_ts(self.capture_ms),
                "configurationItemStatus": self.status,
                "configurationStateId": self.capture_ms,
                "accountId": self.account,
                "arn": self.arn,
                "resourceType": self.rtype,
                "resourceId": self.rid,
                "resourceName": self.name,
                "awsRegion": self.region,
                "availabilityZone": self.az,
                "configuration": self.configuration,
                "supplementaryConfiguration": self.supplementary,
                "tags": self.tags,
                "relationships": self.rels.iter().map(|(n, t, id, rn)| json!({"name": n, "resourceType": t, "resourceId": id, "resourceName": rn})).collect::<Vec<_>>(),
                "relatedEvents": null,
            },
        })
    }
}

fn ec2_arn(kind: &str, id: &str) -> Option<String> {
    Some(format!("arn:aws:ec2:us-east-1:{DATA}:{kind}/{id}"))
}

fn base(rtype: &'static str, rid: &str, t: i64, status: &'static str) -> Item {
    Item {
        account: DATA,
        region: "us-east-1",
        rtype,
        rid: rid.to_string(),
        capture_ms: t,
        status,
        rels: Vec::new(),
        arn: None,
        name: None,
        configuration: Value::Null,
        supplementary: json!({}),
        tags: json!({}),
        az: "Not Applicable",
    }
}

fn sg_rule(port: u16, cidr: &str) -> Value {
    json!({"ipProtocol": "tcp", "fromPort": port, "toPort": port, "userIdGroupPairs": [], "ipv4Ranges": [{"cidrIp": cidr}], "ipv6Ranges": [], "prefixListIds": [], "ipRanges": [cidr]})
}

fn sg(t: i64, status: &'static str, open_ssh: bool) -> Item {
    let mut perms = vec![sg_rule(443, "10.20.0.0/16")];
    if open_ssh {
        perms.push(sg_rule(22, "0.0.0.0/0"));
    }
    let mut i = base("AWS::EC2::SecurityGroup", SG_ID, t, status);
    i.arn = ec2_arn("security-group", SG_ID);
    i.name = Some("bastion".into());
    i.tags = json!({"Name": "bastion"});
    i.rels = vec![
        rel("Is contained in Vpc", "AWS::EC2::VPC", VPC_ID),
        rel(
            "Is associated with NetworkInterface",
            "AWS::EC2::NetworkInterface",
            ENI_ID,
        ),
        rel("Is associated with Instance", "AWS::EC2::Instance", INSTANCE_ID),
    ];
    i.configuration = json!({"description": "bastion ssh and https", "groupName": "bastion", "ipPermissions": perms, "ownerId": DATA, "groupId": SG_ID,
        "ipPermissionsEgress": [{"ipProtocol": "-1", "userIdGroupPairs": [], "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}], "ipv6Ranges": [], "prefixListIds": [], "ipRanges": ["0.0.0.0/0"]}],
        "tags": [{"key": "Name", "value": "bastion"}], "vpcId": VPC_ID});
    i
}

fn bucket(t: i64, status: &'static str, policy: Option<String>) -> Item {
    let mut i = base("AWS::S3::Bucket", BUCKET, t, status);
    i.arn = Some(format!("arn:aws:s3:::{BUCKET}"));
    i.name = Some(BUCKET.into());
    i.az = "Regional";
    i.tags = json!({"Team": "data"});
    i.configuration = json!({"name": BUCKET, "owner": {"displayName": null, "id": "b1f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "creationDate": "2023-11-02T10:14:31.000Z"});
    i.supplementary = json!({
        "BucketPolicy": {"policyText": policy},
        "PublicAccessBlockConfiguration": {"blockPublicAcls": false, "ignorePublicAcls": false, "blockPublicPolicy": false, "restrictPublicBuckets": false},
        "ServerSideEncryptionConfiguration": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyID": null}, "bucketKeyEnabled": false}]},
    });
    i
}

fn instance(t: i64, status: &'static str, itype: &str) -> Item {
    let mut i = base("AWS::EC2::Instance", INSTANCE_ID, t, status);
    i.arn = ec2_arn("instance", INSTANCE_ID);
    i.az = "us-east-1a";
    i.tags = json!({"Name": "bastion-1", "Owner": "data-platform"});
    i.rels = vec![
        rel("Contains NetworkInterface", "AWS::EC2::NetworkInterface", ENI_ID),
        rel("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", SG_ID),
        rel("Is contained in Subnet", "AWS::EC2::Subnet", SUBNET_ID),
        rel("Is contained in Vpc", "AWS::EC2::VPC", VPC_ID),
    ];
    i.configuration = json!({"instanceId": INSTANCE_ID, "instanceType": itype, "privateIpAddress": INSTANCE_IP, "publicIpAddress": "192.0.2.25",
        "state": {"code": 16, "name": "running"}, "subnetId": SUBNET_ID, "vpcId": VPC_ID,
        "networkInterfaces": [{"networkInterfaceId": ENI_ID, "privateIpAddress": INSTANCE_IP}],
        "securityGroups": [{"groupId": SG_ID, "groupName": "bastion"}]});
    i
}

/// All history items, in capture order. Story items follow the story's calls.
pub fn history(seed: u64, first_day_ms: i64, days: u32, story: &Story) -> Vec<Item> {
    let t0 = first_day_ms + 12 * 60_000;
    let mut v = Vec::new();
    let mut vpc = base("AWS::EC2::VPC", VPC_ID, t0, "ResourceDiscovered");
    vpc.arn = ec2_arn("vpc", VPC_ID);
    vpc.rels = vec![
        rel("Contains Subnet", "AWS::EC2::Subnet", SUBNET_ID),
        rel("Contains SecurityGroup", "AWS::EC2::SecurityGroup", SG_ID),
        rel("Contains SecurityGroup", "AWS::EC2::SecurityGroup", OLD_SG_ID),
        rel("Contains NetworkInterface", "AWS::EC2::NetworkInterface", ENI_ID),
        rel("Contains Instance", "AWS::EC2::Instance", INSTANCE_ID),
    ];
    vpc.configuration = json!({"cidrBlock": "10.20.0.0/16", "vpcId": VPC_ID, "state": "available", "isDefault": false});
    v.push(vpc);
    let mut subnet = base("AWS::EC2::Subnet", SUBNET_ID, t0 + 1000, "ResourceDiscovered");
    subnet.arn = ec2_arn("subnet", SUBNET_ID);
    subnet.az = "us-east-1a";
    subnet.rels = vec![
        rel("Is contained in Vpc", "AWS::EC2::VPC", VPC_ID),
        rel("Contains NetworkInterface", "AWS::EC2::NetworkInterface", ENI_ID),
        rel("Contains Instance", "AWS::EC2::Instance", INSTANCE_ID),
    ];
    subnet.configuration =
        json!({"subnetId": SUBNET_ID, "vpcId": VPC_ID, "cidrBlock": "10.20.1.0/24", "availabilityZone": "us-east-1a"});
    v.push(subnet);
    v.push(sg(t0 + 2000, "ResourceDiscovered", false));
    let mut old = base("AWS::EC2::SecurityGroup", OLD_SG_ID, t0 + 3000, "ResourceDiscovered");
    old.arn = ec2_arn("security-group", OLD_SG_ID);
    old.name = Some("temp-debug".into());
    old.rels = vec![rel("Is contained in Vpc", "AWS::EC2::VPC", VPC_ID)];
    old.configuration = json!({"groupName": "temp-debug", "groupId": OLD_SG_ID, "vpcId": VPC_ID, "ipPermissions": []});
    v.push(old.clone());
    let mut eni = base("AWS::EC2::NetworkInterface", ENI_ID, t0 + 4000, "ResourceDiscovered");
    eni.arn = ec2_arn("network-interface", ENI_ID);
    eni.az = "us-east-1a";
    eni.rels = vec![
        rel("Is attached to Instance", "AWS::EC2::Instance", INSTANCE_ID),
        rel("Is associated with SecurityGroup", "AWS::EC2::SecurityGroup", SG_ID),
        rel("Is contained in Subnet", "AWS::EC2::Subnet", SUBNET_ID),
        rel("Is contained in Vpc", "AWS::EC2::VPC", VPC_ID),
    ];
    eni.configuration = json!({"networkInterfaceId": ENI_ID, "privateIpAddress": INSTANCE_IP, "attachment": {"instanceId": INSTANCE_ID, "deviceIndex": 0, "status": "attached"}, "groups": [{"groupId": SG_ID, "groupName": "bastion"}], "subnetId": SUBNET_ID, "vpcId": VPC_ID});
    v.push(eni);
    v.push(instance(t0 + 5000, "ResourceDiscovered", "t3.medium"));
    v.push(bucket(t0 + 6000, "ResourceDiscovered", None));
    let policy_id = record::principal_id(seed, "ANPA", "policy/DataAdminPolicy");
    let mut role = base(
        "AWS::IAM::Role",
        &record::role_id(seed, DATA, DATA_ROLE),
        t0 + 7000,
        "ResourceDiscovered",
    );
    role.arn = Some(role_arn(DATA, DATA_ROLE));
    role.name = Some(DATA_ROLE.into());
    role.rels = vec![(
        "Is attached to CustomerManagedPolicy".into(),
        "AWS::IAM::Policy",
        policy_id,
        Some("DataAdminPolicy".into()),
    )];
    role.configuration = json!({"path": "/", "roleName": DATA_ROLE, "roleId": role.rid, "arn": role_arn(DATA, DATA_ROLE),
        "assumeRolePolicyDocument": format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"{}\"}},\"Action\":\"sts:AssumeRole\"}}]}}", role_arn(PROD, CROSS_ROLE))});
    v.push(role);
    v.push(cross_role(seed, t0 + 8000));

    // Day 2: the temporary group is deleted; day 3: a benign resize.
    let mut deleted = old;
    deleted.capture_ms = first_day_ms + DAY_MS + 16 * HOUR_MS + 40 * 60_000 + 12_000;
    deleted.status = "ResourceDeleted";
    deleted.configuration = Value::Null;
    deleted.rels = Vec::new();
    v.push(deleted);
    v.push(instance(
        first_day_ms + 2 * DAY_MS + 14 * HOUR_MS + 5 * 60_000 + 11_000,
        "OK",
        "t3.large",
    ));

    if days > STORY_DAY_INDEX {
        let sg_t = story.sg_event.1 + SG_CONFIG_DELAY_MS;
        v.push(sg(sg_t, "OK", true));
        let mut comp = base(
            "AWS::Config::ResourceCompliance",
            &format!("AWS::EC2::SecurityGroup/{SG_ID}"),
            sg_t + 74_000,
            "OK",
        );
        comp.rels = vec![rel("Is associated with ", "AWS::EC2::SecurityGroup", SG_ID)];
        comp.configuration = json!({"complianceResourceId": SG_ID, "complianceResourceType": "AWS::EC2::SecurityGroup", "complianceType": "NON_COMPLIANT",
            "configRuleList": [{"configRuleArn": format!("arn:aws:config:us-east-1:{DATA}:config-rule/config-rule-0a1b2c"), "configRuleId": "config-rule-0a1b2c", "configRuleName": "restricted-ssh", "complianceType": "NON_COMPLIANT"}]});
        v.push(comp);
        v.push(bucket(
            story.bucket_event.1 + BUCKET_CONFIG_DELAY_MS,
            "OK",
            Some(story_builder::public_policy().to_string()),
        ));
        let mut user = base(
            "AWS::IAM::User",
            &record::principal_id(seed, "AIDA", &format!("user/{DATA}/{BACKDOOR_USER}")),
            story.user_created_time + USER_CONFIG_DELAY_MS,
            "ResourceDiscovered",
        );
        user.arn = Some(user_arn(DATA, BACKDOOR_USER));
        user.name = Some(BACKDOOR_USER.into());
        user.configuration = json!({"path": "/", "userName": BACKDOOR_USER, "userId": user.rid, "arn": user_arn(DATA, BACKDOOR_USER), "createDate": ids::iso_ms(story.user_created_time), "userPolicyList": [], "groupList": [], "attachedManagedPolicies": []});
        v.push(user);
    }
    v.sort_by(|a, b| a.capture_ms.cmp(&b.capture_ms).then_with(|| a.rid.cmp(&b.rid)));
    v
}

fn cross_role(seed: u64, t: i64) -> Item {
    let mut role = base(
        "AWS::IAM::Role",
        &record::role_id(seed, PROD, CROSS_ROLE),
        t,
        "ResourceDiscovered",
    );
    role.account = PROD;
    role.arn = Some(role_arn(PROD, CROSS_ROLE));
    role.name = Some(CROSS_ROLE.into());
    role.rels = vec![(
        "Is attached to CustomerManagedPolicy".into(),
        "AWS::IAM::Policy",
        record::principal_id(seed, "ANPA", "policy/DeployPolicy"),
        Some("DeployPolicy".into()),
    )];
    role.configuration = json!({"path": "/", "roleName": CROSS_ROLE, "roleId": role.rid, "arn": role_arn(PROD, CROSS_ROLE),
        "assumeRolePolicyDocument": format!("{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"{}\"}},\"Action\":\"sts:AssumeRole\"}}]}}", user_arn(IDENTITY, CI_USER))});
    role
}
