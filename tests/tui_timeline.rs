//! The timeline screen on the demo lake: snapshots of the widget, and the
//! responder's flow — an actor's timeline, zoom into the intrusion, select
//! it, open its events, pivot, come back.

mod tui_support;

use lakescope::lake::parse_time;
use lakescope::tui::screens::events::EventsScreen;
use lakescope::tui::screens::timeline::TimelineScreen;
use tui_support::{Harness, demo, truth};

const INTRUDER: &str = "arn:aws:iam::111122223333:user/ci-deploy";

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

/// The intruder's dossier, then its timeline.
fn intruder_timeline(w: u16, h: u16) -> Harness {
    let mut harness = Harness::open(&demo(), w, h);
    command(&mut harness, &format!("actor {INTRUDER}"));
    harness.keys("t");
    assert_eq!(harness.title(), format!("Timeline actor={INTRUDER}"));
    harness
}

/// Index of the bucket marked for the first sighting of this IP.
fn ip_marker(h: &Harness, ip: &str) -> usize {
    let Some(v) = h.app.screen::<TimelineScreen>() else {
        panic!("not a timeline: {}", h.title())
    };
    let t = v.timeline.as_ref().expect("loaded");
    let sighting = t
        .firsts
        .iter()
        .find(|f| f.new && f.kind == "ip" && f.value == ip)
        .expect("a new first sighting of the IP");
    (0..t.bucket_count())
        .find(|i| {
            let (s, e) = v.bucket_range(*i).unwrap();
            s <= sighting.time.0 && sighting.time.0 < e
        })
        .expect("its bucket is on screen")
}

const NEW_IP: &str = "203.0.113.66";

fn cursor_range(h: &Harness) -> (i64, i64) {
    let Some(v) = h.app.screen::<TimelineScreen>() else {
        panic!("not a timeline: {}", h.title())
    };
    v.bucket_range(v.cursor).unwrap()
}

#[test]
fn snapshot_of_an_actors_timeline() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut harness = intruder_timeline(w, h);
        insta::assert_snapshot!(format!("timeline_actor_{w}x{h}"), harness.snapshot_text());
    }
}

#[test]
fn snapshot_zoomed_into_the_intrusion_with_a_selection() {
    let mut h = intruder_timeline(120, 40);
    let marker = ip_marker(&h, NEW_IP);
    h.keys(&"l ".repeat(marker));
    h.keys("+ + + + + v l l l");
    insta::assert_snapshot!("timeline_zoomed_selection_120x40", h.snapshot_text());
}

