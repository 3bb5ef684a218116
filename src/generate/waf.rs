//! AWS WAF logs in Security Lake (WAF 2.0, HTTP Activity 4002) for the data
//! account's portal behind an ALB: everyday users, and on the story day the
//! scanner's sweep of well-known paths, part of it blocked by AWS managed
//! rule groups and the rest let through by the default action.

use serde_json::{Value, json};

use super::ids::{self, DAY_MS, Draw, hex32};
use super::net_run::NetRun;
use super::net_times::NetTimes;
use super::options::GenerateError;
use super::schemas_net;
use super::sources::{ts, write_rows};
use super::world::{APP_HOST, CONSOLE_UA, DATA, SCANNER_IP, WEB_ACL};

const DEFAULT_ACTION: &str = "Default_Action";
const NUCLEI_UA: &str = "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)";
const SQLMAP_UA: &str = "sqlmap/1.8.4#stable (https://sqlmap.org)";

/// The scanner's requests: `(method, path, query, blocking rule group, user agent)`.
const SCAN: [(&str, &str, &str, Option<&str>, &str); 13] = [
    ("GET", "/", "", None, NUCLEI_UA),
    ("GET", "/robots.txt", "", None, NUCLEI_UA),
    (
        "GET",
        "/.env",
        "",
        Some("AWS-AWSManagedRulesKnownBadInputsRuleSet"),
        NUCLEI_UA,
    ),
    (
        "GET",
        "/.git/config",
        "",
        Some("AWS-AWSManagedRulesKnownBadInputsRuleSet"),
        NUCLEI_UA,
    ),
    ("GET", "/wp-login.php", "", None, NUCLEI_UA),
    (
        "POST",
        "/xmlrpc.php",
        "",
        Some("AWS-AWSManagedRulesWordPressRuleSet"),
        NUCLEI_UA,
    ),
    ("GET", "/admin", "", None, NUCLEI_UA),
    ("GET", "/admin/config.php", "", None, NUCLEI_UA),
    ("GET", "/phpmyadmin/index.php", "", None, NUCLEI_UA),
    ("GET", "/server-status", "", None, NUCLEI_UA),
    (
        "GET",
        "/../../etc/passwd",
        "",
        Some("AWS-AWSManagedRulesLinuxRuleSet"),
        NUCLEI_UA,
    ),
    (
        "GET",
        "/download",
        "file=../../../../etc/passwd",
        Some("AWS-AWSManagedRulesLinuxRuleSet"),
        NUCLEI_UA,
    ),
    (
        "GET",
        "/api/v1/users",
        "id=1%27%20OR%20%271%27%3D%271",
        Some("AWS-AWSManagedRulesSQLiRuleSet"),
        SQLMAP_UA,
    ),
];

/// What ordinary users of the portal request.
const PAGES: [(&str, &str, &str); 6] = [
    ("GET", "/", ""),
    ("GET", "/login", ""),
    ("POST", "/login", ""),
    ("GET", "/static/app.js", ""),
    ("GET", "/api/v1/reports", "page=1"),
    ("GET", "/api/v1/exports", "format=csv"),
];

struct Request<'a> {
    t: i64,
    ip: String,
    country: &'a str,
    method: &'a str,
    path: &'a str,
    query: &'a str,
    ua: &'a str,
    rule: Option<&'a str>,
    code: i32,
}

