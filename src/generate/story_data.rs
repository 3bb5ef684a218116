//! Story, part 2: with K2 in the data account the intruder opens SSH to the
//! world, makes a bucket public, is denied a few things, and persists with a
//! new IAM user that signs in to the console.

use serde_json::{Value, json};

use super::ids::{self, Draw};
use super::record::{self, Identity, Resource};
use super::story_builder::{Builder, Step, public_policy};
use super::world::{self, BUCKET, DATA, SG_ID};

pub const BACKDOOR_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";

/// (eventID, time) of the events other sources and TRUTH.json refer to.
pub struct DataPhase {
    pub sg: (String, i64),
    pub bucket: (String, i64),
    pub user_created: i64,
    pub console: (String, i64),
}

pub(super) fn data_account(b: &mut Builder, s2: &Identity, minted_user_key: &str, steps: &mut Vec<Step>) -> DataPhase {
    let (iam, ec2, s3) = ("iam.amazonaws.com", "ec2.amazonaws.com", "s3.amazonaws.com");
    let bucket_res = Resource::new(Some(DATA), "AWS::S3::Bucket", format!("arn:aws:s3:::{BUCKET}"));
    let bucket_host = format!("{BUCKET}.s3.us-east-1.amazonaws.com");
    for (t, src, name, req) in [
        (b.t(2, 23, 5), "sts.amazonaws.com", "GetCallerIdentity", Value::Null),
        (
            b.t(2, 23, 31),
            ec2,
            "DescribeSecurityGroups",
            json!({"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}),
        ),
        (
            b.t(2, 23, 58),
            ec2,
            "DescribeInstances",
            json!({"instancesSet": {}, "filterSet": {}}),
        ),
        (b.t(2, 24, 10), s3, "ListBuckets", json!({"Host": "s3.amazonaws.com"})),
    ] {
        b.call(s2, DATA, t, src, name, req);
    }
    let req = json!({"bucketName": BUCKET, "Host": bucket_host, "policy": ""});
    let r = b.call(s2, DATA, b.t(2, 24, 45), s3, "GetBucketPolicy", req);
    r.error_code = Some("NoSuchBucketPolicy".into());
    r.error_message = Some("The bucket policy does not exist".into());
    r.resources = Some(vec![bucket_res.clone()]);

    // An object read denied: the object resource carries no accountId.
    let object = "exports/customers-2024-05.csv.gz";
    let req = json!({"bucketName": BUCKET, "Host": bucket_host, "key": object});
    let r = b.call(s2, DATA, b.t(2, 25, 12), s3, "GetObject", req);
    r.error_code = Some("AccessDenied".into());
    r.error_message = Some("Access Denied".into());
    r.resources = Some(vec![
        Resource::new(None, "AWS::S3::Object", format!("arn:aws:s3:::{BUCKET}/{object}")),
        bucket_res.clone(),
    ]);
    let req = json!({"instancesSet": {"items": [{"imageId": "ami-0c101f26f147fa7fd", "minCount": 1, "maxCount": 1}]},
        "instanceType": "p3.16xlarge", "blockDeviceMapping": {}, "monitoring": {"enabled": false}, "disableApiTermination": false});
    let r = b.call(s2, DATA, b.t(2, 26, 3), ec2, "RunInstances", req);
    r.error_code = Some("Client.UnauthorizedOperation".into());
    r.error_message = Some(format!(
        "You are not authorized to perform this operation. User: {} is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:{DATA}:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: 9YQb3xJz0kqV2pR",
        world::session_arn(DATA, world::DATA_ROLE, "maintenance")
    ));

    // SSH open to the world on the bastion's security group.
    let sg_time = b.t(2, 27, 44);
    let sgr = format!("sgr-0{}", &ids::hex32(&[&b.seed.to_string(), "sgr"])[..16]);
    let resp_id = b.rng.uuid();
    let req = json!({"groupId": SG_ID, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
        "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}});
    let r = b.call(s2, DATA, sg_time, ec2, "AuthorizeSecurityGroupIngress", req);
    r.response_elements = json!({"requestId": resp_id, "_return": true, "securityGroupRuleSet": {"items": [{
        "groupOwnerId": DATA, "groupId": SG_ID, "securityGroupRuleId": sgr, "isEgress": false,
        "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}]}});
    let sg = (r.event_id.clone(), sg_time);
    steps.push(Step::new(
        "security_group_opened_to_the_world",
        "Defense Evasion",
        "T1562.007",
        vec![sg.0.clone()],
    ));

    let bucket_time = b.t(2, 29, 10);
    let req = json!({"bucketPolicy": public_policy(), "bucketName": BUCKET, "Host": bucket_host, "policy": ""});
    let r = b.call(s2, DATA, bucket_time, s3, "PutBucketPolicy", req);
    r.resources = Some(vec![bucket_res]);
    let bucket = (r.event_id.clone(), bucket_time);
    steps.push(Step::new(
        "bucket_made_public",
        "Collection",
        "T1530",
        vec![bucket.0.clone()],
    ));

    // Persistence: a new IAM user with an access key and a console password.
    let user = world::BACKDOOR_USER;
    let user_id = record::principal_id(b.seed, "AIDA", &format!("user/{DATA}/{user}"));
    let user_created = b.t(2, 31, 20);
    let r = b.call(s2, DATA, user_created, iam, "CreateUser", json!({"userName": user}));
    r.response_elements = json!({"user": {"path": "/", "userName": user, "userId": user_id,
        "arn": world::user_arn(DATA, user), "createDate": ids::sts_time(user_created)}});
    let t = b.t(2, 31, 45);
    let r = b.call(s2, DATA, t, iam, "CreateAccessKey", json!({"userName": user}));
    r.response_elements = json!({"accessKey": {"userName": user, "accessKeyId": minted_user_key,
        "status": "Active", "createDate": ids::sts_time(t)}});
    let mut credentials = vec![r.event_id.clone()];
    let t = b.t(2, 32, 10);
    let r = b.call(
        s2,
        DATA,
        t,
        iam,
        "CreateLoginProfile",
        json!({"userName": user, "passwordResetRequired": false}),
    );
    r.response_elements =
        json!({"loginProfile": {"userName": user, "createDate": ids::sts_time(t), "passwordResetRequired": false}});
    credentials.push(r.event_id.clone());
    steps.push(Step::new(
        "credentials_created_for_another_user",
        "Persistence",
        "T1098.001",
        credentials,
    ));
    let req = json!({"userName": user, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"});
    let attached = b
        .call(s2, DATA, b.t(2, 32, 40), iam, "AttachUserPolicy", req)
        .event_id
        .clone();
    steps.push(Step::new(
        "admin_policy_attached",
        "Privilege Escalation",
        "T1098.003",
        vec![attached],
    ));

    let mut backdoor = record::iam_user(b.seed, DATA, user);
    backdoor.access_key_id = None;
    let console_time = b.t(2, 35, 2);
    let r = b.call(
        &backdoor,
        DATA,
        console_time,
        "signin.amazonaws.com",
        "ConsoleLogin",
        Value::Null,
    );
    r.user_agent = BACKDOOR_UA.into();
    r.event_type = "AwsConsoleSignIn";
    r.read_only = false;
    r.response_elements = json!({"ConsoleLogin": "Success"});
    r.additional_event_data = Some(
        json!({"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
        "MobileVersion": "No", "MFAUsed": "No"}),
    );
    steps.push(Step::new(
        "console_login_without_mfa",
        "Initial Access",
        "T1078.004",
        vec![r.event_id.clone()],
    ));
    DataPhase {
        sg,
        bucket,
        user_created,
        console: (r.event_id.clone(), console_time),
    }
}
