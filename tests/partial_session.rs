//! A session that answered from part of the event store answers from the
//! whole store once it is written, even for questions whose tables it keeps
//! between calls (a timeline and its first sightings). Its own test binary:
//! the cache directory is set for the whole process.

mod common;

use std::time::{Duration, Instant};

use common::{demo, truth};
use lakescope::lake::prepare::Preparation;
use lakescope::lake::timeline::timeline;
use lakescope::lake::{EventCriteria, Lake, LaneBy, Scope, TimelineQuery};

fn events(lake_session: &lakescope::lake::Session, actor: &str) -> u64 {
    let query = TimelineQuery {
        target: EventCriteria {
            actor: Some(actor.to_string()),
            ..EventCriteria::default()
        },
        lanes: Some(LaneBy::Ip),
        ..TimelineQuery::default()
    };
    let t = timeline(lake_session, &Scope::default(), &query).expect("timeline");
    t.buckets.iter().map(|b| b.events).sum()
}

#[test]
fn kept_tables_are_made_again_when_the_store_gains_days() {
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("LAKESCOPE_CACHE_DIR", cache.path()) };
    let t = truth();
    let actor = t["intrusion"]["intruder_arn"].as_str().unwrap();
    let whole = t["intrusion"]["dossier"]["events"].as_u64().unwrap();

    let lake = Lake::open(&demo()).unwrap();
    let session = lake.session().unwrap();
    // Answering partially with no day written yet: nothing.
    lake.answer_partially(true);
    assert_eq!(events(&session, actor), 0);
    assert!(session.partial_used().is_none());

    let mut preparation = Preparation::start(&lake).unwrap().expect("a store to write");
    let start = Instant::now();
    let ended = loop {
        if let Some(ended) = preparation.poll() {
            break ended;
        }
        assert!(start.elapsed() < Duration::from_secs(180), "still indexing");
        std::thread::sleep(Duration::from_millis(20));
    };
    ended.expect("the store is written");
    assert_eq!(events(&session, actor), whole, "the same session, the whole store");
}
