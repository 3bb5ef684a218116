//! The intrusion on 2024-05-05: a leaked CI key used from a new IP, recon,
//! an AccessDenied burst, a two-hop cross-account role chain, and
//! persistence in the data account. All times are fixed.

use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::background::new_record;
use super::daily::sts_credentials;
use super::ids::{self, access_key, Draw, HOUR_MS};
use super::record::{self, Identity, Record, Resource};
use super::world::{self, BUCKET, CROSS_ROLE, DATA, DATA_ROLE, IDENTITY, NEW_IP, PROD, SG_ID};

/// Everything other generators and TRUTH.json need to know about the story.
pub struct Story {
    pub records: Vec<Record>,
    pub day_ms: i64,
    pub leaked_key: String,
    pub k1: String,
    pub k2: String,
    pub minted_user_key: String,
    pub k1_time: i64,
    pub k2_time: i64,
    pub burst: (i64, i64, u64),
    pub recon_ops: Vec<String>,
    pub console_id: String,
    pub console_time: i64,
    pub sg_event: (String, i64),
    pub bucket_event: (String, i64),
    pub user_created_time: i64,
    pub eks_times: [i64; 2],
}

pub const SG_CONFIG_DELAY_MS: i64 = 42_000;
pub const BUCKET_CONFIG_DELAY_MS: i64 = 55_000;
pub const USER_CONFIG_DELAY_MS: i64 = 38_000;
pub const BACKDOOR_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";

struct Builder {
    seed: u64,
    rng: ChaCha8Rng,
    day_ms: i64,
    out: Vec<Record>,
}

impl Builder {
    fn t(&self, h: i64, m: i64, s: i64) -> i64 {
        self.day_ms + h * HOUR_MS + m * 60_000 + s * 1000
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        ident: &Identity,
        t: i64,
        src: &str,
        name: &str,
        region: &str,
        recipient: &str,
        ua: &str,
        req: Value,
    ) -> &mut Record {
        let mut r = new_record(ident.clone(), t, src, name, region, recipient);
        r.source_ip = NEW_IP.into();
        r.user_agent = ua.into();
        r.request_parameters = req;
        r.read_only = name.starts_with("List")
            || name.starts_with("Get")
            || name.starts_with("Describe")
            || name.starts_with("Assume");
        r.request_id = if src == "s3.amazonaws.com" {
            self.rng.chars(b"ABCDEF0123456789", 16)
        } else {
            self.rng.uuid()
        };
        r.event_id = self.rng.uuid();
        self.out.push(r);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    fn deny(&mut self, ident: &Identity, t: i64, src: &str, name: &str, region: &str, req: Value) {
        let arn = ident.arn.clone().unwrap_or_default();
        let action = format!("{}:{name}", src.trim_end_matches(".amazonaws.com"));
        let r = self.push(ident, t, src, name, region, IDENTITY, world::KALI_UA, req);
        r.error_code = Some("AccessDenied".into());
        r.error_message = Some(if src == "s3.amazonaws.com" {
            "Access Denied".into()
        } else {
            format!("User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action")
        });
    }

    /// A successful cross-account AssumeRole, delivered to both accounts.
    #[allow(clippy::too_many_arguments)]
    fn assume(&mut self, caller: &Identity, caller_acct: &str, t: i64, role_acct: &str, role: &str, session: &str, key: &str) {
        let role_arn = world::role_arn(role_acct, role);
        let req = json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600});
        let resp = json!({
            "credentials": sts_credentials(key, t, &mut self.rng),
            "assumedRoleUser": {
                "assumedRoleId": format!("{}:{session}", record::role_id(self.seed, role_acct, role)),
                "arn": world::session_arn(role_acct, role, session),
            },
        });
        let shared = self.rng.uuid();
        let request_id = self.rng.uuid();
        for recipient in [caller_acct, role_acct] {
            let r = self.push(caller, t, "sts.amazonaws.com", "AssumeRole", "us-east-1", recipient, world::KALI_UA, req.clone());
            r.response_elements = resp.clone();
            r.request_id = request_id.clone();
            r.shared_event_id = Some(shared.clone());
            r.resources = Some(vec![Resource::new(Some(role_acct), "AWS::IAM::Role", role_arn.clone())]);
        }
    }
}