#[test]
fn zoom_into_the_intrusion_and_open_its_events() {
    let t = truth();
    let i = &t["intrusion"];
    let new_ip = i["new_ip"].as_str().unwrap();
    assert_eq!(new_ip, NEW_IP);
    let first_seen = parse_time(i["new_ip_first_seen"].as_str().unwrap(), false).unwrap();
    let mut h = intruder_timeline(120, 40);
    let screen = h.screen();
    assert!(
        screen.contains("lanes: ip"),
        "an actor's timeline starts split by IP:\n{screen}"
    );
    assert!(screen.contains(new_ip), "the new IP has its own lane:\n{screen}");
    assert!(
        screen.contains("buckets of 2h"),
        "7 days in 2-hour buckets at 120 columns:\n{screen}"
    );

    // To the first marker, then zoom until one-minute buckets.
    let marker = ip_marker(&h, new_ip);
    h.keys(&"l ".repeat(marker));
    let (s, e) = cursor_range(&h);
    assert!(
        s <= first_seen && first_seen < e,
        "the marker's bucket holds the first sighting"
    );
    for _ in 0..12 {
        h.keys("+");
    }
    let screen = h.screen();
    assert!(screen.contains("buckets of 1m"), "{screen}");
    // Walk to the minute of the first sighting, select ten minutes, and
    // choose the new IP's lane.
    let marker = ip_marker(&h, new_ip);
    let (s, _) = cursor_range(&h);
    let steps = marker as isize - {
        let Some(v) = h.app.screen::<TimelineScreen>() else {
            unreachable!()
        };
        v.cursor as isize
    };
    let key = if steps >= 0 { "l " } else { "h " };
    h.keys(&key.repeat(steps.unsigned_abs()));
    let (s2, e2) = cursor_range(&h);
    assert_eq!((s2, e2 - s2), (first_seen / 60_000 * 60_000, 60_000), "from {s}");
    h.keys("v");
    h.keys(&"l ".repeat(9));
    h.keys("j j");
    h.keys("enter");

    // The events page: scope is the selection, filter is the actor and the IP.
    assert_eq!(h.title(), format!("Events actor={INTRUDER} ip={new_ip}"));
    let scope = h.app.scope().clone();
    assert_eq!(scope.from_ms, Some(first_seen / 60_000 * 60_000));
    assert_eq!(scope.to_ms, Some(first_seen / 60_000 * 60_000 + 10 * 60_000));
    let Some(ev) = h.app.screen::<EventsScreen>() else {
        panic!("events expected")
    };
    assert!(!ev.rows.is_empty());
    assert!(ev.rows.iter().all(|r| r.source_ip.as_deref() == Some(new_ip)));
    assert_eq!(
        ev.rows[0].time.map(|t| t.0),
        Some(first_seen),
        "the first event is the first sighting"
    );
    let header = h.screen();
    assert!(
        header.lines().next().unwrap().contains("from=2024-05-05T02:13:00Z"),
        "{header}"
    );

    // A pivot from here keeps the time selection.
    h.keys("enter");
    assert!(h.title().starts_with("Event "), "{}", h.title());
    assert_eq!(h.app.scope(), &scope);
    // Back twice: the timeline as it was, cursor and selection included.
    h.keys("backspace backspace");
    let Some(v) = h.app.screen::<TimelineScreen>() else {
        panic!("back on the timeline")
    };
    assert_eq!(v.mark.map(|m| m + 9), Some(v.cursor));
    assert!(h.screen().contains("selected 05-05 02:13 → 05-05 02:23"));
    // Forward brings the events page back with its scope.
    h.keys("ctrl-f");
    assert_eq!(h.app.scope(), &scope);
}

#[test]
fn lanes_cycle_and_the_clock_toggles() {
    let mut h = intruder_timeline(120, 40);
    h.keys("b");
    assert!(h.screen().contains("lanes: session"));
    for _ in 0..6 {
        h.keys("b");
    }
    // The split by source (API calls beside flows, DNS, HTTP, findings) comes last.
    let screen = h.screen();
    assert!(screen.contains("lanes: source"), "{screen}");
    assert!(screen.contains("API calls"), "{screen}");
    h.keys("b");
    assert!(h.screen().contains("lanes: none"));
    assert!(h.screen().contains("· UTC ·"), "UTC by default");
    h.keys("z");
    assert!(
        h.screen().contains("· local"),
        "the header says local time:\n{}",
        h.screen()
    );
    h.keys("z");
    assert!(h.screen().contains("· UTC ·"));
    // A fixed offset from the command line; z then toggles between it and UTC.
    command(&mut h, "tz +05:30");
    let screen = h.screen();
    assert!(screen.contains("· UTC+05:30 ·"), "{screen}");
    let Some(v) = h.app.screen::<TimelineScreen>() else {
        panic!("a timeline")
    };
    let (start, _) = v.bucket_range(0).unwrap();
    assert_eq!(
        (start + 5 * 3_600_000 + 1_800_000) % (2 * 3_600_000),
        0,
        "2h buckets on the +05:30 wall clock"
    );
    h.keys("z");
    assert!(h.screen().contains("· UTC ·"));
    h.keys("z");
    assert!(h.screen().contains("· UTC+05:30 ·"));
    // A named zone: its offset on the days shown (May 2024: summer time).
    command(&mut h, "tz Europe/Berlin");
    let screen = h.screen();
    assert!(screen.contains("· Europe/Berlin UTC+02:00 ·"), "{screen}");
    command(&mut h, "tz Mars/Olympus");
    assert!(h.screen().contains("time zone"), "a bad zone is refused with a reason");
}

#[test]
fn zoom_keys_elsewhere_say_where_they_work() {
    let mut h = Harness::open(&demo(), 100, 30);
    h.keys("+");
    let screen = h.screen();
    assert!(screen.contains("zoom, pan and lanes work on a timeline"), "{screen}");
    // From the actors table, t opens the selected actor's timeline.
    h.keys("t");
    assert!(h.title().starts_with("Timeline actor="), "{}", h.title());
}
