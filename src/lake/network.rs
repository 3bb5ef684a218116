//! The network side of an investigation: who an IP, instance or interface
//! talked to (VPC flows), which names were asked and what they resolved
//! to (Route 53), and which HTTP requests reached a web ACL (WAF).
//! Everything is aggregated in DuckDB; no raw flow row reaches the caller.

use duckdb::types::Value;

use super::criteria::{EventCriteria, Page};
use super::error::{LakeError, Result};
use super::findings;
use super::model::{Beyond, DnsRow, FlowRow, HttpRow, Millis, new_after_baseline};
use super::read::{count, ms, strings};
use super::records::present;
use super::records::{RecordKind, load_flow_index, query};
use super::scope::{Filter, Scope};
use super::session::Session;

/// Which flows (none: every flow of the scope, seen from its VPC side).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FlowCriteria {
    /// Flows to or from this address; peers are the other side.
    pub ip: Option<String>,
    pub instance: Option<String>,
    pub eni: Option<String>,
    /// Either port of the flow.
    pub port: Option<u16>,
    /// `accept` or `reject`.
    pub action: Option<String>,
}

/// The filter, which side of a row is the subject's, and the parameter
/// holding the subject's address (if the criteria name one).
fn flow_filter(scope: &Scope, c: &FlowCriteria) -> (Filter, String, Option<String>) {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let mut own_src = "coalesce(src_ip = local_ip, true)".to_string();
    let mut addr = None;
    if let Some(ip) = &c.ip {
        let p = f.bind_text(ip);
        f.push_any(vec![format!("src_ip = {p}"), format!("dst_ip = {p}")]);
        own_src = format!("src_ip = {p}");
        addr = Some(p);
    }
    if let Some(instance) = &c.instance {
        let p = f.bind_text(instance);
        f.push(format!("instance = {p}"));
    }
    if let Some(eni) = &c.eni {
        let p = f.bind_text(eni);
        f.push(format!("eni = {p}"));
    }
    if let Some(port) = c.port {
        let p = f.bind(Value::Int(i32::from(port)));
        f.push(format!("(src_port = {p} OR dst_port = {p})"));
    }
    if let Some(action) = &c.action {
        let p = f.bind_text(&action.to_ascii_uppercase());
        f.push(format!("action = {p}"));
    }
    (f, own_src, addr)
}

