//! Planned (non-random-count) background events: the daily STS calls that
//! mint each session's key, CI's daily heartbeat, and the few special
//! records that exercise the readers (escape sequences, non-ASCII, long value, a
//! record delivered in the next day's folder).

use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::background::{make_event, new_record, source_ip, user_agent};
use super::catalog::{Op, Req};
use super::ids::{self, Draw, HOUR_MS};
use super::record::{self, Identity, Record, Resource};
use super::world::{self, ACTORS, ActorDef, HOME_REGION, IDENTITY, Mint, PROD, Who};

fn finish(mut r: Record, rng: &mut ChaCha8Rng) -> Record {
    r.request_id = rng.uuid();
    r.event_id = rng.uuid();
    r
}

pub fn sts_credentials(key: &str, issued_ms: i64, rng: &mut ChaCha8Rng) -> Value {
    json!({
        "accessKeyId": key,
        "sessionToken": format!("IQoJb3JpZ2luX2VjE{}", rng.chars(ids::MIXED_ALNUM, 40)),
        "expiration": ids::sts_time(issued_ms + HOUR_MS),
    })
}

/// The STS call that mints `def`'s key for the day.
fn mint_event(seed: u64, def: &ActorDef, day_ms: i64, rng: &mut ChaCha8Rng) -> Option<Record> {
    let (caller, op) = record::minting_identity(seed, def)?;
    let session = record::identity_for(seed, def, day_ms);
    let key = session.access_key_id.clone().unwrap_or_default();
    let t = record::mint_time(seed, def, day_ms);
    let mut r = new_record(caller, t, "sts.amazonaws.com", op, HOME_REGION, def.account);
    r.read_only = true;
    let creds = sts_credentials(&key, t, rng);
    match def.who {
        Who::Role {
            role,
            session: name,
            mint,
        } => {
            let role_arn = world::role_arn(def.account, role);
            let assumed = json!({
                "assumedRoleId": session.principal_id.clone().unwrap_or_default(),
                "arn": session.arn.clone().unwrap_or_default(),
            });
            let mut resources = vec![Resource::new(Some(def.account), "AWS::IAM::Role", role_arn.clone())];
            match mint {
                Mint::Saml => {
                    let provider = r.user_identity.identity_provider.clone().unwrap_or_default();
                    r.request_parameters =
                        json!({"roleArn": role_arn, "principalArn": provider, "durationSeconds": 3600});
                    r.response_elements = json!({
                        "credentials": creds, "assumedRoleUser": assumed,
                        "subject": name, "subjectType": "persistent",
                        "issuer": "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MDEyMzQ1Njc4OTAxX2lucy0xYTJiM2M0ZDVlNmY3MDgx",
                        "audience": "https://signin.aws.amazon.com/saml",
                        "nameQualifier": "Xq0RvXZCMklT5lHWSQ0KyqZfUMk=",
                    });
                    resources.push(Resource::new(Some(def.account), "AWS::IAM::SAMLProvider", provider));
                    r.source_ip = source_ip(def, rng);
                    r.user_agent = world::CONSOLE_UA.into();
                }
                Mint::User(_) | Mint::Service(_) => {
                    r.request_parameters =
                        json!({"roleArn": role_arn, "roleSessionName": name, "durationSeconds": 3600});
                    r.response_elements = json!({"credentials": creds, "assumedRoleUser": assumed});
                    if let Mint::Service(host) = mint {
                        r.source_ip = host.into();
                        r.user_agent = host.into();
                    } else {
                        r.source_ip = source_ip(def, rng);
                        r.user_agent = user_agent(def.agent, None);
                    }
                }
                Mint::Federation(_) => return None,
            }
            r.resources = Some(resources);
        }
        Who::Federated { name, .. } => {
            r.request_parameters = json!({"name": name, "durationSeconds": 43200});
            r.response_elements = json!({
                "credentials": creds,
                "federatedUser": {"federatedUserId": format!("{}:{name}", def.account), "arn": session.arn.clone().unwrap_or_default()},
                "packedPolicySize": 6,
            });
            r.source_ip = "198.51.100.31".into();
            r.user_agent = user_agent(world::Agent::Java, None);
        }
        _ => return None,
    }
    Some(finish(r, rng))
}

