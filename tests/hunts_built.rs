//! Built-in hunts the demo lake has no events for, over small trails
//! written by each test: hits and near misses.

use lakescope::lake::hunts::{self, Hunt, library};
use lakescope::lake::{Lake, Scope};
use serde_json::{Value, json};
use std::path::Path;

fn built_in() -> Vec<Hunt> {
    library::built_in().unwrap()
}

/// A CloudTrail record with the fields the hunts read.
fn record(time: &str, actor: Value, ip: &str, source: &str, name: &str, request: Value) -> Value {
    json!({
        "eventVersion": "1.08", "eventID": format!("{name}-{time}"), "eventTime": time,
        "awsRegion": "us-east-1", "recipientAccountId": "123456789012", "userIdentity": actor,
        "sourceIPAddress": ip, "userAgent": "aws-cli/2", "eventSource": source, "eventName": name,
        "requestParameters": request, "responseElements": null, "eventType": "AwsApiCall",
    })
}

fn write_lake(dir: &Path, records: Vec<Value>) -> Lake {
    std::fs::write(dir.join("trail.json"), json!({ "Records": records }).to_string()).unwrap();
    Lake::open(dir).unwrap()
}

fn hit_ids(lake: &Lake) -> Vec<String> {
    let report = hunts::run(&lake.session().unwrap(), &Scope::default(), &built_in()).unwrap();
    report
        .events
        .iter()
        .map(|e| format!("{} {}", e.hunt, e.event.event_id.clone().unwrap()))
        .collect()
}

#[test]
fn instance_credentials_from_a_new_network_and_logging_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let instance = json!({"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/web/i-0abc1234def567890",
        "accountId": "123456789012", "principalId": "AROAX:i-0abc1234def567890", "accessKeyId": "ASIAINSTANCE"});
    let admin = json!({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/admin", "userName": "admin",
        "accountId": "123456789012", "principalId": "AIDAADMIN", "accessKeyId": "AKIAADMIN"});
    let s3 = "s3.amazonaws.com";
    let lake = write_lake(
        dir.path(),
        vec![
            record(
                "2024-05-01T08:00:00Z",
                instance.clone(),
                "10.0.1.5",
                s3,
                "ListBuckets",
                Value::Null,
            ),
            record(
                "2024-05-01T09:00:00Z",
                admin.clone(),
                "198.51.100.7",
                s3,
                "ListBuckets",
                Value::Null,
            ),
            // The instance's own network on a later day: its habit.
            record(
                "2024-05-03T08:00:00Z",
                instance.clone(),
                "10.0.1.9",
                s3,
                "ListBuckets",
                Value::Null,
            ),
            record(
                "2024-05-03T08:05:00Z",
                instance,
                "203.0.113.200",
                s3,
                "ListBuckets",
                Value::Null,
            ),
            record(
                "2024-05-03T09:00:00Z",
                admin.clone(),
                "198.51.100.7",
                "cloudtrail.amazonaws.com",
                "StopLogging",
                json!({"name": "org-trail"}),
            ),
            record(
                "2024-05-03T09:01:00Z",
                admin,
                "198.51.100.7",
                "guardduty.amazonaws.com",
                "UpdateDetector",
                json!({"detectorId": "d1", "enable": false}),
            ),
        ],
    );
    assert_eq!(
        hit_ids(&lake),
        [
            "logging-tampering StopLogging-2024-05-03T09:00:00Z",
            "logging-tampering UpdateDetector-2024-05-03T09:01:00Z",
            "instance-credentials-outside ListBuckets-2024-05-03T08:05:00Z",
        ]
    );
}