/// Conversations of the subject, most bytes first, one page at a time.
/// The side on the higher (ephemeral) port is taken to have opened the
/// connection.
pub fn flows(session: &Session, scope: &Scope, criteria: &FlowCriteria, page: Page) -> Result<Vec<FlowRow>> {
    let (mut f, own_src, addr) = flow_filter(scope, criteria);
    let limit = f.bind(Value::BigInt(page.limit.min(i64::MAX as u64) as i64));
    let offset = f.bind(Value::BigInt(page.offset.min(i64::MAX as u64) as i64));
    let tail = format!(
        "SELECT ip, peer, port, protocol, outbound, \
           sum(bytes) FILTER (own_src), sum(bytes) FILTER (NOT own_src), \
           sum(packets) FILTER (own_src), sum(packets) FILTER (NOT own_src), count(*), \
           count(*) FILTER (action = 'ACCEPT'), count(*) FILTER (action = 'REJECT'), \
           min(time_ms), max(coalesce(end_ms, time_ms)), \
           to_json(list(DISTINCT eni ORDER BY eni) FILTER (eni IS NOT NULL))::VARCHAR, \
           to_json(list(DISTINCT instance ORDER BY instance) FILTER (instance IS NOT NULL))::VARCHAR, \
           min(min(time_ms)) OVER () \
         FROM (SELECT *, CASE WHEN own_src THEN src_ip ELSE dst_ip END AS ip, \
                 CASE WHEN own_src THEN dst_ip ELSE src_ip END AS peer, \
                 least(src_port, dst_port) AS port, \
                 (CASE WHEN own_src THEN src_port ELSE dst_port END) >= greatest(src_port, dst_port) \
                   AND src_port <> dst_port AS outbound \
               FROM (SELECT *, coalesce({own_src}, false) AS own_src FROM rec \
                     WHERE src_ip IS NOT NULL OR dst_ip IS NOT NULL)) \
         GROUP BY ALL \
         ORDER BY coalesce(sum(bytes), 0) DESC, count(*) DESC, peer, port \
         LIMIT {limit} OFFSET {offset}"
    );
    let map = |r: &duckdb::Row<'_>| {
        let first = ms(r, 12)?;
        let subject_first = r.get::<_, Option<i64>>(16)?;
        Ok(FlowRow {
            ip: r.get(0)?,
            peer: r.get(1)?,
            port: r.get(2)?,
            protocol: r.get(3)?,
            direction: if r.get::<_, Option<bool>>(4)?.unwrap_or(false) {
                "outbound"
            } else {
                "inbound"
            },
            bytes_out: count(r, 5)?,
            bytes_in: count(r, 6)?,
            packets_out: count(r, 7)?,
            packets_in: count(r, 8)?,
            flows: count(r, 9)?,
            accepted: count(r, 10)?,
            rejected: count(r, 11)?,
            first_seen: first,
            last_seen: ms(r, 13)?,
            new: new_after_baseline(first, subject_first),
            enis: strings(r, 14)?,
            instances: strings(r, 15)?,
        })
    };
    match addr {
        Some(addr) => query_address(session, scope, &f, &addr, &tail, map),
        None => query(session, RecordKind::Flows, scope, &f, &tail, map),
    }
}

/// `tail` over the flows of one address: from the flow index when it is
/// written, else from the lake's files.
fn query_address<T>(
    session: &Session,
    scope: &Scope,
    f: &Filter,
    addr: &str,
    tail: &str,
    map: impl Fn(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Result<Vec<T>> {
    if let Some(index) = load_flow_index(session)? {
        let sql = format!("WITH rec AS ({})\n{tail}", index.select(addr, f));
        match session.rows(&sql, f, &map) {
            Ok(rows) => return Ok(rows),
            // It reads only the index's files: the index is damaged or was
            // removed meanwhile. Read the lake's files instead.
            Err(LakeError::Db(err)) if err.is_bad_data() => {
                tracing::warn!(problem = %err.first_line(), "flow index unreadable");
                index.discard();
            }
            Err(other) => return Err(other),
        }
    }
    query(session, RecordKind::Flows, scope, f, tail, map)
}

/// Which DNS queries (none: all of the scope).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DnsCriteria {
    /// Asked by this address.
    pub asker: Option<String>,
    /// This name (any case, with or without the final dot).
    pub name: Option<String>,
    /// Answered with this value (an IP, a CNAME target).
    pub answer: Option<String>,
    pub instance: Option<String>,
    pub vpc: Option<String>,
}

impl DnsCriteria {
    /// The queries of one hostname.
    pub fn of_name(name: &str) -> DnsCriteria {
        DnsCriteria {
            name: Some(name.to_string()),
            ..DnsCriteria::default()
        }
    }
}

/// A name typed by a user, as names are kept (lower case, no final dot).
pub fn normal_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn dns_filter(scope: &Scope, c: &DnsCriteria) -> Filter {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    if let Some(ip) = &c.asker {
        let p = f.bind_text(ip);
        f.push(format!("src_ip = {p}"));
    }
    if let Some(name) = &c.name {
        let p = f.bind_text(&normal_name(name));
        f.push(format!("hostname = {p}"));
    }
    if let Some(answer) = &c.answer {
        let p = f.bind_text(answer);
        f.push(format!("list_contains(answers, {p})"));
    }
    if let Some(instance) = &c.instance {
        let p = f.bind_text(instance);
        f.push(format!("instance = {p}"));
    }
    if let Some(vpc) = &c.vpc {
        let p = f.bind_text(vpc);
        f.push(format!("vpc = {p}"));
    }
    f
}

/// Names asked, with answers and askers, most asked first.
pub fn dns(session: &Session, scope: &Scope, criteria: &DnsCriteria, page: Page) -> Result<Vec<DnsRow>> {
    let mut f = dns_filter(scope, criteria);
    let limit = f.bind(Value::BigInt(page.limit.min(i64::MAX as u64) as i64));
    let offset = f.bind(Value::BigInt(page.offset.min(i64::MAX as u64) as i64));
    let tail = format!(
        "SELECT hostname, qtype, rcode, \
           to_json(list_sort(list_distinct(flatten(list(answers)))))::VARCHAR, \
           to_json(list(DISTINCT src_ip ORDER BY src_ip) FILTER (src_ip IS NOT NULL))::VARCHAR, \
           count(*), min(time_ms), max(time_ms), min(min(time_ms)) OVER () \
         FROM rec GROUP BY ALL ORDER BY count(*) DESC, hostname, qtype, rcode \
         LIMIT {limit} OFFSET {offset}"
    );
    query(session, RecordKind::Dns, scope, &f, &tail, |r| {
        let first = ms(r, 6)?;
        let subject_first = r.get::<_, Option<i64>>(8)?;
        Ok(DnsRow {
            name: r.get(0)?,
            qtype: r.get(1)?,
            rcode: r.get(2)?,
            answers: strings(r, 3)?,
            askers: strings(r, 4)?,
            queries: count(r, 5)?,
            first_seen: first,
            last_seen: ms(r, 7)?,
            new: new_after_baseline(first, subject_first),
        })
    })
}

/// Who asked for a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DnsAsker {
    pub ip: Option<String>,
    pub instance: Option<String>,
    pub vpc: Option<String>,
    pub account: Option<String>,
    pub queries: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

/// A hostname as an entity: what it resolved to and who asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameReport {
    pub name: String,
    pub queries: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    pub resolutions: Vec<DnsRow>,
    pub askers: Vec<DnsAsker>,
}

