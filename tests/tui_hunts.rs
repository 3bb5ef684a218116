//! The Hunts page by keys alone: `h` opens it on the demo lake, each row
//! leads to the hunt's events (Enter), its actor's dossier (`a`) and the
//! actor's timeline with the hits selected (`t`); Esc-less back and forth
//! through the history keeps the page.

mod tui_support;

use lakescope::lake::hunts::{HuntReport, library};
use lakescope::tui::screens::hunt_hits::HuntHitsScreen;
use lakescope::tui::screens::hunts::HuntsScreen;
use lakescope::tui::screens::timeline::TimelineScreen;
use tui_support::{Harness, demo};

#[test]
fn from_the_hunts_page_to_the_events_the_dossier_and_the_timeline() {
    let dir = demo();
    let text = std::fs::read_to_string(dir.join("TRUTH.json")).expect("the demo lake's TRUTH.json");
    let truth: serde_json::Value = serde_json::from_str(&text).unwrap();
    let intrusion = &truth["intrusion"];
    let sg = &intrusion["security_group_change"];
    let mut h = Harness::open(&dir, 120, 40);

    h.keys("h");
    let built_in = library::built_in().unwrap().len();
    assert_eq!(h.title(), format!("Hunts: 12 of {built_in} hit"));
    let report: &HuntReport = h.app.screen::<HuntsScreen>().unwrap().report.as_ref().unwrap();
    assert_eq!(report.hunts, built_in);

    // Enter: the hunt's events; Enter again inspects the planted event.
    h.cursor_to_hunt("Security group opened to the whole internet");
    h.keys("enter");
    assert_eq!(h.title(), "Hunt security-group-open-to-world: 1 events");
    let rows = &h.app.screen::<HuntHitsScreen>().unwrap().rows;
    assert_eq!(rows[0].event.event_id.as_deref(), sg["event_id"].as_str());
    h.keys("enter");
    assert_eq!(h.title(), format!("Event {}", sg["event_id"].as_str().unwrap()));
    h.keys("backspace backspace");
    assert!(h.title().starts_with("Hunts: "), "{}", h.title());

    // `a`: the dossier of the hunt's actor (not the actors table).
    h.keys("a");
    assert_eq!(h.title(), format!("Dossier {}", sg["actor_arn"].as_str().unwrap()));
    // The dossier lists the hunts its actor triggered, first.
    let screen = h.screen();
    assert!(screen.contains("Hunts hit (4)"), "{screen}");
    assert!(
        screen.contains("Security group opened to the whole internet"),
        "{screen}"
    );
    h.keys("backspace");

    // `t`: the actor's timeline, the cursor on the hit's bucket.
    h.keys("t");
    let timeline = h.app.screen::<TimelineScreen>().expect("a timeline");
    assert_eq!(timeline.filter.actor.as_deref(), sg["actor_arn"].as_str());
    let at = chrono_ms(sg["event_time"].as_str().unwrap());
    let (start, end) = timeline.bucket_range(timeline.cursor).unwrap();
    assert!(
        start <= at && at < end,
        "cursor bucket {start}..{end} holds the hit at {at}"
    );
    // The hit is marked over its bucket.
    assert_eq!(timeline.hits, vec![at]);
    let screen = h.screen();
    let marks = screen.lines().find(|l| l.starts_with("hits:")).expect("a hits row");
    assert_eq!(marks.matches('◆').count(), 1, "{screen}");
    h.keys("backspace");

    // A burst: the range from its first to its last hit is selected.
    h.cursor_to_hunt("Burst of AccessDenied errors");
    h.keys("t");
    let timeline = h.app.screen::<TimelineScreen>().expect("a timeline");
    let (first, last) = timeline.selection().expect("the hits are selected");
    let burst = &intrusion["access_denied_burst"];
    assert!(first <= chrono_ms(burst["start"].as_str().unwrap()), "{first}");
    assert!(last > chrono_ms(burst["end"].as_str().unwrap()), "{last}");

    // Elsewhere `a` is still the actors table; `:hunts` leads back.
    h.keys("backspace backspace a");
    assert_eq!(h.title(), "Actors");
    h.keys(":");
    h.type_text("hunts");
    h.keys("enter");
    assert!(h.title().starts_with("Hunts: "), "{}", h.title());
}

fn chrono_ms(text: &str) -> i64 {
    lakescope::lake::parse_time(text, false).unwrap()
}
