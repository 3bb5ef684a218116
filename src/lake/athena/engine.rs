//! Athena as the workbench's engine: the pages with an Athena form ask it
//! on the query worker (cancelled by the worker's cancel, which stops the
//! query on Athena), their answers turned into the engine's own rows, and
//! what each answer cost kept for the status bar. The cost guard runs
//! first: a question bounded by no day, or whose partitions hold more than
//! the limit, is refused until allowed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::answer::{self, Sections};
use super::run::{Answer, QueryStats, Runner};
use super::{Question, ReportKind, Tables, dns, findings, flows, timelines};
use crate::lake::criteria::{EventCriteria, Page};
use crate::lake::error::{LakeError, Result};
use crate::lake::model::*;
use crate::lake::network::{FlowCriteria, NameReport};
use crate::lake::scope::{Scope, day_string};
use crate::lake::session::Session;
use crate::lake::timeline::{Timeline, TimelineQuery};
use crate::lake::worker::Query;
use crate::sync::{ClientOptions, Filter, plan};

/// The Security Lake source the Athena questions read.
pub const SOURCE: &str = "CLOUD_TRAIL_MGMT";

/// What one answer cost: its queries, data scanned and list price.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Spent {
    pub queries: Vec<QueryStats>,
}

impl Spent {
    pub fn bytes(&self) -> i64 {
        self.queries.iter().map(|q| q.data_scanned_bytes).sum()
    }

    pub fn cost_usd(&self) -> f64 {
        self.queries.iter().map(|q| q.cost_usd).sum()
    }
}

pub struct Engine {
    pub runner: Runner,
    pub tables: Tables,
    /// The bucket behind the tables, to measure the partitions in scope.
    pub lake_bucket: Option<String>,
    /// The most the partitions in scope may hold before asking first.
    pub max_scan: u64,
    /// Questions with no day bound or over `max_scan` run anyway.
    pub allow: AtomicBool,
    spent: Mutex<Option<Spent>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("database", &self.tables.database())
            .finish_non_exhaustive()
    }
}

/// `500MB`, `100GB`, `2TB`, `1.5GB` or bytes; units of 1024, as sizes are printed.
pub fn parse_size(text: &str) -> Result<u64> {
    let bad = || LakeError::InvalidInput {
        what: "size",
        detail: format!("{text}: a size such as 500MB, 100GB or 2TB"),
    };
    let t = text.trim().to_ascii_uppercase();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    Ok((value * (1u64 << shift) as f64) as u64)
}

/// A size as the status bar and stderr say it.
pub fn bytes_text(n: i64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.2} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n => format!("{n} bytes"),
    }
}

/// The source folder a question reads, as `sync` names it: Security
/// Lake's CloudTrail (or VPC flow) source, or an org trail's `CloudTrail`
/// folders.
pub fn source(tables: &Tables, question: &Question) -> &'static str {
    match (question, &tables.trail) {
        (Question::Flows(..), _) => flows::SOURCE,
        (Question::Dns(..) | Question::Name(_), _) => dns::SOURCE,
        (Question::Findings(_), _) => findings::SOURCE,
        (_, Some(_)) => "CloudTrail",
        (_, None) => SOURCE,
    }
}

