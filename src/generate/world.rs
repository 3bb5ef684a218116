//! The fixed synthetic world: accounts, regions, story constants and the
//! background actors. Tests and docs rely on these exact values.

pub const ORG_ID: &str = "o-a1b2c3d4e5";
pub const PROD: &str = "012345678901";
pub const IDENTITY: &str = "111122223333";
pub const DATA: &str = "444455556666";
pub const EXTERNAL: &str = "999988887777";
/// Generation order; TRUTH lists them sorted (the same order here).
pub const ACCOUNTS: [&str; 3] = [PROD, IDENTITY, DATA];
/// Generation order (home region first); TRUTH sorts them.
pub const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-northeast-1"];
pub const HOME_REGION: &str = "us-east-1";

/// 2024-05-01 and the story day 2024-05-05 (day index 4).
pub const FIRST_DAY: (i64, u32, u32) = (2024, 5, 1);
pub const STORY_DAY_INDEX: u32 = 4;
/// Last Security Lake 1.0 day index and first 2.0 day index (2024-05-04 overlap).
pub const OVERLAP_DAY_INDEX: u32 = 3;

pub const CI_USER: &str = "ci-deploy";
pub const CI_IP: &str = "198.51.100.10";
pub const TF_IP: &str = "198.51.100.11";
pub const NEW_IP: &str = "203.0.113.66";
pub const EXTERNAL_IP: &str = "192.0.2.44";

pub const SG_ID: &str = "sg-0a1b2c3d4e5f60718";
pub const OLD_SG_ID: &str = "sg-0f9e8d7c6b5a43210";
pub const VPC_ID: &str = "vpc-0c1d2e3f4a5b6c7d8";
pub const SUBNET_ID: &str = "subnet-0a9b8c7d6e5f40312";
pub const ENI_ID: &str = "eni-0f1e2d3c4b5a69788";
pub const INSTANCE_ID: &str = "i-0a1b2c3d4e5f67890";
pub const INSTANCE_IP: &str = "10.20.1.15";
pub const BUCKET: &str = "acme-data-exports";
pub const CROSS_ROLE: &str = "CrossAccountDeploy";
pub const DATA_ROLE: &str = "DataAdmin";
pub const BACKDOOR_USER: &str = "backup-svc";
pub const EKS_CLUSTER: &str = "data-platform";

// The network side of the story (flows, DNS, WAF, GuardDuty): the instance
// sends the bucket's data to EXFIL_IP, found through C2_NAME; SCANNER_IP
// (outside the background scanners 192.0.2.150-199) probes it and the app.
pub const EXFIL_IP: &str = "203.0.113.200";
pub const EXFIL_PORT: i32 = 443;
/// As Route 53 writes it: fully qualified, with the root's dot.
pub const C2_NAME: &str = "c2.exfil-relay.example.";
pub const SCANNER_IP: &str = "192.0.2.250";
pub const SCANNER_PORTS: [i32; 6] = [22, 23, 80, 445, 3389, 8080];
/// The web app behind WAF in the data account.
pub const APP_HOST: &str = "portal.acme-data.example";
pub const WEB_ACL: &str = "portal-web-acl";
/// The production VPC whose flow and Resolver logs go straight to S3.
pub const PROD_VPC_ID: &str = "vpc-0e5d4c3b2a1908f7e";
pub const PROD_SUBNET_ID: &str = "subnet-0b1c2d3e4f5a60718";

pub const CLI_UA: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off";
pub const KALI_UA: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.6.9-amd64-kali md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84";
pub const REQUESTS_UA: &str = "python-requests/2.31.0";
pub const CONSOLE_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
pub const ESCAPE_UA: &str = "Mozilla/5.0 \u{1b}[31mRED\u{1b}[0m\u{7}";
pub const ESCAPE_NAME: &str = "evil\u{1b}[31mRED\u{1b}[0m\u{7}";

