//! requestParameters / responseElements / resources[] for background
//! operations, and the error codes CloudTrail shows for failed calls.

use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::catalog::{Op, Req};
use super::ids::{self, Draw, hash128};
use super::record::Resource;
use super::world::{self, DATA, IDENTITY, PROD};

pub struct Cx<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub arn: Option<&'a str>,
    pub time_ms: i64,
    pub rng: &'a mut ChaCha8Rng,
}

pub struct Built {
    pub req: Value,
    pub resp: Value,
    pub resources: Option<Vec<Resource>>,
    pub extra: Option<Value>,
}

fn buckets(account: &str) -> &'static [&'static str] {
    match account {
        PROD => &["acme-prod-assets", "acme-prod-logs", "acme-partner-share"],
        IDENTITY => &["acme-ci-artifacts", "acme-terraform-state"],
        _ => &["acme-data-exports", "acme-data-lake-raw", "acme-athena-results"],
    }
}

fn hex_id(parts: &[&str], n: usize) -> String {
    format!("{:032x}", hash128(parts))[..n].to_string()
}

fn instance(cx: &mut Cx) -> String {
    let i = cx.rng.below(5).to_string();
    format!("i-0{}", hex_id(&["instance", cx.account, cx.region, &i], 16))
}

fn kms_key(cx: &mut Cx) -> (String, String) {
    let i = cx.rng.below(3).to_string();
    let id = ids::uuid_from(hash128(&["kms", cx.account, cx.region, &i]));
    let arn = format!("arn:aws:kms:{}:{}:key/{id}", cx.region, cx.account);
    (id, arn)
}

fn role_name(cx: &mut Cx) -> &'static str {
    const ROLES: [&str; 4] = [
        "app-deploy-role",
        "prod-api-task-role",
        "order-processor-role",
        "ReadOnlyAudit",
    ];
    ROLES[cx.rng.below(ROLES.len() as u64) as usize]
}

fn bucket_res(account: &str, bucket: &str) -> Resource {
    Resource::new(Some(account), "AWS::S3::Bucket", format!("arn:aws:s3:::{bucket}"))
}