fn row(seed: u64, r: &Request) -> Value {
    let blocked = r.rule.is_some();
    let (action, action_id, disp, disp_id, raw) = match blocked {
        true => ("Denied", 2, "Blocked", 2, "BLOCK"),
        false => ("Allowed", 1, "Allowed", 1, "ALLOW"),
    };
    let (activity, activity_id) = match r.method {
        "POST" => ("Post", 6),
        _ => ("Get", 3),
    };
    let request_id = format!(
        "1-{:08x}-{}",
        r.t / 1000,
        &hex32(&[&seed.to_string(), "waf", &r.t.to_string(), r.path])[..24]
    );
    let url = match r.query {
        "" => format!("https://{APP_HOST}{}", r.path),
        q => format!("https://{APP_HOST}{}?{q}", r.path),
    };
    let acl = format!(
        "arn:aws:wafv2:us-east-1:{DATA}:regional/webacl/{WEB_ACL}/{}",
        ids::label_uuid(seed, "waf/acl")
    );
    json!({
        "metadata": {"product": {"version": "1.0", "name": "AWS WAF", "feature": {"name": "WAF"}, "vendor_name": "AWS"}, "uid": request_id, "profiles": ["cloud", "datetime"], "version": "1.1.0"},
        "cloud": {"account": {"uid": DATA}, "region": "us-east-1", "provider": "AWS"},
        "src_endpoint": {"ip": r.ip, "location": {"country": r.country}},
        "dst_endpoint": {"svc_name": "ALB"},
        "http_request": {"http_method": r.method, "url": {"hostname": APP_HOST, "path": r.path, "query_string": if r.query.is_empty() { Value::Null } else { json!(r.query) }, "url_string": url},
            "user_agent": r.ua, "version": "HTTP/1.1", "uid": request_id,
            "http_headers": [{"name": "host", "value": APP_HOST}, {"name": "user-agent", "value": r.ua}]},
        "http_response": {"code": r.code},
        "firewall_rule": {"uid": r.rule.unwrap_or(DEFAULT_ACTION), "type": if blocked { "MANAGED_RULE_GROUP" } else { "REGULAR" }},
        "time": r.t, "time_dt": ts(r.t),
        "severity_id": 1, "severity": "Informational",
        "class_name": "HTTP Activity", "class_uid": 4002, "category_name": "Network Activity", "category_uid": 4,
        "activity_name": activity, "activity_id": activity_id, "type_uid": 400200 + activity_id, "type_name": format!("HTTP Activity: {activity}"),
        "action": action, "action_id": action_id, "disposition": disp, "disposition_id": disp_id,
        "unmapped": {"action": raw, "terminatingRuleId": r.rule.unwrap_or(DEFAULT_ACTION), "terminatingRuleType": if blocked { "MANAGED_RULE_GROUP" } else { "REGULAR" },
            "webaclId": acl, "httpSourceName": "ALB", "httpSourceId": format!("{DATA}-app/portal-alb/{}", &hex32(&[&seed.to_string(), "waf/alb"])[..16])},
        "accountid": DATA, "region": "us-east-1", "asl_version": "2.0",
        "observables": [{"name": "src_endpoint.ip", "value": r.ip, "type": "IP Address", "type_id": 2}],
    })
}

fn background(seed: u64, day_ms: i64) -> Vec<Request<'static>> {
    let mut rng = ids::rng_for(seed, &["waf", &day_ms.to_string()]);
    (0..24)
        .map(|_| {
            // Office hours, from the company's address block.
            let t = day_ms + 7 * 3_600_000 + (rng.below(11 * 3600) as i64) * 1000;
            let (method, path, query) = *rng.pick(&PAGES);
            Request {
                t,
                ip: format!("198.51.100.{}", 100 + rng.below(40)),
                country: "US",
                method,
                path,
                query,
                ua: CONSOLE_UA,
                rule: None,
                code: 200,
            }
        })
        .collect()
}

fn scan(seed: u64, at: &NetTimes) -> Vec<Request<'static>> {
    let mut rng = ids::rng_for(seed, &["netstory", "webscan"]);
    let mut t = at.web_scan_start;
    SCAN.iter()
        .map(|(method, path, query, rule, ua)| {
            t += (2 + rng.below(7) as i64) * 1000;
            let code = match (rule, *path) {
                (Some(_), _) => 403,
                (None, "/" | "/robots.txt") => 200,
                (None, _) => 404,
            };
            Request {
                t,
                ip: SCANNER_IP.into(),
                country: "NL",
                method,
                path,
                query,
                ua,
                rule: *rule,
                code,
            }
        })
        .collect()
}

pub fn write_waf(run: &mut NetRun<'_>) -> Result<(), GenerateError> {
    let (out, pw, net) = (&mut *run.out, &mut *run.pw, &mut *run.net);
    let (seed, first_day_ms, days, story, at) = (run.seed, run.first_day_ms, run.days, run.story, run.at);
    for d in 0..days {
        let day_ms = first_day_ms + i64::from(d) * DAY_MS;
        let mut requests = background(seed, day_ms);
        if day_ms == story.day_ms {
            requests.extend(scan(seed, at));
        }
        requests.sort_by_key(|r| r.t);
        for r in requests.iter().filter(|r| r.ip == SCANNER_IP) {
            net.waf_requests += 1;
            match r.rule {
                Some(_) => net.waf_blocked += 1,
                None => net.waf_allowed += 1,
            }
            net.waf_uris.insert(r.path.to_string());
        }
        let rows: Vec<Value> = requests.iter().map(|r| row(seed, r)).collect();
        net.count("WAF/2.0", rows.len());
        write_rows(out, pw, seed, "WAF", "2.0", DATA, day_ms, schemas_net::WAF_V2, &rows)?;
    }
    Ok(())
}