/// How an AssumedRole/FederatedUser actor's daily temporary key is minted.
#[derive(Clone, Copy, Debug)]
pub enum Mint {
    /// AssumeRoleWithSAML by a SAMLUser (IAM Identity Center permission sets).
    Saml,
    /// AssumeRole by an IAM user of the same account.
    User(&'static str),
    /// AssumeRole by an AWS service principal (Lambda, ECS, EC2, Glue).
    Service(&'static str),
    /// GetFederationToken by an IAM user (federated users only).
    Federation(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub enum Who {
    IamUser(&'static str),
    Role {
        role: &'static str,
        session: &'static str,
        mint: Mint,
    },
    Federated {
        name: &'static str,
        broker: &'static str,
    },
    Root,
    Service(&'static str),
    External,
    IdCenter {
        user_id: &'static str,
    },
}

/// Which operation table an actor draws from (see `catalog`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Admin,
    Developer,
    ReadOnly,
    Ci,
    Terraform,
    App,
    Data,
    Glue,
    Broker,
    External,
    Sso,
    Root,
    Svc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    Ci,
    Terraform,
    Office,
    Home,
    App,
    External,
    Service,
}

#[derive(Clone, Copy, Debug)]
pub enum Agent {
    Cli,
    Console,
    Terraform,
    Java,
    Lambda,
    Service,
}

#[derive(Clone, Copy, Debug)]
pub struct ActorDef {
    pub account: &'static str,
    pub who: Who,
    pub weight: u32,
    pub profile: Profile,
    pub net: Net,
    pub agent: Agent,
}

const fn a(account: &'static str, who: Who, weight: u32, profile: Profile, net: Net, agent: Agent) -> ActorDef {
    ActorDef {
        account,
        who,
        weight,
        profile,
        net,
        agent,
    }
}

use Agent as G;
use Net as N;
use Profile as P;

/// Weight 0 = never drawn at random (root signs in only on planned days).
pub const ACTORS: &[ActorDef] = &[
    // 111122223333: identity / dev account, where the IAM users live.
    a(IDENTITY, Who::IamUser("alice"), 10, P::Admin, N::Office, G::Cli),
    a(IDENTITY, Who::IamUser("bob"), 8, P::Developer, N::Home, G::Cli),
    a(IDENTITY, Who::IamUser("carol"), 6, P::ReadOnly, N::Office, G::Console),
    a(IDENTITY, Who::IamUser(CI_USER), 14, P::Ci, N::Ci, G::Cli),
    a(
        IDENTITY,
        Who::IamUser("terraform"),
        9,
        P::Terraform,
        N::Terraform,
        G::Terraform,
    ),
    a(IDENTITY, Who::IamUser("broker"), 1, P::Broker, N::Office, G::Java),
    a(
        IDENTITY,
        Who::Role {
            role: "Developer",
            session: "bob",
            mint: Mint::User("bob"),
        },
        8,
        P::Developer,
        N::Home,
        G::Cli,
    ),
    a(
        IDENTITY,
        Who::Federated {
            name: "dana",
            broker: "broker",
        },
        4,
        P::ReadOnly,
        N::Home,
        G::Java,
    ),
    a(
        IDENTITY,
        Who::Service("cloudformation.amazonaws.com"),
        3,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(IDENTITY, Who::Root, 0, P::Root, N::Home, G::Console),
    // 012345678901: production (leading zero).
    a(
        PROD,
        Who::Role {
            role: "AWSReservedSSO_AdministratorAccess_7d1a2b3c4d5e6f70",
            session: "alice@example.com",
            mint: Mint::Saml,
        },
        10,
        P::Admin,
        N::Office,
        G::Console,
    ),
    a(
        PROD,
        Who::Role {
            role: "AWSReservedSSO_ReadOnlyAccess_0f9e8d7c6b5a4321",
            session: "carol@example.com",
            mint: Mint::Saml,
        },
        5,
        P::ReadOnly,
        N::Office,
        G::Console,
    ),
    a(
        PROD,
        Who::Role {
            role: "prod-api-task-role",
            session: "3f1c9a5e2b7d4c60a8e1f2d3c4b5a697",
            mint: Mint::Service("ecs-tasks.amazonaws.com"),
        },
        14,
        P::App,
        N::App,
        G::Java,
    ),
    a(
        PROD,
        Who::Role {
            role: "order-processor-role",
            session: "order-processor",
            mint: Mint::Service("lambda.amazonaws.com"),
        },
        12,
        P::App,
        N::App,
        G::Lambda,
    ),
    a(
        PROD,
        Who::Role {
            role: "prod-ec2-instance-role",
            session: "i-0d5e6f7a8b9c0d1e2",
            mint: Mint::Service("ec2.amazonaws.com"),
        },
        7,
        P::App,
        N::App,
        G::Java,
    ),
    a(
        PROD,
        Who::Service("autoscaling.amazonaws.com"),
        3,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(
        PROD,
        Who::Service("config.amazonaws.com"),
        3,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(
        PROD,
        Who::Service("cloudtrail.amazonaws.com"),
        2,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(PROD, Who::External, 3, P::External, N::External, G::Cli),
    a(
        PROD,
        Who::IdCenter {
            user_id: "9067a1b2c3-4d5e6f70-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
        },
        4,
        P::Sso,
        N::Office,
        G::Console,
    ),
    a(PROD, Who::Root, 0, P::Root, N::Office, G::Console),
    // 444455556666: data account.
    a(
        DATA,
        Who::Role {
            role: "AWSReservedSSO_DataEngineer_5a6b7c8d9e0f1a2b",
            session: "erin@example.com",
            mint: Mint::Saml,
        },
        10,
        P::Data,
        N::Office,
        G::Cli,
    ),
    a(
        DATA,
        Who::Role {
            role: "GlueJobRole",
            session: "GlueJobRunnerSession",
            mint: Mint::Service("glue.amazonaws.com"),
        },
        10,
        P::Glue,
        N::App,
        G::Java,
    ),
    a(
        DATA,
        Who::Role {
            role: "etl-lambda-role",
            session: "etl-loader",
            mint: Mint::Service("lambda.amazonaws.com"),
        },
        6,
        P::App,
        N::App,
        G::Lambda,
    ),
    a(
        DATA,
        Who::Service("s3.amazonaws.com"),
        3,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(
        DATA,
        Who::Service("athena.amazonaws.com"),
        2,
        P::Svc,
        N::Service,
        G::Service,
    ),
    a(DATA, Who::External, 2, P::External, N::External, G::Cli),
    a(DATA, Who::Root, 0, P::Root, N::Home, G::Console),
];

/// The background actor whose session makes the background EKS calls.
pub fn eks_actor() -> Option<&'static ActorDef> {
    ACTORS
        .iter()
        .find(|d| matches!(d.who, Who::Role { role, .. } if role.starts_with("AWSReservedSSO_DataEngineer")))
}

/// Relative activity of each account, region, and UTC hour (diurnal).
pub fn account_weight(account: &str) -> u64 {
    match account {
        PROD => 40,
        IDENTITY => 35,
        _ => 25,
    }
}

pub fn region_weight(region: &str) -> u64 {
    match region {
        "us-east-1" => 60,
        "eu-west-1" => 25,
        _ => 15,
    }
}

pub fn hour_weight(hour: u32) -> u64 {
    match hour {
        8..=18 => 10,
        6..=7 | 19..=21 => 5,
        _ => 2,
    }
}

/// Weekends (Sat/Sun) are quieter.
pub fn weekday_weight(weekday: u32) -> u64 {
    if weekday >= 5 { 6 } else { 10 }
}

pub fn role_arn(account: &str, role: &str) -> String {
    format!("arn:aws:iam::{account}:role/{role}")
}

pub fn session_arn(account: &str, role: &str, session: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
}

pub fn user_arn(account: &str, user: &str) -> String {
    format!("arn:aws:iam::{account}:user/{user}")
}

pub fn intruder_arn() -> String {
    user_arn(IDENTITY, CI_USER)
}
