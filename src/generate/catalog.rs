//! Background operation tables: realistic eventSource/eventName pairs per
//! actor profile. `global` operations (IAM, STS global endpoint, S3
//! ListBuckets, sign-in, SSO portal) are only logged in us-east-1.

use super::world::Profile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Req {
    Null,
    S3Host,
    Bucket,
    Instances,
    Sgs,
    Vpcs,
    Subnets,
    NetworkInterfaces,
    RoleName,
    PolicyArn,
    ListPolicies,
    Trails,
    Lookup,
    KmsKey,
    KmsDecrypt,
    KmsDataKey,
    Secret,
    Param,
    Params,
    LogGroup,
    LogStream,
    Function,
    FunctionCode,
    Stack,
    ChangeSet,
    Table,
    Athena,
    AthenaGet,
    GlueTable,
    Cluster,
    LfAccess,
    Tags,
    CreateRole,
    PutRolePolicy,
    StopInstances,
    OtherSgIngress,
    ServiceAssume,
    ConsoleLogin,
    SsoAccount,
    LaunchTemplate,
    Snapshots,
}

#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub src: &'static str,
    pub name: &'static str,
    pub ro: bool,
    pub global: bool,
    pub w: u32,
    pub req: Req,
}

const fn op(src: &'static str, name: &'static str, ro: bool, global: bool, w: u32, req: Req) -> Op {
    Op {
        src,
        name,
        ro,
        global,
        w,
        req,
    }
}

const IAM: &str = "iam.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const STS: &str = "sts.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";
const CFN: &str = "cloudformation.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";
const GLUE: &str = "glue.amazonaws.com";
const ATHENA: &str = "athena.amazonaws.com";
const LF: &str = "lakeformation.amazonaws.com";

use Req as R;

const ADMIN: &[Op] = &[
    op(IAM, "ListUsers", true, true, 5, R::Null),
    op(IAM, "ListRoles", true, true, 5, R::Null),
    op(IAM, "GetRole", true, true, 4, R::RoleName),
    op(IAM, "ListPolicies", true, true, 3, R::ListPolicies),
    op(EC2, "DescribeInstances", true, false, 8, R::Instances),
    op(EC2, "DescribeSecurityGroups", true, false, 5, R::Sgs),
    op(EC2, "DescribeVpcs", true, false, 3, R::Vpcs),
    op(S3, "ListBuckets", true, true, 5, R::S3Host),
    op(S3, "GetBucketPolicy", true, false, 3, R::Bucket),
    op(S3, "GetBucketAcl", true, false, 3, R::Bucket),
    op("cloudtrail.amazonaws.com", "DescribeTrails", true, false, 2, R::Trails),
    op("cloudtrail.amazonaws.com", "LookupEvents", true, false, 3, R::Lookup),
    op(KMS, "ListKeys", true, false, 2, R::Null),
    op(KMS, "DescribeKey", true, false, 2, R::KmsKey),
    op(LOGS, "DescribeLogGroups", true, false, 3, R::Null),
    op("monitoring.amazonaws.com", "DescribeAlarms", true, false, 2, R::Null),
    op(EC2, "CreateTags", false, false, 1, R::Tags),
    op(IAM, "CreateRole", false, true, 1, R::CreateRole),
    op(IAM, "PutRolePolicy", false, true, 1, R::PutRolePolicy),
    op(EC2, "StopInstances", false, false, 1, R::StopInstances),
    op(SSM, "GetParameter", true, false, 2, R::Param),
];

const DEVELOPER: &[Op] = &[
    op(LAMBDA, "ListFunctions20150331", true, false, 4, R::Null),
    op(LAMBDA, "GetFunction20150331v2", true, false, 3, R::Function),
    op(LOGS, "DescribeLogStreams", true, false, 4, R::LogGroup),
    op(EC2, "DescribeInstances", true, false, 3, R::Instances),
    op(S3, "ListBuckets", true, true, 2, R::S3Host),
    op(CFN, "DescribeStacks", true, false, 3, R::Stack),
    op("ecr.amazonaws.com", "DescribeRepositories", true, false, 2, R::Null),
    op("dynamodb.amazonaws.com", "DescribeTable", true, false, 2, R::Table),
    op(SSM, "GetParameters", true, false, 2, R::Params),
    op(LAMBDA, "UpdateFunctionCode20150331v2", false, false, 1, R::FunctionCode),
    op(STS, "GetCallerIdentity", true, true, 1, R::Null),
];

