//! The user's Sigma rules whose logsource is AWS CloudTrail, read into
//! hunts: CloudTrail field names mapped to the flat event shape, the
//! common modifiers (`contains`, `startswith`, `endswith`, `re`, `all`,
//! `cidr`, `exists`), lists, and conditions (see `sigma_condition`). A rule
//! lakescope cannot evaluate exactly is refused with the reason, never
//! half-applied; the other rules still run.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use yaml_serde::Value as Yaml;

use super::format::{Hunt, HuntError, RefusedHunt, Severity};
use super::sigma_condition;
use super::sigma_expr::{Expr, Field, FieldTest, Op};

/// The rules of `dir` (`*.yml`, `*.yaml`; one or more documents each).
pub fn load_dir(dir: &Path) -> Result<(Vec<Hunt>, Vec<RefusedHunt>), HuntError> {
    let io = |source| HuntError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    let (mut hunts, mut refused) = (Vec::new(), Vec::new());
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let read = std::fs::read_to_string(&path).map_err(|e| vec![e.to_string()]);
        match read.and_then(|text| parse(&stem, &text)) {
            Ok(found) => hunts.extend(found),
            Err(reasons) => refused.extend(reasons.into_iter().map(|reason| RefusedHunt {
                file: path.display().to_string(),
                reason,
            })),
        }
    }
    Ok((hunts, refused))
}

/// The rules of one file (named `stem`), or why each cannot be used: a
/// file is used whole or not at all.
pub fn parse(stem: &str, text: &str) -> Result<Vec<Hunt>, Vec<String>> {
    let mut hunts = Vec::new();
    let mut reasons = Vec::new();
    for (i, doc) in yaml_serde::Deserializer::from_str(text).enumerate() {
        let rule = Yaml::deserialize(doc).map_err(|e| e.to_string()).and_then(|doc| {
            let id = match i {
                0 => format!("sigma-{}", slug(stem)),
                _ => format!("sigma-{}-{}", slug(stem), i + 1),
            };
            hunt(&id, &doc)
        });
        match rule {
            Ok(hunt) => hunts.push(hunt),
            Err(reason) => reasons.push(reason),
        }
    }
    match reasons.is_empty() {
        true => Ok(hunts),
        false => Err(reasons),
    }
}

fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

fn text<'a>(doc: &'a Yaml, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(Yaml::as_str)
}

fn hunt(id: &str, doc: &Yaml) -> Result<Hunt, String> {
    let title = text(doc, "title").ok_or("no title")?.to_string();
    let named = |why: String| format!("rule {title:?}: {why}");
    let logsource = doc.get("logsource").ok_or_else(|| named("no logsource".into()))?;
    let is = |key: &str, want: &str| text(logsource, key).is_some_and(|v| v.eq_ignore_ascii_case(want));
    if !(is("product", "aws") && is("service", "cloudtrail")) {
        return Err(named(
            "logsource is not AWS CloudTrail (product: aws, service: cloudtrail)".into(),
        ));
    }
    let detection = doc
        .get("detection")
        .and_then(Yaml::as_mapping)
        .ok_or_else(|| named("no detection".into()))?;
    let mut selections = BTreeMap::new();
    let mut condition = None;
    for (key, value) in detection {
        let key = key
            .as_str()
            .ok_or_else(|| named("a detection key is not text".into()))?;
        match key {
            "condition" => condition = Some(value.as_str().ok_or_else(|| named("several conditions".into()))?),
            "timeframe" => return Err(named("timeframe (aggregation over time) is not supported".into())),
            name => {
                let expr = selection(value).map_err(|e| named(format!("selection {name}: {e}")))?;
                selections.insert(name.to_string(), expr);
            }
        }
    }
    let condition = condition.ok_or_else(|| named("no condition".into()))?;
    let expr = sigma_condition::parse(condition, &selections).map_err(named)?;
    let severity = match text(doc, "level").unwrap_or("medium").to_ascii_lowercase().as_str() {
        "informational" => Severity::Info,
        other => Severity::parse(other).map_err(named)?,
    };
    let tags: Vec<&str> = doc
        .get("tags")
        .and_then(Yaml::as_sequence)
        .map(|t| t.iter().filter_map(Yaml::as_str).collect())
        .unwrap_or_default();
    let attack = |tag: &&str| tag.strip_prefix("attack.").map(str::to_string);
    // attack.t1098 (technique), attack.g0016 (group), attack.s0001 (software)
    // are ids; the other attack tags are tactics.
    let is_id = |t: &String| t.starts_with(['t', 'g', 's']) && t[1..].starts_with(|c: char| c.is_ascii_digit());
    let tactic = tags
        .iter()
        .filter_map(attack)
        .find(|t| !is_id(t))
        .map(|t| title_case(&t))
        .unwrap_or_default();
    let technique = tags
        .iter()
        .filter_map(attack)
        .find(|t| is_id(t) && t.starts_with('t'))
        .map(|t| t.to_ascii_uppercase())
        .unwrap_or_default();
    Ok(Hunt {
        id: id.to_string(),
        title: title.clone(),
        tactic,
        technique,
        severity,
        description: text(doc, "description").unwrap_or(&title).trim().to_string(),
        rules: Vec::new(),
        new: None,
        burst: None,
        sequence: None,
        sigma: Some(expr),
    })
}