#[test]
fn sharing_public_access_user_data_kms_and_mass_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let admin = json!({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/admin", "userName": "admin",
        "accountId": "123456789012", "principalId": "AIDAADMIN", "accessKeyId": "AKIAADMIN"});
    let (ec2, s3, rds, kms) = (
        "ec2.amazonaws.com",
        "s3.amazonaws.com",
        "rds.amazonaws.com",
        "kms.amazonaws.com",
    );
    let ip = "198.51.100.7";
    let at = |m: u32| format!("2024-05-01T10:{m:02}:00Z");
    let mut records = vec![
        record(
            &at(0),
            admin.clone(),
            ip,
            ec2,
            "ModifySnapshotAttribute",
            json!({"snapshotId": "snap-1",
            "createVolumePermission": {"add": {"items": [{"userId": "999999999999"}]}}, "attributeType": "CREATE_VOLUME_PERMISSION"}),
        ),
        // Removing a share is not sharing.
        record(
            &at(1),
            admin.clone(),
            ip,
            ec2,
            "ModifySnapshotAttribute",
            json!({"snapshotId": "snap-1",
            "createVolumePermission": {"remove": {"items": [{"userId": "999999999999"}]}}}),
        ),
        record(
            &at(2),
            admin.clone(),
            ip,
            rds,
            "ModifyDBSnapshotAttribute",
            json!({"dBSnapshotIdentifier": "db-1",
            "attributeName": "restore", "valuesToAdd": ["all"]}),
        ),
        record(
            &at(3),
            admin.clone(),
            ip,
            s3,
            "PutBucketPublicAccessBlock",
            json!({"bucketName": "b",
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": false, "BlockPublicPolicy": true}}),
        ),
        record(
            &at(4),
            admin.clone(),
            ip,
            s3,
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-acl": ["private"]}),
        ),
        record(
            &at(5),
            admin.clone(),
            ip,
            ec2,
            "ModifyInstanceAttribute",
            json!({"instanceId": "i-1",
            "userData": "<sensitiveDataRemoved>"}),
        ),
        record(
            &at(6),
            admin.clone(),
            ip,
            kms,
            "ScheduleKeyDeletion",
            json!({"keyId": "k-1", "pendingWindowInDays": 7}),
        ),
    ];
    for i in 0..20 {
        records.push(record(
            &format!("2024-05-01T11:00:{i:02}Z"),
            admin.clone(),
            ip,
            s3,
            "DeleteObject",
            json!({"bucketName": "b", "key": format!("k{i}")}),
        ));
    }
    let lake = write_lake(dir.path(), records);
    let hits = hit_ids(&lake);
    let by_hunt = |id: &str| hits.iter().filter(|h| h.starts_with(&format!("{id} "))).count();
    assert_eq!(by_hunt("snapshot-shared"), 2, "{hits:?}");
    assert_eq!(by_hunt("bucket-made-public"), 1, "{hits:?}");
    assert_eq!(by_hunt("instance-user-data-changed"), 1, "{hits:?}");
    assert_eq!(by_hunt("kms-key-deletion"), 1, "{hits:?}");
    assert_eq!(by_hunt("mass-deletion"), 20, "{hits:?}");
    assert!(
        !hits
            .iter()
            .any(|h| h.contains("T10:01:00Z") || h.contains("T10:04:00Z")),
        "{hits:?}"
    );
}

#[test]
fn console_from_new_ip_star_policy_new_region_and_secret_burst() {
    let dir = tempfile::tempdir().unwrap();
    let user = json!({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/dev", "userName": "dev",
        "accountId": "123456789012", "principalId": "AIDADEV", "accessKeyId": "AKIADEV"});
    let (iam, sm, signin) = (
        "iam.amazonaws.com",
        "secretsmanager.amazonaws.com",
        "signin.amazonaws.com",
    );
    let login = |time: &str, ip: &str| {
        let mut r = record(time, user.clone(), ip, signin, "ConsoleLogin", Value::Null);
        r["responseElements"] = json!({"ConsoleLogin": "Success"});
        r
    };
    let star = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"*\"],\"Resource\":\"*\"}]}";
    let logs =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}";
    let mut records = vec![
        login("2024-05-01T08:00:00Z", "198.51.100.7"),
        login("2024-05-03T08:00:00Z", "198.51.100.7"),
        login("2024-05-03T09:00:00Z", "203.0.113.9"),
        record(
            "2024-05-03T09:01:00Z",
            user.clone(),
            "203.0.113.9",
            iam,
            "PutUserPolicy",
            json!({"userName": "dev", "policyName": "p", "policyDocument": star}),
        ),
        record(
            "2024-05-03T09:02:00Z",
            user.clone(),
            "203.0.113.9",
            iam,
            "PutRolePolicy",
            json!({"roleName": "r", "policyName": "p", "policyDocument": logs}),
        ),
    ];
    let mut elsewhere = record(
        "2024-05-03T09:03:00Z",
        user.clone(),
        "203.0.113.9",
        sm,
        "ListSecrets",
        Value::Null,
    );
    elsewhere["awsRegion"] = json!("sa-east-1");
    records.push(elsewhere);
    for i in 0..20 {
        records.push(record(
            &format!("2024-05-03T10:00:{i:02}Z"),
            user.clone(),
            "198.51.100.7",
            sm,
            "GetSecretValue",
            json!({"secretId": format!("s{i}")}),
        ));
    }
    // 19 more reads spread over an hour: no burst.
    for i in 0..19 {
        records.push(record(
            &format!("2024-05-04T10:{:02}:00Z", i * 3),
            user.clone(),
            "198.51.100.7",
            sm,
            "GetSecretValue",
            json!({"secretId": "app"}),
        ));
    }
    let lake = write_lake(dir.path(), records);
    let hits = hit_ids(&lake);
    let of = |id: &str| -> Vec<String> {
        hits.iter()
            .filter_map(|h| h.strip_prefix(&format!("{id} ")).map(String::from))
            .collect()
    };
    assert_eq!(
        of("console-login-new-ip"),
        ["ConsoleLogin-2024-05-03T09:00:00Z"],
        "{hits:?}"
    );
    assert_eq!(
        of("inline-policy-allows-everything"),
        ["PutUserPolicy-2024-05-03T09:01:00Z"],
        "{hits:?}"
    );
    assert_eq!(of("new-region"), ["ListSecrets-2024-05-03T09:03:00Z"], "{hits:?}");
    assert_eq!(of("secret-read-burst").len(), 20, "{hits:?}");
    assert!(
        of("secret-read-burst").iter().all(|h| h.contains("2024-05-03T10:00")),
        "{hits:?}"
    );
}

