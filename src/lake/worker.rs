//! Queries off the caller's thread: each query gets an id, the reply
//! carries it back (so a caller can drop replies for a view it has left),
//! and the running query can be cancelled through DuckDB's interrupt.
//! Dropping the worker cancels its query and stops its thread.
//!
//! A [`Query<T>`] is typed: its reply holds a `T`, which only the caller
//! that submitted it (matched by id) takes back out with [`Reply::take`].

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::catalog::{self, PartitionCount, SourceRow};
use super::config::{self, ConfigTarget, ResourceConfig};
use super::criteria::{EventCriteria, Page};
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::findings::{self, FindingCriteria, FindingDetail};
use super::handle::Lake;
use super::hunts::{self, Hunt, HuntReport};
use super::model::*;
use super::network::{self, FlowCriteria, NameReport};
use super::scope::Scope;
use super::session::{Interrupt, Session};
use super::timeline::{self, Timeline, TimelineQuery};
use super::{events, pivots};

type Run<T> = Box<dyn FnOnce(&Session) -> Result<T> + Send>;

/// A question for the engine: a few words for the status bar, and the
/// work, run on the worker's session.
pub struct Query<T> {
    what: String,
    run: Run<T>,
}

impl<T: Send + 'static> Query<T> {
    pub fn new(what: impl Into<String>, run: impl FnOnce(&Session) -> Result<T> + Send + 'static) -> Query<T> {
        Query {
            what: what.into(),
            run: Box::new(run),
        }
    }

    /// A few words for a status bar.
    pub fn describe(&self) -> &str {
        &self.what
    }

    /// The same query with its answer turned into something else (on the worker).
    pub fn map<U: Send + 'static>(self, f: impl FnOnce(T) -> U + Send + 'static) -> Query<U> {
        let run = self.run;
        Query::new(self.what, move |session: &Session| run(session).map(f))
    }
}

impl<T> std::fmt::Debug for Query<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

impl Query<Vec<SourceRow>> {
    pub fn sources(scope: Scope) -> Self {
        Query::new("counting sources", move |s: &Session| catalog::sources(s, &scope))
    }
}

impl Query<Vec<ActorRow>> {
    pub fn actors(scope: Scope, search: Option<String>) -> Self {
        Query::new("listing actors", move |s: &Session| {
            pivots::actors(s, &scope, search.as_deref())
        })
    }
}

impl Query<Option<Dossier>> {
    pub fn dossier(scope: Scope, arn: String) -> Self {
        Query::new(format!("dossier of {arn}"), move |s: &Session| {
            pivots::actor(s, &scope, &arn)
        })
    }
}

impl Query<Option<(Dossier, HuntReport)>> {
    /// A dossier with the hunts (built-in and the user's) its actor triggered.
    pub fn dossier_with_hunts(scope: Scope, arn: String) -> Self {
        Query::new(format!("dossier of {arn}"), move |s: &Session| {
            let Some(dossier) = pivots::actor(s, &scope, &arn)? else {
                return Ok(None);
            };
            let book = hunts::library::load_users();
            let hits = hunts::run_for(s, &scope, &book.hunts, Some(&arn))?;
            Ok(Some((dossier, hits)))
        })
    }
}

impl Query<IpReport> {
    pub fn ip(scope: Scope, ip: String) -> Self {
        Query::new(format!("pivot from IP {ip}"), move |s: &Session| {
            pivots::ip(s, &scope, &ip)
        })
    }
}

impl Query<KeyReport> {
    pub fn key(scope: Scope, key: String) -> Self {
        Query::new(format!("pivot from key {key}"), move |s: &Session| {
            pivots::key(s, &scope, &key)
        })
    }
}

impl Query<ResourceReport> {
    pub fn resource(scope: Scope, id: String) -> Self {
        Query::new(format!("pivot from resource {id}"), move |s: &Session| {
            pivots::resource(s, &scope, &id)
        })
    }
}

