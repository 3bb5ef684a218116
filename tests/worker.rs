//! The background query worker: ids, cancellation, shutdown.

use std::time::{Duration, Instant};

use lakescope::lake::worker::{Query, QueryWorker};
use lakescope::lake::{ActorRow, Lake, LakeError, Scope};

mod common;

fn lake() -> Lake {
    Lake::open(&common::real("invictus-aws")).unwrap()
}

/// Seconds of work per event: far longer than any test waits.
const SLOW_SQL: &str = "SELECT sum(hash(e.event_uid, r.range)) FROM ev AS e, range(1000000000) AS r";

/// The next reply within 30 s, calling `poll` as the workbench does on each
/// tick: DuckDB forgets an interrupt that lands just before a query starts
/// executing, and `poll` sends it again.
fn reply_while_polling(worker: &QueryWorker) -> Option<lakescope::lake::worker::Reply> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        worker.poll();
        if let Some(reply) = worker.recv_timeout(Duration::from_millis(20)) {
            return Some(reply);
        }
    }
    None
}

#[test]
fn replies_carry_the_request_id() {
    let mut worker = QueryWorker::spawn(&lake()).unwrap();
    let first = worker.submit(Query::actors(Scope::default(), None));
    let second = worker.submit(Query::actors(Scope::default(), Some("benjamin".into())));
    let a = worker.recv_timeout(Duration::from_secs(60)).unwrap();
    let b = worker.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!((a.id, b.id), (first, second));
    let rows: Vec<ActorRow> = b.take().unwrap();
    assert_eq!(rows[0].arn, "arn:aws:iam::123837392027:user/benjamin");
}

#[test]
fn a_running_query_can_be_cancelled_and_the_worker_goes_on() {
    let mut worker = QueryWorker::spawn(&lake()).unwrap();
    let slow = worker.submit(Query::sql(Scope::default(), SLOW_SQL.into()));
    let start = Instant::now();
    while worker.running().is_none_or(|r| r.id != slow) {
        assert!(start.elapsed() < Duration::from_secs(30), "query never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(worker.running().is_some(), "still running after 200 ms");
    worker.cancel();
    let reply = reply_while_polling(&worker).expect("a reply after cancel");
    assert_eq!(reply.id, slow);
    assert!(matches!(reply.result, Err(LakeError::Cancelled)), "{:?}", reply.result);
    // The same worker answers the next request normally.
    let next = worker.submit(Query::actors(Scope::default(), None));
    let reply = worker.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(reply.id, next);
    assert!(reply.result.is_ok());
}

#[test]
fn dropping_the_worker_stops_its_query() {
    let mut worker = QueryWorker::spawn(&lake()).unwrap();
    worker.submit(Query::sql(Scope::default(), SLOW_SQL.into()));
    let start = Instant::now();
    while worker.running().is_none() {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    drop(worker);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "drop took {:?}",
        start.elapsed()
    );
}

#[test]
fn hunts_run_on_the_worker_and_a_queued_run_is_cancelled() {
    let hunts = lakescope::lake::hunts::library::built_in().unwrap();
    let mut worker = QueryWorker::spawn(&lake()).unwrap();
    let slow = worker.submit(Query::sql(Scope::default(), SLOW_SQL.into()));
    let queued = worker.submit(Query::hunts(Scope::default(), hunts.clone()));
    let start = Instant::now();
    while worker.running().is_none_or(|r| r.id != slow) {
        assert!(start.elapsed() < Duration::from_secs(30), "query never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    worker.cancel_all();
    for id in [slow, queued] {
        let reply = reply_while_polling(&worker).expect("a reply after cancel");
        assert_eq!(reply.id, id);
        assert!(matches!(reply.result, Err(LakeError::Cancelled)), "{:?}", reply.result);
    }
    let next = worker.submit(Query::hunts(Scope::default(), hunts.clone()));
    let reply = worker.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(reply.id, next);
    let report: lakescope::lake::hunts::HuntReport = reply.take().unwrap();
    assert_eq!(report.hunts, hunts.len());
    assert!(!report.hits.is_empty());
}