/// Files and bytes of the partitions in scope in the bucket at `url`: the
/// source's partition folders (of the versions read), a day either side of
/// the time bounds (as the statements' partition predicates).
pub fn measure(
    url: &str,
    clients: &ClientOptions,
    scope: &Scope,
    tables: &Tables,
    source: &str,
) -> Result<(usize, u64)> {
    let (bucket, root) = plan::parse_s3_url(url).map_err(|e| LakeError::Athena(e.to_string()))?;
    let day = |ms: Option<i64>, shift: i64| {
        ms.and_then(|ms| day_string(ms, shift))
            .and_then(|d| plan::parse_day(&d).ok())
    };
    let filter = Filter {
        sources: vec![source.into()],
        accounts: scope.accounts.clone(),
        regions: scope.regions.clone(),
        from_day: day(scope.from_ms, -1),
        to_day: day(scope.to_ms.map(|t| t - 1), 1),
    };
    // Partition folders only: an Iceberg table's `metadata/` is not data.
    let prefixes: Vec<String> = match tables.trail {
        Some(_) => vec!["AWSLogs/".into()],
        None => tables
            .versions
            .iter()
            .map(|v| format!("aws/{source}/{}/region=", v.suffix().replace('_', ".")))
            .collect(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| LakeError::Thread { what: "S3", source })?;
    runtime.block_on(async {
        let config = crate::sync::client::load(clients).await;
        let s3 = crate::sync::client::s3(&config, clients);
        crate::sync::measure(&s3, &bucket, &root, &filter, &prefixes, 16)
            .await
            .map_err(|e| LakeError::Athena(format!("cannot measure the partitions in scope in {url}: {e}")))
    })
}

impl Engine {
    pub fn new(runner: Runner, tables: Tables, lake_bucket: Option<String>, max_scan: u64, allow: bool) -> Engine {
        Engine {
            runner,
            tables,
            lake_bucket,
            max_scan,
            allow: AtomicBool::new(allow),
            spent: Mutex::new(None),
        }
    }

    /// What the last answer cost (taken: each answer is said once).
    pub fn take_spent(&self) -> Option<Spent> {
        self.spent.lock().ok().and_then(|mut s| s.take())
    }

    /// The cost guard: refuses a question bounded by no day, or whose
    /// partitions of `source` (measured in the bucket) hold more than the limit.
    pub fn guard(&self, scope: &Scope, source: &str) -> Result<()> {
        if self.allow.load(Ordering::Relaxed) {
            return Ok(());
        }
        let allow = "allow it with --yes (in the workbench `:athena yes`)";
        if scope.from_ms.is_none() || scope.to_ms.is_none() {
            return Err(LakeError::Athena(format!(
                "not sent: the scope is bounded by no day, so every partition would be scanned \
                 and billed; set a time range, or {allow}"
            )));
        }
        if let Some(url) = &self.lake_bucket {
            let (_, size) = measure(url, &self.runner.client, scope, &self.tables, source)?;
            if size > self.max_scan {
                return Err(LakeError::Athena(format!(
                    "not sent: the partitions in scope hold {}, more than the {} allowed; \
                     narrow the scope, or {allow}",
                    bytes_text(size as i64),
                    bytes_text(self.max_scan as i64)
                )));
            }
        }
        Ok(())
    }

    /// Run `statements` in turn; the worker's cancel stops the one running
    /// on Athena. What they cost is kept, even for a failed answer.
    fn run(&self, session: &Session, statements: Vec<super::Statement>) -> Result<Vec<(&'static str, Answer)>> {
        let cancel = session.fresh_cancel();
        let mut spent = Spent::default();
        let mut answers = Vec::new();
        let mut outcome = Ok(());
        for statement in statements {
            match self.runner.run(&statement.sql, cancel) {
                Ok(answer) => {
                    spent.queries.push(answer.stats.clone());
                    answers.push((statement.section, answer));
                }
                Err(err) => {
                    outcome = Err(err);
                    break;
                }
            }
        }
        if let Ok(mut kept) = self.spent.lock() {
            *kept = Some(spent);
        }
        outcome.map(|()| answers)
    }

    fn ask(&self, session: &Session, scope: &Scope, question: &Question) -> Result<Vec<(&'static str, Answer)>> {
        self.guard(scope, source(&self.tables, question))?;
        self.run(session, super::statements(&self.tables, scope, question)?)
    }

    fn single(&self, session: &Session, scope: &Scope, question: &Question) -> Result<Answer> {
        self.ask(session, scope, question)?
            .pop()
            .map(|(_, a)| a)
            .ok_or_else(|| LakeError::Athena("no answer".into()))
    }

    fn report(&self, session: &Session, scope: &Scope, kind: ReportKind, id: &str) -> Result<Sections> {
        let question = Question::Report(kind, id.to_string());
        Ok(Sections(self.ask(session, scope, &question)?))
    }

    /// Minute counts (with lanes, when asked) of the events, drawn as a local timeline.
    fn timeline(&self, session: &Session, scope: &Scope, query: &TimelineQuery) -> Result<Timeline> {
        let asked = timelines::ask(&self.tables, scope, query)?;
        self.guard(&asked.guarded, source(&self.tables, &asked.question))?;
        let answers = Sections(self.run(session, asked.statements)?);
        timelines::draw(&asked.shown, query, &answers)
    }
}

/// The workbench's queries answered by Athena.
pub fn actors(engine: Arc<Engine>, scope: Scope) -> Query<Vec<ActorRow>> {
    Query::new("listing actors on Athena", move |s: &Session| {
        answer::actors(&engine.single(s, &scope, &Question::Actors)?)
    })
}

pub fn events(engine: Arc<Engine>, scope: Scope, criteria: EventCriteria, page: Page) -> Query<Vec<EventRow>> {
    Query::new("loading events on Athena", move |s: &Session| {
        answer::events(&engine.single(s, &scope, &Question::Events(criteria, page))?)
    })
}

pub fn timeline(engine: Arc<Engine>, scope: Scope, query: TimelineQuery) -> Query<Timeline> {
    Query::new("timeline on Athena", move |s: &Session| {
        engine.timeline(s, &scope, &query)
    })
}

pub fn flows(engine: Arc<Engine>, scope: Scope, criteria: FlowCriteria, page: Page) -> Query<Vec<FlowRow>> {
    Query::new("loading flows on Athena", move |s: &Session| {
        answer::flows(&engine.single(s, &scope, &Question::Flows(criteria, page))?)
    })
}

pub fn name(engine: Arc<Engine>, scope: Scope, name: String) -> Query<NameReport> {
    Query::new(format!("hostname {name} on Athena"), move |s: &Session| {
        let question = Question::Name(name.clone());
        Sections(engine.ask(s, &scope, &question)?).name(&name)
    })
}

pub fn findings(
    engine: Arc<Engine>,
    scope: Scope,
    criteria: crate::lake::findings::FindingCriteria,
) -> Query<Vec<FindingRow>> {
    Query::new("listing findings on Athena", move |s: &Session| {
        answer::findings(&engine.single(s, &scope, &Question::Findings(criteria))?)
    })
}

pub fn dossier(engine: Arc<Engine>, scope: Scope, arn: String) -> Query<Option<Dossier>> {
    Query::new(format!("dossier of {arn} on Athena"), move |s: &Session| {
        engine.report(s, &scope, ReportKind::Actor, &arn)?.dossier(&arn)
    })
}

pub fn ip(engine: Arc<Engine>, scope: Scope, ip: String) -> Query<IpReport> {
    Query::new(format!("pivot from IP {ip} on Athena"), move |s: &Session| {
        engine.report(s, &scope, ReportKind::Ip, &ip)?.ip(&ip)
    })
}

pub fn key(engine: Arc<Engine>, scope: Scope, key: String) -> Query<KeyReport> {
    Query::new(format!("pivot from key {key} on Athena"), move |s: &Session| {
        engine.report(s, &scope, ReportKind::Key, &key)?.key(&key)
    })
}

pub fn resource(engine: Arc<Engine>, scope: Scope, id: String) -> Query<ResourceReport> {
    Query::new(format!("pivot from resource {id} on Athena"), move |s: &Session| {
        engine.report(s, &scope, ReportKind::Resource, &id)?.resource(&id)
    })
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100GB").unwrap(), 100 << 30);
        assert_eq!(parse_size("500mb").unwrap(), 500 << 20);
        assert_eq!(parse_size("2 TiB").unwrap(), 2 << 40);
        assert_eq!(parse_size("1.5G").unwrap(), 3 << 29);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("10PB").is_err());
    }
}