/// Builds the request/response/resources of a successful background call.
pub fn build(op: &Op, cx: &mut Cx) -> Built {
    let mut b = Built {
        req: Value::Null,
        resp: Value::Null,
        resources: None,
        extra: None,
    };
    let (acct, region) = (cx.account.to_string(), cx.region.to_string());
    match op.req {
        Req::Null => {}
        Req::S3Host => b.req = json!({"Host": "s3.amazonaws.com"}),
        Req::Bucket => {
            let bucket = *cx.rng.pick(buckets(&acct));
            let host = format!("{bucket}.s3.{region}.amazonaws.com");
            b.req = match op.name {
                "GetBucketPolicy" => json!({"bucketName": bucket, "Host": host, "policy": ""}),
                "GetBucketAcl" => json!({"bucketName": bucket, "Host": host, "acl": ""}),
                "GetBucketLocation" => json!({"bucketName": bucket, "Host": host, "location": ""}),
                "GetBucketVersioning" => json!({"bucketName": bucket, "Host": host, "versioning": ""}),
                "ListObjects" => json!({"bucketName": bucket, "Host": host, "prefix": "exports/", "max-keys": "1000"}),
                _ => json!({"bucketName": bucket, "Host": host}),
            };
            // Cross-account S3 access shows the owner; same-account records too.
            b.resources = Some(vec![bucket_res(&acct, bucket)]);
        }
        Req::Instances => {
            b.req = if cx.rng.chance(400) {
                Value::Null
            } else {
                json!({"instancesSet": {"items": [{"instanceId": instance(cx)}]}, "filterSet": {}})
            };
        }
        Req::Sgs => b.req = json!({"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}),
        Req::Vpcs => b.req = json!({"vpcSet": {}, "filterSet": {}}),
        Req::Subnets => b.req = json!({"subnetSet": {}, "filterSet": {}}),
        Req::NetworkInterfaces => b.req = json!({"networkInterfaceIdSet": {}, "filterSet": {}}),
        Req::Snapshots => b.req = json!({"ownersSet": {"items": [{"owner": "self"}]}, "maxResults": 1000}),
        Req::LaunchTemplate => {
            b.req = json!({"DescribeLaunchTemplateVersionsRequest": {"LaunchTemplateId": format!("lt-0{}", hex_id(&["lt", &acct], 16)), "LaunchTemplateVersion": {"content": "$Latest", "tag": 1}}});
        }
        Req::RoleName => b.req = json!({"roleName": role_name(cx)}),
        Req::PolicyArn => {
            b.req = json!({"policyArn": format!("arn:aws:iam::{acct}:policy/{}", cx.rng.pick(&["terraform-state-access", "ci-artifacts-rw", "DataAdminPolicy"]))});
        }
        Req::ListPolicies => b.req = json!({"scope": "Local", "onlyAttached": false}),
        Req::Trails => b.req = json!({"trailNameList": [], "includeShadowTrails": true}),
        Req::Lookup => {
            b.req =
                json!({"lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}], "maxResults": 50})
        }
        Req::KmsKey => {
            let (_, arn) = kms_key(cx);
            b.req = json!({"keyId": arn});
            b.resources = Some(vec![Resource::new(Some(&acct), "AWS::KMS::Key", arn)]);
        }
        Req::KmsDecrypt | Req::KmsDataKey => {
            let (_, arn) = kms_key(cx);
            b.req = if op.req == Req::KmsDecrypt {
                json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:lambda:FunctionArn": format!("arn:aws:lambda:{region}:{acct}:function:order-processor")}})
            } else {
                json!({"keyId": arn, "keySpec": "AES_256", "encryptionContext": {"aws:s3:arn": format!("arn:aws:s3:::{}/", buckets(&acct)[0])}})
            };
            b.resources = Some(vec![Resource::new(Some(&acct), "AWS::KMS::Key", arn)]);
        }
        Req::Secret => {
            let name = *cx
                .rng
                .pick(&["prod/db/password", "prod/api/stripe-key", "etl/warehouse-creds"]);
            b.req = json!({"secretId": name});
        }
        Req::Param | Req::Params => {
            let name = *cx
                .rng
                .pick(&["/app/config/feature-flags", "/app/config/db-host", "/ci/build/number"]);
            b.req = if op.req == Req::Param {
                json!({"name": name, "withDecryption": true})
            } else {
                json!({"names": [name], "withDecryption": false})
            };
        }
        Req::LogGroup => {
            b.req =
                json!({"logGroupName": "/aws/lambda/order-processor", "descending": true, "orderBy": "LastEventTime"})
        }
        Req::LogStream => {
            let stream = format!(
                "2024/05/{:02}/[$LATEST]{}",
                ids::civil(cx.time_ms).d,
                cx.rng.chars(b"0123456789abcdef", 32)
            );
            b.req = json!({"logGroupName": "/aws/lambda/order-processor", "logStreamName": stream});
        }
        Req::Function | Req::FunctionCode => {
            let f = *cx.rng.pick(&["order-processor", "image-resizer", "etl-loader"]);
            b.req = if op.req == Req::Function {
                json!({"functionName": f})
            } else {
                json!({"functionName": f, "publish": true, "dryRun": false})
            };
            if op.req == Req::FunctionCode {
                b.resp = json!({"functionName": f, "functionArn": format!("arn:aws:lambda:{region}:{acct}:function:{f}"), "runtime": "python3.12", "codeSize": 48213 + cx.rng.below(9000), "lastUpdateStatus": "InProgress"});
            }
        }
        Req::Stack | Req::ChangeSet => {
            let stack = *cx.rng.pick(&["web-frontend", "order-api", "shared-network"]);
            let id = format!(
                "arn:aws:cloudformation:{region}:{acct}:stack/{stack}/{}",
                ids::uuid_from(hash128(&["stack", &acct, &region, stack]))
            );
            b.req = if op.req == Req::Stack {
                json!({"stackName": id})
            } else {
                json!({"stackName": stack, "changeSetName": format!("ci-{}", cx.rng.chars(b"0123456789abcdef", 8))})
            };
            if op.name == "CreateChangeSet" {
                b.resp = json!({"id": format!("arn:aws:cloudformation:{region}:{acct}:changeSet/ci/{}", cx.rng.uuid()), "stackId": id});
            }
        }
        Req::Table => b.req = json!({"tableName": cx.rng.pick(&["orders", "sessions", "inventory"])}),
        Req::Athena => {
            b.req = json!({"queryString": "SELECT count(*) FROM exports.daily_orders WHERE dt = '2024-05-01'", "workGroup": "primary", "resultConfiguration": {"outputLocation": "s3://acme-athena-results/"}});
            b.resp = json!({"queryExecutionId": cx.rng.uuid()});
        }
        Req::AthenaGet => b.req = json!({"queryExecutionId": cx.rng.uuid()}),
        Req::GlueTable => {
            b.req =
                json!({"databaseName": "exports", "name": cx.rng.pick(&["daily_orders", "customers", "events_raw"])})
        }
        Req::Cluster => b.req = json!({"name": world::EKS_CLUSTER}),
        Req::LfAccess => {
            b.req = json!({"tableArn": format!("arn:aws:glue:{region}:{acct}:table/exports/daily_orders"), "permissions": ["SELECT"]})
        }
        Req::Tags => {
            let id = instance(cx);
            b.req = json!({"resourcesSet": {"items": [{"resourceId": id}]}, "tagSet": {"items": [{"key": "CostCenter", "value": format!("cc-{}", 100 + cx.rng.below(20))}]}});
            b.resp = json!({"requestId": cx.rng.uuid(), "_return": true});
        }
        Req::CreateRole => {
            let name = format!("app-role-{}", cx.rng.chars(b"abcdefghijklmnopqrstuvwxyz", 6));
            b.req = json!({"roleName": name, "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"});
            b.resp = json!({"role": {"path": "/", "roleName": name, "roleId": super::record::principal_id(0, "AROA", &name), "arn": world::role_arn(&acct, &name), "createDate": ids::sts_time(cx.time_ms)}});
        }
        Req::PutRolePolicy => {
            b.req = json!({"roleName": role_name(cx), "policyName": "inline-logs", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}"});
        }
        Req::StopInstances => {
            let id = instance(cx);
            b.req = json!({"instancesSet": {"items": [{"instanceId": id}]}, "force": false});
            b.resp = json!({"requestId": cx.rng.uuid(), "instancesSet": {"items": [{"instanceId": id, "currentState": {"code": 64, "name": "stopping"}, "previousState": {"code": 16, "name": "running"}}]}});
        }
        Req::OtherSgIngress => {
            let sg = format!("sg-0{}", hex_id(&["app-sg", &acct, &region], 16));
            b.req = json!({"groupId": sg, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/16", "description": "internal https"}]}}]}});
            b.resp = json!({"requestId": cx.rng.uuid(), "_return": true});
        }
        Req::ServiceAssume => {
            let role = role_name(cx);
            b.req = json!({"roleArn": world::role_arn(&acct, role), "roleSessionName": format!("svc-{}", cx.rng.chars(b"0123456789", 10))});
            b.resources = Some(vec![Resource::new(
                Some(&acct),
                "AWS::IAM::Role",
                world::role_arn(&acct, role),
            )]);
        }
        Req::ConsoleLogin => {
            b.resp = json!({"ConsoleLogin": "Success"});
            b.extra = Some(
                json!({"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true", "MobileVersion": "No", "MFAUsed": "Yes"}),
            );
        }
        Req::SsoAccount => {
            let target = *cx.rng.pick(&[PROD, IDENTITY, DATA]);
            b.req = json!({"accountId": target});
        }
    }
    b
}

/// errorCode / errorMessage for a failed background call.
pub fn error_for(op: &Op, cx: &mut Cx) -> (String, String) {
    let who = cx.arn.unwrap_or("an AWS principal");
    let action = format!("{}:{}", op.src.trim_end_matches(".amazonaws.com"), op.name);
    let denied = format!(
        "User: {who} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
    );
    let (code, msg): (&str, String) = match op.src {
        "ec2.amazonaws.com" if op.ro && cx.rng.chance(500) => {
            ("Client.RequestLimitExceeded", "Request limit exceeded.".into())
        }
        "ec2.amazonaws.com" => (
            "Client.UnauthorizedOperation",
            format!(
                "You are not authorized to perform this operation. User: {who} is not authorized to perform: {action} because no identity-based policy allows the {action} action. Encoded authorization failure message: {}",
                cx.rng.chars(ids::MIXED_ALNUM, 48)
            ),
        ),
        "s3.amazonaws.com" if op.name == "GetBucketPolicy" => {
            ("NoSuchBucketPolicy", "The bucket policy does not exist".into())
        }
        "s3.amazonaws.com" => ("AccessDenied", "Access Denied".into()),
        "iam.amazonaws.com" if op.name.starts_with("Get") && cx.rng.chance(500) => (
            "NoSuchEntityException",
            "The role with name app-deploy-role cannot be found.".into(),
        ),
        "iam.amazonaws.com" | "sts.amazonaws.com" | "signin.amazonaws.com" | "cloudformation.amazonaws.com" => {
            ("AccessDenied", denied)
        }
        "secretsmanager.amazonaws.com" if cx.rng.chance(400) => (
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.".into(),
        ),
        _ if cx.rng.chance(450) => ("ThrottlingException", "Rate exceeded".into()),
        _ => ("AccessDeniedException", denied),
    };
    (code.to_string(), msg)
}

/// S3 request ids are 16 upper-case characters; most other services use UUIDs.
pub fn request_id(source: &str, rng: &mut ChaCha8Rng) -> String {
    if source == "s3.amazonaws.com" {
        rng.chars(b"ABCDEF0123456789", 16)
    } else {
        rng.uuid()
    }
}