pub fn name_report(session: &Session, scope: &Scope, name: &str) -> Result<NameReport> {
    let criteria = DnsCriteria::of_name(name);
    let all = Page { limit: 1000, offset: 0 };
    let resolutions = dns(session, scope, &criteria, all)?;
    let f = dns_filter(scope, &criteria);
    let askers = query(
        session,
        RecordKind::Dns,
        scope,
        &f,
        // min, not any_value: the same asker reads the same on every run and engine.
        "SELECT src_ip, min(instance), min(vpc), min(account), count(*), min(time_ms), \
         max(time_ms) FROM rec GROUP BY src_ip ORDER BY count(*) DESC, src_ip",
        |r| {
            Ok(DnsAsker {
                ip: r.get(0)?,
                instance: r.get(1)?,
                vpc: r.get(2)?,
                account: r.get(3)?,
                queries: count(r, 4)?,
                first_seen: ms(r, 5)?,
                last_seen: ms(r, 6)?,
            })
        },
    )?;
    Ok(NameReport {
        name: normal_name(name),
        queries: askers.iter().map(|a| a.queries).sum(),
        first_seen: askers.iter().filter_map(|a| a.first_seen).min(),
        last_seen: askers.iter().filter_map(|a| a.last_seen).max(),
        resolutions,
        askers,
    })
}