const READONLY: &[Op] = &[
    op(IAM, "GetAccountSummary", true, true, 2, R::Null),
    op(IAM, "ListUsers", true, true, 2, R::Null),
    op(IAM, "ListAttachedRolePolicies", true, true, 2, R::RoleName),
    op(EC2, "DescribeInstances", true, false, 4, R::Instances),
    op(EC2, "DescribeSecurityGroups", true, false, 3, R::Sgs),
    op(EC2, "DescribeSnapshots", true, false, 2, R::Snapshots),
    op(S3, "ListBuckets", true, true, 2, R::S3Host),
    op(S3, "GetBucketAcl", true, false, 2, R::Bucket),
    op(S3, "GetBucketPolicy", true, false, 2, R::Bucket),
    op("config.amazonaws.com", "DescribeConfigRules", true, false, 2, R::Null),
    op("securityhub.amazonaws.com", "GetFindings", true, false, 2, R::Null),
    op("guardduty.amazonaws.com", "ListDetectors", true, false, 1, R::Null),
];

const CI: &[Op] = &[
    op(STS, "GetCallerIdentity", true, true, 6, R::Null),
    op(S3, "ListBuckets", true, true, 2, R::S3Host),
    op(S3, "GetBucketLocation", true, false, 3, R::Bucket),
    op(CFN, "DescribeStacks", true, false, 5, R::Stack),
    op(CFN, "CreateChangeSet", false, false, 2, R::ChangeSet),
    op(CFN, "DescribeChangeSet", true, false, 3, R::ChangeSet),
    op(CFN, "ExecuteChangeSet", false, false, 2, R::ChangeSet),
    op("ecr.amazonaws.com", "GetAuthorizationToken", true, false, 4, R::Null),
    op(LAMBDA, "GetFunction20150331v2", true, false, 2, R::Function),
    op(LAMBDA, "UpdateFunctionCode20150331v2", false, false, 2, R::FunctionCode),
    op(SSM, "GetParameter", true, false, 2, R::Param),
];

const TERRAFORM: &[Op] = &[
    op(EC2, "DescribeInstances", true, false, 4, R::Instances),
    op(EC2, "DescribeSecurityGroups", true, false, 4, R::Sgs),
    op(EC2, "DescribeVpcs", true, false, 3, R::Vpcs),
    op(EC2, "DescribeSubnets", true, false, 3, R::Subnets),
    op(IAM, "GetRole", true, true, 3, R::RoleName),
    op(IAM, "GetPolicy", true, true, 2, R::PolicyArn),
    op(S3, "GetBucketPolicy", true, false, 2, R::Bucket),
    op(S3, "GetBucketVersioning", true, false, 2, R::Bucket),
    op(EC2, "CreateTags", false, false, 1, R::Tags),
    op(EC2, "AuthorizeSecurityGroupIngress", false, false, 1, R::OtherSgIngress),
    op(KMS, "DescribeKey", true, false, 2, R::KmsKey),
    op(STS, "GetCallerIdentity", true, true, 2, R::Null),
];

const APP: &[Op] = &[
    op(KMS, "Decrypt", true, false, 8, R::KmsDecrypt),
    op(KMS, "GenerateDataKey", true, false, 4, R::KmsDataKey),
    op(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        true,
        false,
        4,
        R::Secret,
    ),
    op(SSM, "GetParameter", true, false, 3, R::Param),
    op(LOGS, "CreateLogStream", false, false, 2, R::LogStream),
    op("dynamodb.amazonaws.com", "DescribeTable", true, false, 2, R::Table),
    op(STS, "GetCallerIdentity", true, true, 1, R::Null),
];

const DATA: &[Op] = &[
    op(ATHENA, "StartQueryExecution", false, false, 4, R::Athena),
    op(ATHENA, "GetQueryExecution", true, false, 6, R::AthenaGet),
    op(GLUE, "GetTable", true, false, 4, R::GlueTable),
    op(GLUE, "GetDatabases", true, false, 3, R::Null),
    op(S3, "ListBuckets", true, true, 2, R::S3Host),
    op(S3, "GetBucketPolicy", true, false, 2, R::Bucket),
    op("eks.amazonaws.com", "DescribeCluster", true, false, 2, R::Cluster),
    op("eks.amazonaws.com", "ListClusters", true, false, 1, R::Null),
    op(LF, "GetDataAccess", true, false, 3, R::LfAccess),
];

const GLUE_JOB: &[Op] = &[
    op(GLUE, "GetTable", true, false, 4, R::GlueTable),
    op(GLUE, "GetPartitions", true, false, 5, R::GlueTable),
    op(KMS, "Decrypt", true, false, 3, R::KmsDecrypt),
    op(S3, "GetBucketLocation", true, false, 2, R::Bucket),
    op(LF, "GetDataAccess", true, false, 3, R::LfAccess),
    op(LOGS, "CreateLogStream", false, false, 2, R::LogStream),
];