impl Query<Vec<EventRow>> {
    pub fn events(scope: Scope, criteria: EventCriteria, page: Page) -> Self {
        Query::new("loading events", move |s: &Session| {
            events::events(s, &scope, &criteria, page)
        })
    }
}

impl Query<Vec<PartitionCount>> {
    /// Events per account, region and day: the partitions tree's counts.
    pub fn partition_counts(scope: Scope) -> Self {
        Query::new("counting partitions", move |s: &Session| {
            catalog::partition_counts(s, &scope)
        })
    }
}

impl Query<Vec<serde_json::Value>> {
    pub fn sql(scope: Scope, sql: String) -> Self {
        Query::new("running SQL", move |s: &Session| events::sql(s, &scope, &sql))
    }
}

impl Query<Timeline> {
    pub fn timeline(scope: Scope, query: TimelineQuery) -> Self {
        Query::new("counting the timeline", move |s: &Session| {
            timeline::timeline(s, &scope, &query)
        })
    }
}

impl Query<Option<serde_json::Value>> {
    /// The original record of one event (from an `EventRow`'s file and id).
    pub fn event(source_file: String, event_uid: String) -> Self {
        Query::new(format!("reading event {event_uid}"), move |s: &Session| {
            events::event_detail(s, &source_file, &event_uid)
        })
    }
}

impl Query<ResourceConfig> {
    /// A resource's AWS Config history, causing events and graph.
    pub fn config(target: ConfigTarget) -> Self {
        Query::new(format!("AWS Config of {}", target.label()), move |s: &Session| {
            config::config_view(s, &target)
        })
    }
}

impl Query<Vec<FindingRow>> {
    /// Findings, most severe and newest first.
    pub fn findings(scope: Scope, criteria: FindingCriteria) -> Self {
        Query::new("listing findings", move |s: &Session| {
            findings::findings(s, &scope, &criteria)
        })
    }
}

impl Query<Option<FindingDetail>> {
    /// One finding with its original record.
    pub fn finding(id: String) -> Self {
        Query::new(format!("reading finding {id}"), move |s: &Session| {
            findings::finding(s, &id)
        })
    }
}

impl Query<Vec<FlowRow>> {
    /// Conversations (flows aggregated by peer and port), a page at a time.
    pub fn flows(scope: Scope, criteria: FlowCriteria, page: Page) -> Self {
        Query::new("aggregating flows", move |s: &Session| {
            network::flows(s, &scope, &criteria, page)
        })
    }
}

impl Query<NameReport> {
    /// A hostname: what it resolved to and who asked.
    pub fn name(scope: Scope, name: String) -> Self {
        Query::new(format!("DNS of {name}"), move |s: &Session| {
            network::name_report(s, &scope, &name)
        })
    }
}

impl Query<HuntReport> {
    /// Hunts over the scope, all in one pass (cancellable like any query).
    pub fn hunts(scope: Scope, hunts: Vec<Hunt>) -> Self {
        Query::new(format!("running {} hunts", hunts.len()), move |s: &Session| {
            hunts::run(s, &scope, &hunts)
        })
    }
}

/// A finished query. Its answer is typed by the query; [`Reply::take`]
/// gives it back to whoever knows that type (the one who submitted it).
#[derive(Debug)]
pub struct Reply {
    pub id: u64,
    /// The query's [`Query::describe`].
    pub what: String,
    pub result: Result<Box<dyn Any + Send>>,
    pub elapsed: Duration,
}

impl Reply {
    /// The answer as the type its query returned.
    pub fn take<T: 'static>(self) -> Result<T> {
        let answer = self.result?;
        answer.downcast::<T>().map(|b| *b).map_err(|_| {
            LakeError::Db(DbError::new(
                DbErrorKind::Sql,
                "a reply of another type than its query's",
            ))
        })
    }
}

/// The query being computed, for "what is running and for how long".
#[derive(Debug, Clone)]
pub struct Running {
    pub id: u64,
    pub what: String,
    pub since: Instant,
}