/// An application's role session, busy all day.
fn app_role() -> Value {
    json!({"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/app/task-1",
        "accountId": "123456789012", "principalId": "AROAAPP:task-1", "accessKeyId": "ASIAAPP"})
}

/// The call `name` of `who` at `time` on EC2 (or `source`), denied.
fn denied(time: &str, who: &Value, source: &str, name: &str, request: Value) -> Value {
    let mut r = record(time, who.clone(), "10.0.0.9", source, name, request);
    r["errorCode"] = json!("Client.UnauthorizedOperation");
    r
}

/// The event ids hit by hunt `id`.
fn hits_of(hits: &[String], id: &str) -> Vec<String> {
    hits.iter()
        .filter_map(|h| h.strip_prefix(&format!("{id} ")).map(String::from))
        .collect()
}

#[test]
fn a_burst_counts_different_calls_not_an_application_repeating_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_role();
    let intruder = json!({"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/dev", "userName": "dev",
        "accountId": "123456789012", "principalId": "AIDADEV", "accessKeyId": "AKIADEV"});
    let (sm, ec2) = ("secretsmanager.amazonaws.com", "ec2.amazonaws.com");
    let read = |t: &str, who: &Value, secret: String| {
        record(
            t,
            who.clone(),
            "198.51.100.7",
            sm,
            "GetSecretValue",
            json!({"secretId": secret}),
        )
    };
    let mut records = Vec::new();
    // The application reads its one secret 60 times in ten minutes, and is
    // denied the same call 30 times: repeats, not a burst.
    for i in 0..60 {
        let t = format!("2024-05-01T10:{:02}:{:02}Z", i / 6, (i % 6) * 10);
        records.push(read(&t, &app, "db".into()));
    }
    for i in 0..30 {
        let t = format!("2024-05-01T11:00:{i:02}Z");
        records.push(denied(&t, &app, ec2, "DescribeVolumes", json!({"volumeId": "vol-1"})));
    }
    // The intruder reads 20 different secrets within a minute, one of them twice:
    // a burst, and the repeat is one of its events.
    for i in 0..20 {
        records.push(read(
            &format!("2024-05-02T10:00:{:02}Z", i * 2),
            &intruder,
            format!("s{i}"),
        ));
    }
    records.push(read("2024-05-02T10:00:05Z", &intruder, "s1".into()));
    // And tries ten instances' password data, denied each time.
    for i in 0..10 {
        let t = format!("2024-05-02T10:01:{i:02}Z");
        records.push(denied(
            &t,
            &intruder,
            ec2,
            "GetPasswordData",
            json!({"instanceId": format!("i-{i}")}),
        ));
    }
    let lake = write_lake(dir.path(), records);
    let hits = hit_ids(&lake);
    let reads = hits_of(&hits, "secret-read-burst");
    assert_eq!(reads.len(), 21, "{hits:?}");
    assert!(reads.iter().all(|h| h.contains("2024-05-02T10:00")), "{hits:?}");
    assert!(
        reads.contains(&"GetSecretValue-2024-05-02T10:00:05Z".to_string()),
        "{hits:?}"
    );
    let denied = hits_of(&hits, "access-denied-burst");
    assert_eq!(denied.len(), 10, "{hits:?}");
    assert!(denied.iter().all(|h| h.starts_with("GetPasswordData-")), "{hits:?}");
}

#[test]
fn a_burst_is_several_times_the_actors_usual_not_its_steady_pace() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_role();
    let volume = |t: String, volume: String| {
        denied(
            &t,
            &app,
            "ec2.amazonaws.com",
            "DescribeVolumes",
            json!({"volumeId": volume}),
        )
    };
    let mut records = Vec::new();
    // Three hours denied ten different volumes every five minutes: its usual pace.
    for hour in 10..13 {
        for minute in (0..60).step_by(5) {
            for j in 0..10 {
                let t = format!("2024-05-01T{hour}:{minute:02}:{j:02}Z");
                records.push(volume(t, format!("vol-{hour}-{minute}-{j}")));
            }
        }
    }
    // Then 80 different ones within four minutes: far above it.
    for j in 0..80 {
        let t = format!("2024-05-01T14:0{}:{:02}Z", j / 20, (j % 20) * 3);
        records.push(volume(t, format!("vol-spike-{j}")));
    }
    let lake = write_lake(dir.path(), records);
    let hits = hit_ids(&lake);
    let denied_hits: Vec<&String> = hits.iter().filter(|h| h.starts_with("access-denied-burst ")).collect();
    assert_eq!(denied_hits.len(), 80, "{denied_hits:?}");
    assert!(
        denied_hits.iter().all(|h| h.contains("2024-05-01T14:0")),
        "{denied_hits:?}"
    );
    // The same calls with a hunt that ignores the usual pace: every window is a burst.
    let mut hunt = built_in().into_iter().find(|h| h.id == "access-denied-burst").unwrap();
    hunt.burst.as_mut().unwrap().over_usual = None;
    let report = hunts::run(&lake.session().unwrap(), &Scope::default(), &[hunt]).unwrap();
    assert_eq!(report.hits[0].events, 440);
}
