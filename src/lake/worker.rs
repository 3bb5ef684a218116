//! Queries off the caller's thread: each request gets an id, the reply
//! carries it back (so a caller can drop replies for a view it has left),
//! and the running query can be cancelled through DuckDB's interrupt.
//! Dropping the worker cancels its query and stops its thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use duckdb::InterruptHandle;

use super::catalog::{self, SourceRow};
use super::criteria::{EventCriteria, Page};
use super::error::{DbError, DbErrorKind, LakeError, Result};
use super::handle::Lake;
use super::model::*;
use super::scope::Scope;
use super::session::Session;
use super::timeline::{self, Timeline, TimelineQuery};
use super::{config, events, pivots};

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Sources(Scope),
    Actors {
        scope: Scope,
        search: Option<String>,
    },
    Actor {
        scope: Scope,
        arn: String,
    },
    Ip {
        scope: Scope,
        ip: String,
    },
    Key {
        scope: Scope,
        key: String,
    },
    Resource {
        scope: Scope,
        id: String,
    },
    Events {
        scope: Scope,
        criteria: EventCriteria,
        page: Page,
    },
    Sql {
        scope: Scope,
        sql: String,
    },
    Timeline {
        scope: Scope,
        query: TimelineQuery,
    },
    /// The original record of one event (from an `EventRow`'s file and id).
    Event {
        source_file: String,
        event_uid: String,
    },
    /// A resource's AWS Config history, causing events and graph.
    Config(config::ConfigTarget),
}

impl Request {
    /// A few words for a status bar.
    pub fn describe(&self) -> String {
        match self {
            Request::Sources(_) => "counting sources".into(),
            Request::Actors { .. } => "listing actors".into(),
            Request::Actor { arn, .. } => format!("dossier of {arn}"),
            Request::Ip { ip, .. } => format!("pivot from IP {ip}"),
            Request::Key { key, .. } => format!("pivot from key {key}"),
            Request::Resource { id, .. } => format!("pivot from resource {id}"),
            Request::Events { .. } => "loading events".into(),
            Request::Sql { .. } => "running SQL".into(),
            Request::Timeline { .. } => "counting the timeline".into(),
            Request::Event { event_uid, .. } => format!("reading event {event_uid}"),
            Request::Config(target) => format!("AWS Config of {}", target.label()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Sources(Vec<SourceRow>),
    Actors(Vec<ActorRow>),
    Dossier(Option<Dossier>),
    Ip(IpReport),
    Key(KeyReport),
    Resource(ResourceReport),
    Events(Vec<EventRow>),
    Table(Vec<serde_json::Value>),
    Record(Option<serde_json::Value>),
    Timeline(Timeline),
    Config(Box<config::ResourceConfig>),
}

#[derive(Debug)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Response>,
    pub elapsed: Duration,
}

/// The request being computed, for "what is running and for how long".
#[derive(Debug, Clone)]
pub struct Running {
    pub id: u64,
    pub what: String,
    pub since: Instant,
}

pub struct QueryWorker {
    jobs: Option<Sender<(u64, Request)>>,
    replies: Receiver<Reply>,
    interrupt: Arc<InterruptHandle>,
    running: Arc<Mutex<Option<Running>>>,
    /// Requests with an id up to this one are cancelled (0: none).
    cancel_id: Arc<AtomicU64>,
    next_id: u64,
    thread: Option<JoinHandle<()>>,
}

impl QueryWorker {
    pub fn spawn(lake: &Lake) -> Result<QueryWorker> {
        let session = lake.session()?;
        let interrupt = session.interrupt_handle();
        let (jobs, job_rx) = mpsc::channel::<(u64, Request)>();
        let (reply_tx, replies) = mpsc::channel();
        let running = Arc::new(Mutex::new(None));
        let shared = running.clone();
        let cancel_id = Arc::new(AtomicU64::new(0));
        let cancelled = cancel_id.clone();
        let thread = std::thread::Builder::new()
            .name("lakescope-query".into())
            .spawn(move || {
                for (id, request) in job_rx {
                    let started = Instant::now();
                    if let Ok(mut r) = shared.lock() {
                        *r = Some(Running {
                            id,
                            what: request.describe(),
                            since: started,
                        });
                    }
                    let result = if id <= cancelled.load(Ordering::SeqCst) {
                        Err(LakeError::Cancelled)
                    } else {
                        execute(&session, request)
                    };
                    if let Ok(mut r) = shared.lock() {
                        *r = None;
                    }
                    let reply = Reply {
                        id,
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

    /// Queue a request; returns its id.
    pub fn submit(&mut self, request: Request) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        if let Some(jobs) = &self.jobs {
            // A send error means the thread ended; the caller sees no reply.
            let _ = jobs.send((id, request));
        }
        id
    }

    /// Interrupt the query being computed (its reply is `Cancelled`).
    /// DuckDB forgets an interrupt that arrives just before a query begins,
    /// so the request stays marked and [`QueryWorker::poll`] repeats it.
    pub fn cancel(&self) {
        if let Some(running) = self.running() {
            self.cancel_id.fetch_max(running.id, Ordering::SeqCst);
            self.interrupt.interrupt();
        }
    }

    /// Cancel the running request and discard every queued one (the user
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

fn execute(session: &Session, request: Request) -> Result<Response> {
    Ok(match request {
        Request::Sources(scope) => Response::Sources(catalog::sources(session, &scope)?),
        Request::Actors { scope, search } => Response::Actors(pivots::actors(session, &scope, search.as_deref())?),
        Request::Actor { scope, arn } => Response::Dossier(pivots::actor(session, &scope, &arn)?),
        Request::Ip { scope, ip } => Response::Ip(pivots::ip(session, &scope, &ip)?),
        Request::Key { scope, key } => Response::Key(pivots::key(session, &scope, &key)?),
        Request::Resource { scope, id } => Response::Resource(pivots::resource(session, &scope, &id)?),
        Request::Events { scope, criteria, page } => {
            Response::Events(events::events(session, &scope, &criteria, page)?)
        }
        Request::Sql { scope, sql } => Response::Table(events::sql(session, &scope, &sql)?),
        Request::Timeline { scope, query } => Response::Timeline(timeline::timeline(session, &scope, &query)?),
        Request::Event { source_file, event_uid } => {
            Response::Record(events::event_detail(session, &source_file, &event_uid)?)
        }
        Request::Config(target) => Response::Config(Box::new(config::config_view(session, &target)?)),
    })
}