/// Requests (of `client_ip`, or all), most frequent first.
pub fn http(session: &Session, scope: &Scope, client_ip: Option<&str>, page: Page) -> Result<Vec<HttpRow>> {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    if let Some(ip) = client_ip {
        let p = f.bind_text(ip);
        f.push(format!("client_ip = {p}"));
    }
    let limit = f.bind(Value::BigInt(page.limit.min(i64::MAX as u64) as i64));
    let offset = f.bind(Value::BigInt(page.offset.min(i64::MAX as u64) as i64));
    let tail = format!(
        "SELECT client_ip, method, host, path, action, rule, count(*), min(time_ms), max(time_ms) \
         FROM rec GROUP BY ALL ORDER BY count(*) DESC, min(time_ms), client_ip, path \
         LIMIT {limit} OFFSET {offset}"
    );
    query(session, RecordKind::Http, scope, &f, &tail, |r| {
        Ok(HttpRow {
            client_ip: r.get(0)?,
            method: r.get(1)?,
            host: r.get(2)?,
            path: r.get(3)?,
            action: r.get(4)?,
            rule: r.get(5)?,
            requests: count(r, 6)?,
            first_seen: ms(r, 7)?,
            last_seen: ms(r, 8)?,
        })
    })
}

/// What a section may name: the subjects of the workbench's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    Ip(&'a str),
    Key(&'a str),
    Actor(&'a str),
    Resource(&'a str),
}

/// Rows per section in a report (the full lists are a command away).
const SECTION_ROWS: u64 = 50;

/// The instance (`i-…`) or interface (`eni-…`) a resource id names.
fn network_resource(id: &str) -> Option<FlowCriteria> {
    let last = id.rsplit(['/', ':']).next().unwrap_or(id);
    if last.starts_with("i-") {
        Some(FlowCriteria {
            instance: Some(last.to_string()),
            ..FlowCriteria::default()
        })
    } else if last.starts_with("eni-") {
        Some(FlowCriteria {
            eni: Some(last.to_string()),
            ..FlowCriteria::default()
        })
    } else {
        None
    }
}

/// The VPC (`vpc-…`) a resource id names.
fn vpc_of(id: &str) -> Option<String> {
    let last = id.rsplit(['/', ':']).next().unwrap_or(id);
    last.starts_with("vpc-").then(|| last.to_string())
}

/// The findings, flows, DNS and HTTP sections of a subject's report.
/// Kinds the lake does not hold are not asked.
pub fn beyond(session: &Session, scope: &Scope, subject: Subject<'_>) -> Result<Beyond> {
    let page = Page {
        limit: SECTION_ROWS,
        offset: 0,
    };
    let mut out = Beyond::default();
    let named = match subject {
        Subject::Ip(v) | Subject::Key(v) | Subject::Actor(v) | Subject::Resource(v) => v,
    };
    if present(session, RecordKind::Findings)? {
        out.findings = findings::naming(session, scope, named)?;
    }
    let flows_of = match subject {
        Subject::Ip(ip) => Some(FlowCriteria {
            ip: Some(ip.to_string()),
            ..FlowCriteria::default()
        }),
        Subject::Resource(id) => network_resource(id),
        _ => None,
    };
    if let Some(criteria) = &flows_of
        && present(session, RecordKind::Flows)?
    {
        out.network = flows(session, scope, criteria, page)?;
    }
    if present(session, RecordKind::Dns)? {
        let asked = match (subject, &flows_of) {
            (Subject::Ip(ip), _) => Some(DnsCriteria {
                asker: Some(ip.to_string()),
                ..DnsCriteria::default()
            }),
            (Subject::Resource(_), Some(FlowCriteria { instance: Some(i), .. })) => Some(DnsCriteria {
                instance: Some(i.clone()),
                ..DnsCriteria::default()
            }),
            (Subject::Resource(id), _) => vpc_of(id).map(|vpc| DnsCriteria {
                vpc: Some(vpc),
                ..DnsCriteria::default()
            }),
            _ => None,
        };
        if let Some(criteria) = asked {
            out.dns = dns(session, scope, &criteria, page)?;
        }
        if let Subject::Ip(ip) = subject {
            let criteria = DnsCriteria {
                answer: Some(ip.to_string()),
                ..DnsCriteria::default()
            };
            out.resolved_from = dns(session, scope, &criteria, page)?;
        }
    }
    if let Subject::Ip(ip) = subject
        && present(session, RecordKind::Http)?
    {
        out.http = http(session, scope, Some(ip), page)?;
    }
    Ok(out)
}

/// A minute of one record kind: (minute start, lane, records, failures
/// (rejected flows, failed lookups, blocked requests, high findings),
/// first and last time).
pub(crate) type MinuteCount = (i64, String, u64, u64, i64, i64);

/// The subject's flows, DNS, HTTP and findings per minute, for a timeline
/// with lanes by source. Only kinds the criteria can name are counted: an
/// IP has all four, an instance or interface flows, DNS and findings, an
/// actor or key findings.
pub(crate) fn minute_counts(session: &Session, scope: &Scope, c: &EventCriteria) -> Result<Vec<MinuteCount>> {
    let per_minute = |lane: &str, failures: &str| {
        format!(
            "SELECT (time_ms // 60000) * 60000, '{lane}', count(*), count(*) FILTER ({failures}), \
             min(time_ms), max(time_ms) FROM rec WHERE time_ms IS NOT NULL GROUP BY 1"
        )
    };
    let map = |r: &duckdb::Row<'_>| Ok((r.get(0)?, r.get(1)?, count(r, 2)?, count(r, 3)?, r.get(4)?, r.get(5)?));
    let resource = c.resource.as_deref().and_then(network_resource);
    let mut out = Vec::new();
    let flow_criteria = match (&c.ip, &resource) {
        (Some(ip), _) => Some(FlowCriteria {
            ip: Some(ip.clone()),
            ..FlowCriteria::default()
        }),
        (None, Some(r)) => Some(r.clone()),
        _ => None,
    };
    if let Some(criteria) = flow_criteria
        && present(session, RecordKind::Flows)?
    {
        let (f, _, addr) = flow_filter(scope, &criteria);
        let tail = per_minute("flows", "action = 'REJECT'");
        out.extend(match addr {
            Some(addr) => query_address(session, scope, &f, &addr, &tail, map)?,
            None => query(session, RecordKind::Flows, scope, &f, &tail, map)?,
        });
    }
    let mut dns_filter_of = None;
    if let Some(ip) = &c.ip {
        let mut f = Filter::default();
        scope.restrict(&mut f);
        let p = f.bind_text(ip);
        f.push_any(vec![format!("src_ip = {p}"), format!("list_contains(answers, {p})")]);
        dns_filter_of = Some(f);
    } else if let Some(FlowCriteria { instance: Some(i), .. }) = &resource {
        dns_filter_of = Some(dns_filter(
            scope,
            &DnsCriteria {
                instance: Some(i.clone()),
                ..DnsCriteria::default()
            },
        ));
    }
    if let Some(f) = dns_filter_of
        && present(session, RecordKind::Dns)?
    {
        let tail = per_minute("DNS", "coalesce(rcode, '') NOT IN ('NoError', 'NOERROR')");
        out.extend(query(session, RecordKind::Dns, scope, &f, &tail, map)?);
    }
    if let Some(ip) = &c.ip
        && present(session, RecordKind::Http)?
    {
        let mut f = Filter::default();
        scope.restrict(&mut f);
        let p = f.bind_text(ip);
        f.push(format!("client_ip = {p}"));
        let tail = per_minute("HTTP", "action = 'BLOCK'");
        out.extend(query(session, RecordKind::Http, scope, &f, &tail, map)?);
    }
    let named =
        c.ip.as_ref()
            .or(c.key.as_ref())
            .or(c.actor.as_ref())
            .or(c.resource.as_ref());
    if let Some(named) = named
        && present(session, RecordKind::Findings)?
    {
        let criteria = findings::FindingCriteria {
            names: Some(named.clone()),
            ..findings::FindingCriteria::default()
        };
        let (f, kind) = (findings::filter(scope, &criteria), RecordKind::Findings);
        let tail = per_minute("findings", "severity_id >= 4");
        out.extend(query(session, kind, scope, &f, &tail, map)?);
    }
    Ok(out)
}