fn actor(account: &str, pred: impl Fn(&ActorDef) -> bool) -> Option<&'static ActorDef> {
    ACTORS.iter().find(|d| d.account == account && pred(d))
}

fn iam_op(name: &'static str, ro: bool, req: Req) -> Op {
    Op {
        src: "iam.amazonaws.com",
        name,
        ro,
        global: true,
        w: 1,
        req,
    }
}

/// Everything planned for one day in the given accounts.
pub fn planned_for_day(seed: u64, day_index: u32, day_ms: i64, accounts: &[&str], specials: bool) -> Vec<Record> {
    let mut rng = ids::rng_for(seed, &["daily", &day_ms.to_string()]);
    let mut out = Vec::new();
    for def in ACTORS.iter().filter(|d| accounts.contains(&d.account)) {
        if let Some(r) = mint_event(seed, def, day_ms, &mut rng) {
            out.push(r);
        }
    }
    if accounts.contains(&IDENTITY)
        && let Some(ci) = actor(IDENTITY, |d| matches!(d.who, Who::IamUser(world::CI_USER)))
    {
        let t = day_ms + 6 * HOUR_MS + (rng.below(600) as i64) * 1000;
        let op = Op {
            src: "sts.amazonaws.com",
            name: "GetCallerIdentity",
            ro: true,
            global: true,
            w: 1,
            req: Req::Null,
        };
        out.push(make_event(
            ci,
            &op,
            record::identity_for(seed, ci, day_ms),
            t,
            IDENTITY,
            HOME_REGION,
            &mut rng,
        ));
        // make_event may fail the call at random; the heartbeat always succeeds.
        if let Some(last) = out.last_mut() {
            last.error_code = None;
            last.error_message = None;
        }
    }
    if specials {
        out.extend(specials_for_day(seed, day_index, day_ms, accounts, &mut rng));
    }
    out
}

