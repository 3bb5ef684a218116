//! The workbench on a lake never indexed: the first screen comes at once,
//! answers come from the newest days as they are written (marked partial
//! in the header), the user can pivot meanwhile, and the pages refine
//! themselves until the whole store is written. Its own test binary: the
//! cache directory is set for the whole process.

mod tui_support;

use std::time::{Duration, Instant};

use lakescope::lake::Lake;
use lakescope::tui::theme::Theme;
use tui_support::{Harness, demo, truth};

#[test]
fn pages_answer_from_the_newest_days_while_the_lake_is_indexed() {
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("LAKESCOPE_CACHE_DIR", cache.path()) };
    let t = truth();
    let intruder = t["intrusion"]["intruder_arn"].as_str().unwrap();
    let dossier = &t["intrusion"]["dossier"];
    let whole_events = format!("{} ({} errors)", dossier["events"], dossier["errors"]);

    let lake = Lake::open(&demo()).unwrap();
    let mut h = Harness::with_indexing(lake, 140, 30, Theme::named("dark", false).unwrap(), true);
    assert!(h.app.preparing(), "nothing to index in a fresh cache?");
    let start = Instant::now();
    let mut headers = Vec::new();
    let mut pivoted = false;
    while h.app.preparing() {
        assert!(start.elapsed() < Duration::from_secs(180), "still indexing after 180 s");
        h.settle();
        let screen = h.screen();
        let header = screen.lines().next().unwrap_or_default().to_string();
        let partial_with_events = header.contains("partial: ") && !header.contains("partial: 0 of");
        if !pivoted && partial_with_events && screen.contains(intruder) {
            // Pivot while the store is still being written.
            h.keys(":");
            h.type_text(&format!("actor {intruder}"));
            h.keys("enter");
            assert!(h.title().contains("ci-deploy"), "{}", h.screen());
            let partial_events = h.summary("events").unwrap_or_default();
            assert_ne!(partial_events, whole_events, "a partial dossier counts fewer events");
            h.keys("backspace");
            pivoted = true;
        }
        headers.push(header);
        std::thread::sleep(Duration::from_millis(10));
    }
    h.settle();
    assert!(pivoted, "no partial answer showed the intruder: {headers:#?}");
    assert!(
        headers.iter().any(|l| l.contains("partial: 0 of 8 days")),
        "the first screen says nothing is answered yet: {headers:#?}"
    );
    let screen = h.screen();
    assert!(!screen.lines().next().unwrap().contains("partial"), "{screen}");
    assert!(screen.contains("lake indexed: answers are complete"), "{screen}");
    // The actors page refined itself, without a key.
    let row = screen.lines().find(|l| l.starts_with(intruder)).unwrap_or_default();
    assert!(row.contains(&format!(" {} ", dossier["events"])), "{screen}");
    // And the dossier now counts every day.
    h.keys(":");
    h.type_text(&format!("actor {intruder}"));
    h.keys("enter");
    assert_eq!(
        h.summary("events").as_deref(),
        Some(whole_events.as_str()),
        "{}",
        h.screen()
    );
}