struct Job {
    id: u64,
    what: String,
    run: Run<Box<dyn Any + Send>>,
}

pub struct QueryWorker {
    jobs: Option<Sender<Job>>,
    replies: Receiver<Reply>,
    interrupt: Arc<Interrupt>,
    running: Arc<Mutex<Option<Running>>>,
    /// Queries with an id up to this one are cancelled (0: none).
    cancel_id: Arc<AtomicU64>,
    next_id: u64,
    thread: Option<JoinHandle<()>>,
}

impl QueryWorker {
    pub fn spawn(lake: &Lake) -> Result<QueryWorker> {
        let session = lake.session()?;
        let interrupt = session.interrupt_handle();
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (reply_tx, replies) = mpsc::channel();
        let running = Arc::new(Mutex::new(None));
        let shared = running.clone();
        let cancel_id = Arc::new(AtomicU64::new(0));
        let cancelled = cancel_id.clone();
        let thread = std::thread::Builder::new()
            .name("lakescope-query".into())
            .spawn(move || {
                for job in job_rx {
                    let started = Instant::now();
                    if let Ok(mut r) = shared.lock() {
                        *r = Some(Running {
                            id: job.id,
                            what: job.what.clone(),
                            since: started,
                        });
                    }
                    let result = if job.id <= cancelled.load(Ordering::SeqCst) {
                        Err(LakeError::Cancelled)
                    } else {
                        (job.run)(&session)
                    };
                    if let Ok(mut r) = shared.lock() {
                        *r = None;
                    }
                    let reply = Reply {
                        id: job.id,
                        what: job.what,
                        result,
                        elapsed: started.elapsed(),
                    };
                    if reply_tx.send(reply).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| {
                LakeError::Db(DbError::new(
                    DbErrorKind::Resources,
                    format!("cannot start the query thread: {e}"),
                ))
            })?;
        Ok(QueryWorker {
            jobs: Some(jobs),
            replies,
            interrupt,
            running,
            cancel_id,
            next_id: 0,
            thread: Some(thread),
        })
    }

    /// Queue a query; returns its id.
    pub fn submit<T: Send + 'static>(&mut self, query: Query<T>) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        let run = query.run;
        let job = Job {
            id,
            what: query.what,
            run: Box::new(move |session: &Session| run(session).map(|t| Box::new(t) as Box<dyn Any + Send>)),
        };
        if let Some(jobs) = &self.jobs {
            // A send error means the thread ended; the caller sees no reply.
            let _ = jobs.send(job);
        }
        id
    }

    /// Interrupt the query being computed (its reply is `Cancelled`).
    /// DuckDB forgets an interrupt that arrives just before a query begins,
    /// so the query stays marked and [`QueryWorker::poll`] repeats it.
    pub fn cancel(&self) {
        if let Some(running) = self.running() {
            self.cancel_id.fetch_max(running.id, Ordering::SeqCst);
            self.interrupt.interrupt();
        }
    }

    /// Cancel the running query and discard every queued one (the user
    /// left the view they were for).
    pub fn cancel_all(&self) {
        self.cancel_id.fetch_max(self.next_id, Ordering::SeqCst);
        if self.running().is_some() {
            self.interrupt.interrupt();
        }
    }

    /// Call regularly (each UI tick): re-sends a cancel that did not land yet.
    pub fn poll(&self) {
        let upto = self.cancel_id.load(Ordering::SeqCst);
        if self.running().is_some_and(|r| r.id <= upto) {
            self.interrupt.interrupt();
        }
    }

    pub fn running(&self) -> Option<Running> {
        self.running.lock().ok().and_then(|r| r.clone())
    }

    /// A finished reply, if any, without waiting.
    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Wait for the next reply (tests and headless use).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Reply> {
        self.replies.recv_timeout(timeout).ok()
    }
}

impl Drop for QueryWorker {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            // Interrupt until the thread is gone (see `cancel` for why once is not enough).
            while !thread.is_finished() {
                self.interrupt.interrupt();
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = thread.join();
        }
    }
}