pub fn build(seed: u64, day_ms: i64) -> Story {
    let mut b = Builder { seed, rng: ids::rng_for(seed, &["story"]), day_ms, out: Vec::new() };
    let ci = record::iam_user(seed, IDENTITY, world::CI_USER);
    let leaked_key = ci.access_key_id.clone().unwrap_or_default();
    let k1 = access_key(seed, "story/k1", true);
    let k2 = access_key(seed, "story/k2", true);
    let minted_user_key = access_key(seed, "story/backup-svc-key", false);
    let ua = world::KALI_UA;
    let host = json!({"Host": "s3.amazonaws.com"});

    // 1. First use from the new IP, then reconnaissance.
    let t0 = b.t(2, 13, 7);
    b.push(&ci, t0, "sts.amazonaws.com", "GetCallerIdentity", "us-east-1", IDENTITY, world::REQUESTS_UA, Value::Null);
    let recon: [(i64, &str, &str, &str, Value); 9] = [
        (b.t(2, 13, 21), "iam.amazonaws.com", "ListUsers", "us-east-1", Value::Null),
        (b.t(2, 13, 25), "iam.amazonaws.com", "ListRoles", "us-east-1", Value::Null),
        (b.t(2, 13, 31), "iam.amazonaws.com", "ListAttachedUserPolicies", "us-east-1", json!({"userName": world::CI_USER})),
        (b.t(2, 13, 36), "iam.amazonaws.com", "GetAccountAuthorizationDetails", "us-east-1", json!({"filter": ["User", "Role", "Group", "LocalManagedPolicy"]})),
        (b.t(2, 13, 44), "s3.amazonaws.com", "ListBuckets", "us-east-1", host.clone()),
        (b.t(2, 13, 52), "ec2.amazonaws.com", "DescribeInstances", "us-east-1", json!({"instancesSet": {}, "filterSet": {}})),
        (b.t(2, 13, 55), "ec2.amazonaws.com", "DescribeInstances", "eu-west-1", json!({"instancesSet": {}, "filterSet": {}})),
        (b.t(2, 13, 58), "ec2.amazonaws.com", "DescribeInstances", "ap-northeast-1", json!({"instancesSet": {}, "filterSet": {}})),
        (b.t(2, 14, 9), "iam.amazonaws.com", "ListAccessKeys", "us-east-1", json!({"userName": world::CI_USER})),
    ];
    let mut recon_ops = vec!["GetCallerIdentity".to_string()];
    for (t, src, name, region, req) in recon {
        b.push(&ci, t, src, name, region, IDENTITY, ua, req);
        if !recon_ops.iter().any(|o| o == name) {
            recon_ops.push(name.to_string());
        }
    }

    // 2. AccessDenied burst: 12 denied calls in under two minutes.
    let sm = "secretsmanager.amazonaws.com";
    let iam = "iam.amazonaws.com";
    let burst: [(i64, &str, &str, &str, Value); 12] = [
        (b.t(2, 14, 31), sm, "ListSecrets", "us-east-1", json!({"maxResults": 100})),
        (b.t(2, 14, 38), sm, "ListSecrets", "eu-west-1", json!({"maxResults": 100})),
        (b.t(2, 14, 44), sm, "ListSecrets", "ap-northeast-1", json!({"maxResults": 100})),
        (b.t(2, 14, 59), sm, "GetSecretValue", "us-east-1", json!({"secretId": "prod/db/password"})),
        (b.t(2, 15, 6), sm, "GetSecretValue", "us-east-1", json!({"secretId": "prod/api/stripe-key"})),
        (b.t(2, 15, 20), iam, "CreateUser", "us-east-1", json!({"userName": "svc-backup-admin"})),
        (b.t(2, 15, 27), iam, "AttachUserPolicy", "us-east-1", json!({"userName": world::CI_USER, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
        (b.t(2, 15, 35), iam, "PutUserPolicy", "us-east-1", json!({"userName": world::CI_USER, "policyName": "admin", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"})),
        (b.t(2, 15, 44), iam, "CreateAccessKey", "us-east-1", json!({"userName": "alice"})),
        (b.t(2, 15, 52), iam, "CreateLoginProfile", "us-east-1", json!({"userName": world::CI_USER, "passwordResetRequired": false})),
        (b.t(2, 16, 5), "s3.amazonaws.com", "GetBucketPolicy", "us-east-1", json!({"bucketName": "acme-terraform-state", "Host": "acme-terraform-state.s3.us-east-1.amazonaws.com", "policy": ""})),
        (b.t(2, 16, 18), "s3.amazonaws.com", "GetBucketAcl", "us-east-1", json!({"bucketName": "acme-terraform-state", "Host": "acme-terraform-state.s3.us-east-1.amazonaws.com", "acl": ""})),
    ];
    let burst_window = (burst[0].0, burst[burst.len() - 1].0, burst.len() as u64);
    for (t, src, name, region, req) in burst {
        b.deny(&ci, t, src, name, region, req);
    }

    // 3. A failed hop, then the first successful hop into prod.
    let denied_role = world::role_arn(PROD, "OrganizationAccountAccessRole");
    let t_fail = b.t(2, 19, 2);
    b.deny(&ci, t_fail, "sts.amazonaws.com", "AssumeRole", "us-east-1",
        json!({"roleArn": denied_role, "roleSessionName": world::CI_USER, "durationSeconds": 3600}));
    if let Some(r) = b.out.last_mut() {
        r.error_message = Some(format!("User: {} is not authorized to perform: sts:AssumeRole on resource: {denied_role}", world::intruder_arn()));
        r.resources = Some(vec![Resource::new(Some(PROD), "AWS::IAM::Role", denied_role.clone())]);
    }
    let k1_time = b.t(2, 20, 15);
    b.assume(&ci, IDENTITY, k1_time, PROD, CROSS_ROLE, world::CI_USER, &k1);

    // 4. With K1 in prod: a little recon, then the hop into the data account.
    let s1 = record::assumed_role(seed, PROD, CROSS_ROLE, world::CI_USER, &k1, k1_time);
    for (t, src, name, req) in [
        (b.t(2, 21, 2), "sts.amazonaws.com", "GetCallerIdentity", Value::Null),
        (b.t(2, 21, 30), "iam.amazonaws.com", "ListRoles", Value::Null),
        (b.t(2, 21, 47), "ec2.amazonaws.com", "DescribeInstances", json!({"instancesSet": {}, "filterSet": {}})),
        (b.t(2, 21, 59), "s3.amazonaws.com", "ListBuckets", host.clone()),
    ] {
        b.push(&s1, t, src, name, "us-east-1", PROD, ua, req);
    }
    let k2_time = b.t(2, 22, 40);
    b.assume(&s1, PROD, k2_time, DATA, DATA_ROLE, "maintenance", &k2);

    // 5. With K2 in the data account.
    let s2 = record::assumed_role(seed, DATA, DATA_ROLE, "maintenance", &k2, k2_time);
    let bucket_res = Resource::new(Some(DATA), "AWS::S3::Bucket", format!("arn:aws:s3:::{BUCKET}"));
    let bucket_host = format!("{BUCKET}.s3.us-east-1.amazonaws.com");
    for (t, src, name, req) in [
        (b.t(2, 23, 5), "sts.amazonaws.com", "GetCallerIdentity", Value::Null),
        (b.t(2, 23, 31), "ec2.amazonaws.com", "DescribeSecurityGroups", json!({"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}})),
        (b.t(2, 23, 58), "ec2.amazonaws.com", "DescribeInstances", json!({"instancesSet": {}, "filterSet": {}})),
        (b.t(2, 24, 10), "s3.amazonaws.com", "ListBuckets", host.clone()),
    ] {
        b.push(&s2, t, src, name, "us-east-1", DATA, ua, req);
    }
    let r = b.push(&s2, b.t(2, 24, 45), "s3.amazonaws.com", "GetBucketPolicy", "us-east-1", DATA, ua,
        json!({"bucketName": BUCKET, "Host": bucket_host, "policy": ""}));
    r.error_code = Some("NoSuchBucketPolicy".into());
    r.error_message = Some("The bucket policy does not exist".into());
    r.resources = Some(vec![bucket_res.clone()]);
    let object = "exports/customers-2024-05.csv.gz";
    let r = b.push(&s2, b.t(2, 25, 12), "s3.amazonaws.com", "GetObject", "us-east-1", DATA, ua,
        json!({"bucketName": BUCKET, "Host": bucket_host, "key": object}));
    r.error_code = Some("AccessDenied".into());
    r.error_message = Some("Access Denied".into());
    r.resources = Some(vec![
        Resource::new(None, "AWS::S3::Object", format!("arn:aws:s3:::{BUCKET}/{object}")),
        bucket_res.clone(),
    ]);
    let r = b.push(&s2, b.t(2, 26, 3), "ec2.amazonaws.com", "RunInstances", "us-east-1", DATA, ua,
        json!({"instancesSet": {"items": [{"imageId": "ami-0c101f26f147fa7fd", "minCount": 1, "maxCount": 1}]}, "instanceType": "p3.16xlarge", "blockDeviceMapping": {}, "monitoring": {"enabled": false}, "disableApiTermination": false}));
    r.error_code = Some("Client.UnauthorizedOperation".into());
    r.error_message = Some("You are not authorized to perform this operation. User: arn:aws:sts::444455556666:assumed-role/DataAdmin/maintenance is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:444455556666:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: 9YQb3xJz0kqV2pR".into());

    let sg_time = b.t(2, 27, 44);
    let sgr = format!("sgr-0{}", &ids::hex32(&[&seed.to_string(), "sgr"])[..16]);
    let resp_id = b.rng.uuid();
    let r = b.push(&s2, sg_time, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "us-east-1", DATA, ua,
        json!({"groupId": SG_ID, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}}));
    r.response_elements = json!({"requestId": resp_id, "_return": true, "securityGroupRuleSet": {"items": [{"groupOwnerId": DATA, "groupId": SG_ID, "securityGroupRuleId": sgr, "isEgress": false, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}]}});
    let sg_event = (r.event_id.clone(), sg_time);

    let bucket_time = b.t(2, 29, 10);
    let r = b.push(&s2, bucket_time, "s3.amazonaws.com", "PutBucketPolicy", "us-east-1", DATA, ua,
        json!({"bucketPolicy": public_policy(), "bucketName": BUCKET, "Host": bucket_host, "policy": ""}));
    r.resources = Some(vec![bucket_res]);
    let bucket_event = (r.event_id.clone(), bucket_time);

    // 6. Persistence: a new IAM user with a key and a console password.
    let user = world::BACKDOOR_USER;
    let user_id = record::principal_id(seed, "AIDA", &format!("user/{DATA}/{user}"));
    let user_created_time = b.t(2, 31, 20);
    let r = b.push(&s2, user_created_time, "iam.amazonaws.com", "CreateUser", "us-east-1", DATA, ua, json!({"userName": user}));
    r.response_elements = json!({"user": {"path": "/", "userName": user, "userId": user_id, "arn": world::user_arn(DATA, user), "createDate": ids::sts_time(user_created_time)}});
    let t = b.t(2, 31, 45);
    let r = b.push(&s2, t, "iam.amazonaws.com", "CreateAccessKey", "us-east-1", DATA, ua, json!({"userName": user}));
    r.response_elements = json!({"accessKey": {"userName": user, "accessKeyId": minted_user_key, "status": "Active", "createDate": ids::sts_time(t)}});
    let t = b.t(2, 32, 10);
    let r = b.push(&s2, t, "iam.amazonaws.com", "CreateLoginProfile", "us-east-1", DATA, ua, json!({"userName": user, "passwordResetRequired": false}));
    r.response_elements = json!({"loginProfile": {"userName": user, "createDate": ids::sts_time(t), "passwordResetRequired": false}});
    b.push(&s2, b.t(2, 32, 40), "iam.amazonaws.com", "AttachUserPolicy", "us-east-1", DATA, ua,
        json!({"userName": user, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}));

    let mut backdoor = record::iam_user(seed, DATA, user);
    backdoor.access_key_id = None;
    let console_time = b.t(2, 35, 2);
    let r = b.push(&backdoor, console_time, "signin.amazonaws.com", "ConsoleLogin", "us-east-1", DATA, BACKDOOR_UA, Value::Null);
    r.event_type = "AwsConsoleSignIn";
    r.read_only = false;
    r.response_elements = json!({"ConsoleLogin": "Success"});
    r.additional_event_data = Some(json!({"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true", "MobileVersion": "No", "MFAUsed": "No"}));
    let console_id = r.event_id.clone();

    Story {
        records: b.out,
        day_ms,
        leaked_key,
        k1,
        k2,
        minted_user_key,
        k1_time,
        k2_time,
        burst: burst_window,
        recon_ops,
        console_id,
        console_time,
        sg_event,
        bucket_event,
        user_created_time,
        eks_times: [day_ms + 2 * HOUR_MS + 30 * 60_000 + 30_000, day_ms + 2 * HOUR_MS + 30 * 60_000 + 50_000],
    }
}

pub fn public_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{BUCKET}/*")}]})
}