const BROKER: &[Op] = &[
    op(STS, "GetCallerIdentity", true, true, 2, R::Null),
    op(IAM, "GetUser", true, true, 1, R::Null),
];

const EXTERNAL: &[Op] = &[
    op(S3, "GetBucketAcl", true, false, 3, R::Bucket),
    op(S3, "ListObjects", true, false, 3, R::Bucket),
    op(KMS, "Decrypt", true, false, 2, R::KmsDecrypt),
];

const SSO: &[Op] = &[
    op("sso.amazonaws.com", "ListAccounts", true, true, 3, R::Null),
    op("sso.amazonaws.com", "ListAccountRoles", true, true, 3, R::SsoAccount),
    op("sso.amazonaws.com", "GetRoleCredentials", true, true, 2, R::SsoAccount),
];

const ROOT: &[Op] = &[
    op("signin.amazonaws.com", "ConsoleLogin", false, true, 3, R::ConsoleLogin),
    op(IAM, "GetAccountSummary", true, true, 1, R::Null),
    op(IAM, "ListMFADevices", true, true, 1, R::Null),
    op("ce.amazonaws.com", "GetCostAndUsage", true, true, 1, R::Null),
];

const SVC_CFN: &[Op] = &[
    op(IAM, "GetRole", true, true, 2, R::RoleName),
    op(LAMBDA, "GetFunction20150331v2", true, false, 2, R::Function),
    op(EC2, "DescribeSecurityGroups", true, false, 2, R::Sgs),
    op(STS, "AssumeRole", false, true, 1, R::ServiceAssume),
];
const SVC_ASG: &[Op] = &[
    op(EC2, "DescribeInstances", true, false, 3, R::Instances),
    op(EC2, "DescribeLaunchTemplateVersions", true, false, 2, R::LaunchTemplate),
    op(STS, "AssumeRole", false, true, 1, R::ServiceAssume),
];
const SVC_CONFIG: &[Op] = &[
    op(IAM, "GetRole", true, true, 2, R::RoleName),
    op(EC2, "DescribeSecurityGroups", true, false, 2, R::Sgs),
    op(EC2, "DescribeNetworkInterfaces", true, false, 2, R::NetworkInterfaces),
    op(S3, "GetBucketPolicy", true, false, 1, R::Bucket),
    op(S3, "GetBucketAcl", true, false, 1, R::Bucket),
];
const SVC_TRAIL: &[Op] = &[
    op(S3, "GetBucketAcl", true, false, 3, R::Bucket),
    op(KMS, "GenerateDataKey", true, false, 2, R::KmsDataKey),
];
const SVC_S3: &[Op] = &[
    op(KMS, "GenerateDataKey", true, false, 3, R::KmsDataKey),
    op(KMS, "Decrypt", true, false, 3, R::KmsDecrypt),
];
const SVC_ATHENA: &[Op] = &[
    op(GLUE, "GetTable", true, false, 3, R::GlueTable),
    op(S3, "GetBucketLocation", true, false, 2, R::Bucket),
    op(KMS, "Decrypt", true, false, 1, R::KmsDecrypt),
];

pub fn ops_for(profile: Profile, service_host: Option<&str>) -> &'static [Op] {
    match profile {
        Profile::Admin => ADMIN,
        Profile::Developer => DEVELOPER,
        Profile::ReadOnly => READONLY,
        Profile::Ci => CI,
        Profile::Terraform => TERRAFORM,
        Profile::App => APP,
        Profile::Data => DATA,
        Profile::Glue => GLUE_JOB,
        Profile::Broker => BROKER,
        Profile::External => EXTERNAL,
        Profile::Sso => SSO,
        Profile::Root => ROOT,
        Profile::Svc => match service_host.unwrap_or("") {
            "cloudformation.amazonaws.com" => SVC_CFN,
            "autoscaling.amazonaws.com" => SVC_ASG,
            "config.amazonaws.com" => SVC_CONFIG,
            "cloudtrail.amazonaws.com" => SVC_TRAIL,
            "athena.amazonaws.com" => SVC_ATHENA,
            _ => SVC_S3,
        },
    }
}

/// Operations an actor may perform in a region (global ones only in us-east-1).
pub fn ops_in_region(ops: &'static [Op], home: bool) -> impl Iterator<Item = &'static Op> {
    ops.iter().filter(move |o| home || !o.global)
}

/// eventType and readOnly overrides that CloudTrail applies per API.
pub fn event_type(op: &Op) -> &'static str {
    if op.req == Req::ConsoleLogin {
        "AwsConsoleSignIn"
    } else {
        "AwsApiCall"
    }
}