/// `privilege_escalation` → `Privilege Escalation`.
fn title_case(tag: &str) -> String {
    tag.split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// A selection: a map (all of its fields) or a list of maps (any of them).
fn selection(value: &Yaml) -> Result<Expr, String> {
    match value {
        Yaml::Mapping(map) => {
            let mut all = Vec::new();
            for (key, v) in map {
                let key = key.as_str().ok_or("a field name is not text")?;
                all.push(Expr::Test(field_test(key, v)?));
            }
            Ok(Expr::And(all))
        }
        Yaml::Sequence(items) if items.iter().all(Yaml::is_mapping) => {
            Ok(Expr::Or(items.iter().map(selection).collect::<Result<_, _>>()?))
        }
        _ => Err("keyword search (values without a field) is not supported".into()),
    }
}

fn scalar(v: &Yaml) -> Result<String, String> {
    match v {
        Yaml::String(s) => Ok(s.clone()),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        _ => Err("a value is not text, a number or a boolean".into()),
    }
}

fn field_test(key: &str, value: &Yaml) -> Result<FieldTest, String> {
    let mut parts = key.split('|');
    let field = field(parts.next().unwrap_or_default())?;
    let (mut op, mut all) = (None, false);
    for modifier in parts {
        let next = match modifier {
            "all" => {
                all = true;
                continue;
            }
            "contains" => Op::Contains,
            "startswith" => Op::StartsWith,
            "endswith" => Op::EndsWith,
            "re" => Op::Regex,
            "cidr" => Op::Cidr(Vec::new()),
            "exists" => Op::Exists(value.as_bool().ok_or("|exists takes true or false")?),
            other => return Err(format!("modifier |{other} is not supported")),
        };
        if op.replace(next).is_some() {
            return Err(format!("{key}: more than one comparison modifier"));
        }
    }
    let values: Vec<String> = match value {
        Yaml::Null if op.is_none() => {
            return Ok(FieldTest {
                field,
                op: Op::Null,
                values: Vec::new(),
                all,
            });
        }
        Yaml::Sequence(items) => items.iter().map(scalar).collect::<Result<_, _>>()?,
        other => vec![scalar(other)?],
    };
    let op = match op {
        Some(Op::Cidr(_)) => Op::Cidr(values.iter().map(|v| cidr(v)).collect::<Result<_, _>>()?),
        Some(op) => op,
        None => Op::Equals,
    };
    Ok(FieldTest { field, op, values, all })
}

/// An IPv4 network as its first and last address.
fn cidr(text: &str) -> Result<(i64, i64), String> {
    let bad = || format!("|cidr {text:?}: only IPv4 networks (10.0.0.0/8) are supported");
    let (ip, bits) = text.split_once('/').unwrap_or((text, "32"));
    let bits: u32 = bits.parse().ok().filter(|b| *b <= 32).ok_or_else(bad)?;
    let addr: std::net::Ipv4Addr = ip.parse().map_err(|_| bad())?;
    let n = i64::from(u32::from(addr));
    let size = 1i64 << (32 - bits);
    let first = n - n % size;
    Ok((first, first + size - 1))
}

/// A CloudTrail field name as the flat event shape holds it.
fn field(name: &str) -> Result<Field, String> {
    let column = |c| Ok(Field::Column(c));
    let json = |column: &'static str, rest: &str| {
        let ok = rest
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        match ok {
            true => Ok(Field::Json {
                column,
                path: format!("$.{rest}"),
            }),
            false => Err(format!("field {name} is not a plain path")),
        }
    };
    match name {
        "eventName" => column("operation"),
        "eventSource" => column("service"),
        "awsRegion" => column("region"),
        "recipientAccountId" => column("recipient_account"),
        "sourceIPAddress" => column("coalesce(src_ip, src_domain)"),
        "userAgent" => column("user_agent"),
        "errorCode" => column("error_code"),
        "errorMessage" => column("error_message"),
        "eventID" => column("event_uid"),
        "eventType" => column("event_type"),
        "userIdentity.type" => column("actor_type"),
        "userIdentity.arn" => column("actor_arn"),
        "userIdentity.userName" => column("actor_name"),
        "userIdentity.principalId" => column("actor_principal_id"),
        "userIdentity.accountId" => column("actor_account"),
        "userIdentity.accessKeyId" => column("access_key_id"),
        "userIdentity.invokedBy" => column("invoked_by"),
        "userIdentity.sessionContext.sessionIssuer.arn" => column("session_issuer"),
        "userIdentity.sessionContext.attributes.mfaAuthenticated" => Ok(Field::Mfa),
        // Folded into the one MFA flag (a sign-in's MFAUsed or its session's, either
        // saying yes is yes), so "No" cannot be told from a session that had MFA.
        "additionalEventData.MFAUsed" => Err(format!(
            "field {name} is not kept apart: a sign-in's MFAUsed and its session's MFA flag are one \
             flag (userIdentity.sessionContext.attributes.mfaAuthenticated, or a hunt's `mfa = false`)"
        )),
        "requestParameters" => Ok(Field::Json {
            column: "request_json",
            path: "$".into(),
        }),
        "responseElements" => Ok(Field::Json {
            column: "response_json",
            path: "$".into(),
        }),
        _ => match (
            name.strip_prefix("requestParameters."),
            name.strip_prefix("responseElements."),
        ) {
            (Some(rest), _) => json("request_json", rest),
            (_, Some(rest)) => json("response_json", rest),
            _ => Err(format!("field {name} is not in lakescope's event shape")),
        },
    }
}

#[cfg(test)]
#[path = "sigma_tests.rs"]
mod tests;