fn specials_for_day(seed: u64, day_index: u32, day_ms: i64, accounts: &[&str], rng: &mut ChaCha8Rng) -> Vec<Record> {
    let mut out = Vec::new();
    let at = |h: i64, m: i64, s: i64| day_ms + h * HOUR_MS + m * 60_000 + s * 1000;
    let ident = |def: &ActorDef| -> Identity { record::identity_for(seed, def, day_ms) };
    // Root signs in rarely: once per account, on days 1-3.
    for (i, account) in world::ACCOUNTS.iter().enumerate() {
        let root = actor(account, |d| matches!(d.who, Who::Root));
        if let (Some(def), true) = (root, day_index == i as u32 + 1 && accounts.contains(account)) {
            let login = Op {
                src: "signin.amazonaws.com",
                name: "ConsoleLogin",
                ro: false,
                global: true,
                w: 1,
                req: Req::ConsoleLogin,
            };
            let summary = Op {
                src: "iam.amazonaws.com",
                name: "GetAccountSummary",
                ro: true,
                global: true,
                w: 1,
                req: Req::Null,
            };
            for (op, t) in [(login, at(9, 12, 44)), (summary, at(9, 13, 20))] {
                let mut r = make_event(def, &op, ident(def), t, account, HOME_REGION, rng);
                r.error_code = None;
                r.error_message = None;
                out.push(r);
            }
        }
    }
    match day_index {
        0 if accounts.contains(&PROD) => {
            // 23:58 record: lands in the hour file delivered in the next day's folder.
            if let Some(def) = actor(PROD, |d| matches!(d.who, Who::Service("config.amazonaws.com"))) {
                let op = Op {
                    src: "ec2.amazonaws.com",
                    name: "DescribeSecurityGroups",
                    ro: true,
                    global: false,
                    w: 1,
                    req: Req::Sgs,
                };
                let mut r = make_event(def, &op, ident(def), at(23, 58, 41), PROD, HOME_REGION, rng);
                r.error_code = None;
                r.error_message = None;
                out.push(r);
            }
        }
        1 if accounts.contains(&IDENTITY) => {
            // Terminal escape sequences in a userAgent (`docs/formats.md#untrusted-text`).
            if let Some(def) = actor(IDENTITY, |d| matches!(d.who, Who::IamUser("carol"))) {
                let mut r = new_record(
                    ident(def),
                    at(10, 17, 23),
                    "iam.amazonaws.com",
                    "ListUsers",
                    HOME_REGION,
                    IDENTITY,
                );
                r.read_only = true;
                r.source_ip = source_ip(def, rng);
                r.user_agent = world::ESCAPE_UA.into();
                out.push(finish(r, rng));
            }
            if let Some(def) = actor(IDENTITY, |d| matches!(d.who, Who::IamUser("terraform"))) {
                // A single-line value longer than 10 000 characters.
                let statements: Vec<String> = (0..120)
                    .map(|i| format!("{{\"Sid\":\"AllowLogGroup{i:03}\",\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"arn:aws:logs:*:{IDENTITY}:log-group:/app/service-{i:03}:*\"}}"))
                    .collect();
                let doc = format!(
                    "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
                    statements.join(",")
                );
                let mut r = new_record(
                    ident(def),
                    at(14, 2, 55),
                    "iam.amazonaws.com",
                    "PutRolePolicy",
                    HOME_REGION,
                    IDENTITY,
                );
                r.request_parameters =
                    json!({"roleName": "app-logging-role", "policyName": "all-log-groups", "policyDocument": doc});
                r.source_ip = world::TF_IP.into();
                r.user_agent = user_agent(def.agent, None);
                out.push(finish(r, rng));
            }
        }
        2 if accounts.contains(&IDENTITY) => {
            // Terminal escape sequences in requestParameters.userName (`docs/formats.md#untrusted-text`).
            if let Some(def) = actor(IDENTITY, |d| matches!(d.who, Who::IamUser("alice"))) {
                let op = iam_op("CreateUser", false, Req::Null);
                let mut r = make_event(def, &op, ident(def), at(15, 42, 10), IDENTITY, HOME_REGION, rng);
                r.error_code = None;
                r.error_message = None;
                r.request_parameters = json!({"userName": world::ESCAPE_NAME});
                r.response_elements = json!({"user": {
                    "path": "/", "userName": world::ESCAPE_NAME,
                    "userId": record::principal_id(seed, "AIDA", "user/escape"),
                    "arn": format!("arn:aws:iam::{IDENTITY}:user/evil"),
                    "createDate": ids::sts_time(at(15, 42, 10)),
                }});
                out.push(r);
            }
        }
        _ => {}
    }
    if day_index == 1 && accounts.contains(&PROD) {
        // Non-ASCII text in a tag value.
        if let Some(def) = actor(PROD, |d| matches!(d.profile, world::Profile::Admin)) {
            let mut r = new_record(
                ident(def),
                at(11, 5, 9),
                "ec2.amazonaws.com",
                "CreateTags",
                HOME_REGION,
                PROD,
            );
            r.request_parameters = json!({
                "resourcesSet": {"items": [{"resourceId": "i-0d5e6f7a8b9c0d1e2"}]},
                "tagSet": {"items": [{"key": "Owner", "value": "アカウント管理チーム"}]},
            });
            r.response_elements = json!({"requestId": rng.uuid(), "_return": true});
            r.source_ip = source_ip(def, rng);
            r.user_agent = world::CONSOLE_UA.into();
            out.push(finish(r, rng));
        }
    }
    out
}
