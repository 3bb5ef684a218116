//! The intrusion on 2024-05-05: a leaked CI key used from a new IP, recon,
//! an AccessDenied burst, a two-hop cross-account role chain, and (in
//! `story_data`) the changes and persistence in the data account. All times
//! are fixed.

use serde_json::{Value, json};

use super::ids::{self, HOUR_MS, access_key};
use super::record::{self, Record, Resource};
use super::story_builder::{Builder, Step};
use super::story_data;
use super::world::{self, CROSS_ROLE, DATA, DATA_ROLE, IDENTITY, PROD};

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
    /// The intrusion's steps with their ATT&CK technique, each naming the
    /// events a hunt must hit (TRUTH.json `intrusion.steps`).
    pub steps: Vec<Step>,
}

pub const SG_CONFIG_DELAY_MS: i64 = 42_000;
pub const BUCKET_CONFIG_DELAY_MS: i64 = 55_000;
pub const USER_CONFIG_DELAY_MS: i64 = 38_000;

pub fn build(seed: u64, day_ms: i64) -> Story {
    let mut b = Builder {
        seed,
        rng: ids::rng_for(seed, &["story"]),
        day_ms,
        out: Vec::new(),
    };
    let ci = record::iam_user(seed, IDENTITY, world::CI_USER);
    let leaked_key = ci.access_key_id.clone().unwrap_or_default();
    let k1 = access_key(seed, "story/k1", true);
    let k2 = access_key(seed, "story/k2", true);
    let minted_user_key = access_key(seed, "story/backup-svc-key", false);
    let (iam, sts, ec2, s3) = (
        "iam.amazonaws.com",
        "sts.amazonaws.com",
        "ec2.amazonaws.com",
        "s3.amazonaws.com",
    );
    let host = json!({"Host": "s3.amazonaws.com"});
    let instances = json!({"instancesSet": {}, "filterSet": {}});

    // 1. First use from the new IP, then reconnaissance (EC2 in all regions).
    let first = b.t(2, 13, 7);
    let first_call = b.call(&ci, IDENTITY, first, sts, "GetCallerIdentity", Value::Null);
    first_call.user_agent = world::REQUESTS_UA.into();
    let mut steps = vec![Step::new(
        "leaked_key_from_new_network",
        "Initial Access",
        "T1078.004",
        vec![first_call.event_id.clone()],
    )];
    let user_req = json!({"userName": world::CI_USER});
    let auth_req = json!({"filter": ["User", "Role", "Group", "LocalManagedPolicy"]});
    let recon = [
        (b.t(2, 13, 21), iam, "ListUsers", "us-east-1", Value::Null),
        (b.t(2, 13, 25), iam, "ListRoles", "us-east-1", Value::Null),
        (
            b.t(2, 13, 31),
            iam,
            "ListAttachedUserPolicies",
            "us-east-1",
            user_req.clone(),
        ),
        (
            b.t(2, 13, 36),
            iam,
            "GetAccountAuthorizationDetails",
            "us-east-1",
            auth_req,
        ),
        (b.t(2, 13, 44), s3, "ListBuckets", "us-east-1", host.clone()),
        (b.t(2, 13, 52), ec2, "DescribeInstances", "us-east-1", instances.clone()),
        (b.t(2, 13, 55), ec2, "DescribeInstances", "eu-west-1", instances.clone()),
        (
            b.t(2, 13, 58),
            ec2,
            "DescribeInstances",
            "ap-northeast-1",
            instances.clone(),
        ),
        (b.t(2, 14, 9), iam, "ListAccessKeys", "us-east-1", user_req),
    ];
    let mut recon_ops = vec!["GetCallerIdentity".to_string()];
    let mut iam_recon = Vec::new();
    for (t, src, name, region, req) in recon {
        let r = b.call(&ci, IDENTITY, t, src, name, req);
        r.aws_region = region.into();
        if src == iam {
            iam_recon.push(r.event_id.clone());
        }
        if !recon_ops.iter().any(|o| o == name) {
            recon_ops.push(name.to_string());
        }
    }

    // 2. AccessDenied burst: 12 denied calls in under two minutes.
    let sm = "secretsmanager.amazonaws.com";
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let state = "acme-terraform-state";
    let state_host = format!("{state}.s3.us-east-1.amazonaws.com");
    let burst = [
        (
            b.t(2, 14, 31),
            sm,
            "ListSecrets",
            "us-east-1",
            json!({"maxResults": 100}),
        ),
        (
            b.t(2, 14, 38),
            sm,
            "ListSecrets",
            "eu-west-1",
            json!({"maxResults": 100}),
        ),
        (
            b.t(2, 14, 44),
            sm,
            "ListSecrets",
            "ap-northeast-1",
            json!({"maxResults": 100}),
        ),
        (
            b.t(2, 14, 59),
            sm,
            "GetSecretValue",
            "us-east-1",
            json!({"secretId": "prod/db/password"}),
        ),
        (
            b.t(2, 15, 6),
            sm,
            "GetSecretValue",
            "us-east-1",
            json!({"secretId": "prod/api/stripe-key"}),
        ),
        (
            b.t(2, 15, 20),
            iam,
            "CreateUser",
            "us-east-1",
            json!({"userName": "svc-backup-admin"}),
        ),
        (
            b.t(2, 15, 27),
            iam,
            "AttachUserPolicy",
            "us-east-1",
            json!({"userName": world::CI_USER, "policyArn": admin}),
        ),
        (
            b.t(2, 15, 35),
            iam,
            "PutUserPolicy",
            "us-east-1",
            json!({"userName": world::CI_USER, "policyName": "admin", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}),
        ),
        (
            b.t(2, 15, 44),
            iam,
            "CreateAccessKey",
            "us-east-1",
            json!({"userName": "alice"}),
        ),
        (
            b.t(2, 15, 52),
            iam,
            "CreateLoginProfile",
            "us-east-1",
            json!({"userName": world::CI_USER, "passwordResetRequired": false}),
        ),
        (
            b.t(2, 16, 5),
            s3,
            "GetBucketPolicy",
            "us-east-1",
            json!({"bucketName": state, "Host": state_host, "policy": ""}),
        ),
        (
            b.t(2, 16, 18),
            s3,
            "GetBucketAcl",
            "us-east-1",
            json!({"bucketName": state, "Host": state_host, "acl": ""}),
        ),
    ];
    steps.push(Step::new("iam_enumeration", "Discovery", "T1087.004", iam_recon));
    let burst_window = (burst[0].0, burst[burst.len() - 1].0, burst.len() as u64);
    let mut denied = Vec::new();
    for (t, src, name, region, req) in burst {
        let r = b.deny(&ci, t, src, name, req);
        r.aws_region = region.into();
        denied.push(r.event_id.clone());
    }
    steps.push(Step::new("access_denied_burst", "Discovery", "T1580", denied));

    // 3. A failed hop, then the first successful hop into prod.
    let denied_role = world::role_arn(PROD, "OrganizationAccountAccessRole");
    let req = json!({"roleArn": denied_role, "roleSessionName": world::CI_USER, "durationSeconds": 3600});
    let r = b.deny(&ci, b.t(2, 19, 2), sts, "AssumeRole", req);
    r.error_message = Some(format!(
        "User: {} is not authorized to perform: sts:AssumeRole on resource: {denied_role}",
        world::intruder_arn()
    ));
    r.resources = Some(vec![Resource::new(Some(PROD), "AWS::IAM::Role", denied_role.clone())]);
    let k1_time = b.t(2, 20, 15);
    b.assume((&ci, IDENTITY), k1_time, (PROD, CROSS_ROLE), world::CI_USER, &k1);
    steps.push(Step::new(
        "role_assumed_across_accounts_from_new_ip",
        "Privilege Escalation",
        "T1078.004",
        b.last_ids(2),
    ));

    // 4. With K1 in prod: a little recon, then the hop into the data account.
    let s1 = record::assumed_role(seed, PROD, CROSS_ROLE, world::CI_USER, &k1, k1_time);
    for (t, src, name, req) in [
        (b.t(2, 21, 2), sts, "GetCallerIdentity", Value::Null),
        (b.t(2, 21, 30), iam, "ListRoles", Value::Null),
        (b.t(2, 21, 47), ec2, "DescribeInstances", instances),
        (b.t(2, 21, 59), s3, "ListBuckets", host),
    ] {
        b.call(&s1, PROD, t, src, name, req);
    }
    let k2_time = b.t(2, 22, 40);
    b.assume((&s1, PROD), k2_time, (DATA, DATA_ROLE), "maintenance", &k2);
    steps.push(Step::new(
        "role_chained_across_accounts",
        "Privilege Escalation",
        "T1078.004",
        b.last_ids(2),
    ));

    // 5.-6. With K2 in the data account.
    let s2 = record::assumed_role(seed, DATA, DATA_ROLE, "maintenance", &k2, k2_time);
    let data = story_data::data_account(&mut b, &s2, &minted_user_key, &mut steps);
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
        console_id: data.console.0,
        console_time: data.console.1,
        sg_event: data.sg,
        bucket_event: data.bucket,
        user_created_time: data.user_created,
        eks_times: [
            day_ms + 2 * HOUR_MS + 30 * 60_000 + 30_000,
            day_ms + 2 * HOUR_MS + 30 * 60_000 + 50_000,
        ],
        steps,
    }
}
