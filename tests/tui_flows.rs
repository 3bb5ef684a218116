//! Key-sequence tests of the TUI's main flows, on the real invictus trail.

mod tui_support;

use std::io::Write;
use std::time::{Duration, Instant};

use lakescope::tui::screen::Load;
use lakescope::tui::screens::actors::ActorsScreen;
use lakescope::tui::screens::events::EventsScreen;
use lakescope::tui::screens::inspector::InspectorScreen;
use tui_support::{Harness, invictus};

const BENJAMIN: &str = "arn:aws:iam::123837392027:user/benjamin";
const STEAL: &str =
    "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed";

#[test]
fn actors_filter_dossier_ip_back_back() {
    let mut h = Harness::open(&invictus(), 120, 40);
    let screen = h.screen();
    assert!(screen.contains("[1/1] Actors"), "{screen}");
    assert!(screen.contains("arn:aws:iam::123837392027:user/bert-jan"), "{screen}");

    h.keys("/");
    h.type_text("steal cred");
    let screen = h.screen();
    assert!(screen.contains("/steal cred"), "{screen}");
    assert!(
        !screen.contains("user/bert-jan"),
        "filter keeps matches only:\n{screen}"
    );
    h.keys("enter");
    let Some(actors) = h.app.screen::<ActorsScreen>() else {
        panic!("not actors")
    };
    assert_eq!(actors.selected().unwrap().arn, STEAL);
    assert!(
        !actors.shown[0].matched.is_empty(),
        "matched characters are kept for highlighting"
    );

    h.keys("enter");
    assert_eq!(h.title(), format!("Dossier {STEAL}"));
    let screen = h.screen();
    assert!(screen.contains("Source IPs (2)"), "{screen}");
    assert!(screen.contains("events: 15 (0 errors)"), "{screen}");

    h.cursor_to("3.225.16.109");
    h.keys("enter");
    assert_eq!(h.title(), "IP 3.225.16.109");
    let screen = h.screen();
    assert!(screen.contains("Actors (1)"), "{screen}");
    assert!(
        screen.contains("steal-credentials-role/i-0dbc91f429e48eeed"),
        "{screen}"
    );
    assert!(screen.contains("[3/3]"), "{screen}");

    h.keys("backspace");
    assert_eq!(h.title(), format!("Dossier {STEAL}"));
    assert_eq!(
        h.selected_row().unwrap()[0],
        "3.225.16.109",
        "the cursor comes back too"
    );
    assert!(h.screen().contains("[2/3]"));

    h.keys("backspace");
    let screen = h.screen();
    assert!(screen.contains("[1/3] Actors /steal cred"), "{screen}");
    let Some(actors) = h.app.screen::<ActorsScreen>() else {
        panic!("not actors")
    };
    assert_eq!(actors.filter, "steal cred");
    assert_eq!(actors.selected().unwrap().arn, STEAL);

    // Forward goes to the dossier again without a new query.
    h.keys("alt-right");
    assert_eq!(h.title(), format!("Dossier {STEAL}"));
    assert_eq!(h.app.page().load, Load::Ready);
}

#[test]
fn scope_change_reloads_and_back_restores_the_previous_scope() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys(":");
    h.type_text("scope from=2023-07-10T12:30:00Z");
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains("scope: from=2023-07-10T12:30:00Z"), "{screen}");
    let Some(actors) = h.app.screen::<ActorsScreen>() else {
        panic!("not actors")
    };
    let bert = actors.rows.iter().find(|r| r.arn.ends_with("user/bert-jan")).unwrap();
    assert!(bert.events < 2641, "the scope restricts the counts: {}", bert.events);
    assert!(
        actors
            .rows
            .iter()
            .all(|r| r.last_seen.is_some_and(|t| t.0 >= 1_688_992_200_000))
    );

    h.keys("backspace");
    assert!(h.screen().contains("scope: whole lake"));

    // A scope no file falls in says so instead of querying.
    h.keys(":");
    h.type_text("scope account=000000000000");
    h.keys("enter");
    let screen = h.screen();
    assert!(
        screen.contains("no file of the lake falls in scope account=000000000000"),
        "{screen}"
    );
    h.keys("backspace");

    // A bad time is an error message, and the scope stays.
    h.keys(":");
    h.type_text("scope from=yesterday");
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains("neither a date"), "{screen}");
    assert!(screen.contains("scope: whole lake"), "{screen}");
}

#[test]
fn partitions_tree_sets_the_scope() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys("p");
    let screen = h.screen();
    assert!(screen.contains("▾ CloudTrail"), "{screen}");
    assert!(screen.contains("218007301253"), "{screen}");
    assert!(screen.contains("2900") || screen.contains("EVENTS"), "{screen}");
    // source → account → region (folded); open the region and pick its day.
    h.keys("j j l j");
    let screen = h.screen();
    assert!(screen.contains("20230710"), "{screen}");
    h.keys("enter");
    let screen = h.screen();
    assert!(
        screen
            .contains("scope: account=218007301253 region=us-east-1 from=2023-07-10T00:00:00Z to=2023-07-11T00:00:00Z"),
        "{screen}"
    );
    assert!(screen.contains("Actors"), "{screen}");
    assert!(screen.contains("user/bert-jan"), "{screen}");
}

#[test]
fn command_line_completes_and_pivots() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys(":");
    h.type_text("ac");
    h.keys("tab");
    // "actor " and "actors ": the common prefix, then cycling.
    h.keys("tab");
    let screen = h.screen();
    assert!(screen.contains(":actor █"), "{screen}");
    assert!(
        screen.lines().any(|l| l == " actors"),
        "candidates are listed:\n{screen}"
    );
    h.keys("esc :");
    h.type_text("actor benjamin");
    h.keys("tab");
    h.keys("enter");
    assert_eq!(h.title(), format!("Dossier {BENJAMIN}"));
    h.keys(":");
    h.type_text("key ASIATFQR7NSCSHSEVYP5");
    h.keys("enter");
    assert_eq!(h.title(), "Key ASIATFQR7NSCSHSEVYP5");
    assert!(h.screen().contains("Minted by"));
    h.cursor_to("AWSService:ec2.amazonaws.com");
}

#[test]
fn events_page_and_inspector_copy_with_osc52() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys("3");
    let screen = h.screen();
    assert!(screen.contains("rows 1–200 · more below"), "{screen}");
    h.keys("G");
    h.keys("j");
    let screen = h.screen();
    assert!(
        screen.contains("rows 201–400"),
        "paging down past the last row loads the next page:\n{screen}"
    );
    let Some(events) = h.app.screen::<EventsScreen>() else {
        panic!()
    };
    assert_eq!(events.rows.len(), 200, "only one page is held");
    h.keys("k");
    assert!(h.screen().contains("rows 1–200"));
    let Some(events) = h.app.screen::<EventsScreen>() else {
        panic!()
    };
    let row = events.selected().unwrap().clone();
    // Enter without waiting: the record is loading, the event's fields stand in.
    h.app.handle_key(key("enter"));
    let screen = h.screen();
    assert!(
        matches!(h.app.page().load, Load::Ready) || screen.contains("loading record…"),
        "{screen}"
    );
    h.settle();
    let screen = h.screen();
    // The inspector shows the ORIGINAL CloudTrail record, not our flat row.
    assert!(screen.contains("original record · "), "{screen}");
    assert!(screen.contains("eventName: "), "{screen}");
    assert!(screen.contains("userIdentity: "), "{screen}");
    assert!(!screen.contains("operation: "), "{screen}");
    h.cursor_to_node("eventName");
    h.keys("y");
    let out = h.app.take_output();
    assert_eq!(out.len(), 1);
    assert!(
        out[0].starts_with("\u{1b}]52;c;") && out[0].ends_with("\u{1b}\\"),
        "{:?}",
        out[0]
    );
    use base64::Engine;
    let decode = |seq: &str| {
        let payload = seq.trim_start_matches("\u{1b}]52;c;").trim_end_matches("\u{1b}\\");
        base64::engine::general_purpose::STANDARD.decode(payload).unwrap()
    };
    assert_eq!(
        String::from_utf8(decode(&out[0])).unwrap(),
        row.operation.clone().unwrap()
    );
    h.keys("Y");
    let all = h.app.take_output();
    let json: serde_json::Value = serde_json::from_slice(&decode(&all[0])).unwrap();
    assert_eq!(json["eventID"].as_str(), row.event_id.as_deref(), "{json}");
    assert!(json["userIdentity"].is_object(), "{json}");
}

#[test]
fn leaving_a_page_discards_its_queued_request() {
    let mut h = Harness::open(&invictus(), 120, 40);
    // A long query runs…
    h.keys(":");
    h.type_text("sql SELECT sum(hash(e.event_uid, r.range)) AS n FROM ev AS e, range(1000000000) AS r");
    h.app.handle_key(key("enter"));
    let Load::Pending(long) = h.app.page().load else {
        panic!("{:?}", h.app.page().load)
    };
    // …a dossier is opened (its request queues behind it)…
    h.app.handle_key(key(":"));
    for c in format!("actor {BENJAMIN}").chars() {
        h.app.handle_key(ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char(c),
            ratatui::crossterm::event::KeyModifiers::NONE,
        ));
    }
    h.app.handle_key(key("enter"));
    let Load::Pending(dossier) = h.app.page().load else {
        panic!("{:?}", h.app.page().load)
    };
    assert!(dossier > long);
    // …and left at once for the actors: neither of them may run.
    h.app.handle_key(key("2"));
    h.settle();
    assert!(h.screen().contains("user/bert-jan"));
    let start = Instant::now();
    while h
        .app
        .dropped_replies()
        .iter()
        .filter(|d| d.id == long || d.id == dossier)
        .count()
        < 2
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "replies: {:?}",
            h.app.dropped_replies()
        );
        h.app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    let dropped = h.app.dropped_replies();
    assert!(
        dropped.iter().any(|d| d.id == dossier && d.cancelled),
        "the queued dossier was computed anyway: {dropped:?}"
    );
    assert!(dropped.iter().any(|d| d.id == long && d.cancelled), "{dropped:?}");
    // Back on the dossier, it is asked for again and shown.
    h.keys("backspace");
    assert_eq!(h.title(), format!("Dossier {BENJAMIN}"));
    assert!(h.screen().contains("events: 105 (14 errors)"));
}

#[test]
fn esc_cancels_a_running_query_and_the_ui_stays_responsive() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys(":");
    h.type_text("sql SELECT sum(hash(e.event_uid, r.range)) AS n FROM ev AS e, range(1000000000) AS r");
    // Enter without waiting: the query runs in the background.
    h.app.handle_key(key("enter"));
    let start = Instant::now();
    while !matches!(h.app.page().load, Load::Pending(_)) || !h.screen().contains("⟳ running SQL · esc cancels") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never started:\n{}",
            h.screen()
        );
        h.app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    // Keys are handled at once while DuckDB works.
    let t = Instant::now();
    h.app.handle_key(key("?"));
    h.app.handle_key(key("esc"));
    assert!(t.elapsed() < Duration::from_millis(200), "{:?}", t.elapsed());
    h.app.handle_key(key("esc"));
    h.settle();
    assert_eq!(h.app.page().load, Load::Cancelled);
    let screen = h.screen();
    assert!(screen.contains("query cancelled"), "{screen}");
    // The worker goes on: the actors load.
    h.keys("2");
    assert!(h.screen().contains("user/bert-jan"));
}

#[test]
fn a_bad_file_is_a_message_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let src = invictus();
    for entry in walkdir::WalkDir::new(&src).into_iter().map(|e| e.unwrap()) {
        let rel = entry.path().strip_prefix(&src).unwrap();
        let dst = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(entry.path(), &dst).unwrap();
        }
    }
    // A trail file cut short: valid gzip start, then nothing.
    let good = walkdir::WalkDir::new(dir.path())
        .into_iter()
        .map(|e| e.unwrap())
        .find(|e| e.path().to_string_lossy().ends_with(".json.gz"))
        .unwrap()
        .into_path();
    let bytes = std::fs::read(&good).unwrap();
    let bad = good.with_file_name("218007301253_CloudTrail_us-east-1_20230710T1200Z_broken.json.gz");
    std::fs::File::create(&bad)
        .unwrap()
        .write_all(&bytes[..bytes.len() / 3])
        .unwrap();

    let mut h = Harness::open(dir.path(), 120, 40);
    let screen = h.screen();
    assert!(screen.contains("unreadable"), "{screen}");
    assert!(screen.contains("broken.json.gz"), "{screen}");
    assert!(
        screen.contains("user/bert-jan"),
        "the rest of the lake is answered:\n{screen}"
    );
    // The list of set-aside files, with the full path and DuckDB's reason.
    h.keys(":");
    h.type_text("problems");
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains("[2/2] Unreadable files (1)"), "{screen}");
    assert!(screen.contains("problem: "), "{screen}");
}

#[test]
fn resize_and_mouse() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut h = Harness::open(&invictus(), 120, 40);
    h.resize(80, 24);
    let screen = h.screen();
    assert_eq!(screen.lines().count(), 24);
    assert!(screen.lines().all(|l| lakescope::text::width(l) <= 80));
    let mouse = |kind, row| MouseEvent {
        kind,
        column: 3,
        row,
        modifiers: KeyModifiers::NONE,
    };
    h.app.handle_mouse(mouse(MouseEventKind::ScrollDown, 10));
    let Some(a) = h.app.screen::<ActorsScreen>() else {
        panic!()
    };
    assert_eq!(a.list.cursor, 3);
    // Row 5 of the screen is the 3rd actor (header, title, column line first).
    h.app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 5));
    let Some(a) = h.app.screen::<ActorsScreen>() else {
        panic!()
    };
    assert_eq!(a.list.cursor, 2);
    h.app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 5));
    h.settle();
    assert!(h.title().starts_with("Dossier "), "a second click opens: {}", h.title());

    // Tiny terminals draw without panicking, with overlays open too.
    for (w, hgt) in [(1, 1), (10, 3), (30, 8), (200, 60)] {
        h.resize(w, hgt);
        h.screen();
        h.keys("?");
        h.screen();
        h.keys("esc : tab");
        h.screen();
        h.keys("esc");
    }
}

fn key(name: &str) -> ratatui::crossterm::event::KeyEvent {
    let k = lakescope::tui::keymap::Key::parse(name).unwrap();
    ratatui::crossterm::event::KeyEvent::new(k.code, k.modifiers)
}

trait NodeCursor {
    fn cursor_to_node(&mut self, key: &str);
}

impl NodeCursor for Harness {
    fn cursor_to_node(&mut self, key: &str) {
        self.keys("g");
        for _ in 0..100 {
            if let Some(i) = self.app.screen::<InspectorScreen>()
                && i.selected().is_some_and(|n| n.key == key)
            {
                return;
            }
            self.keys("j");
        }
        panic!("no node {key}");
    }
}

#[test]
fn operations_and_e_open_the_matching_events() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys(":");
    h.type_text(&format!("actor {BENJAMIN}"));
    h.keys("enter");
    h.cursor_to_row("GetBucketPolicy");
    h.keys("enter");
    assert_eq!(h.title(), format!("Events actor={BENJAMIN} operation=GetBucketPolicy"));
    let Some(events) = h.app.screen::<EventsScreen>() else {
        panic!("not events")
    };
    assert!(!events.rows.is_empty());
    assert!(
        events
            .rows
            .iter()
            .all(|r| r.operation.as_deref() == Some("GetBucketPolicy") && r.actor == BENJAMIN)
    );
    // `e` on an actors row: that actor's events.
    h.keys("2 e");
    assert_eq!(h.title(), "Events actor=arn:aws:iam::123837392027:user/bert-jan");
}

#[test]
fn a_reply_for_a_view_already_left_is_dropped() {
    let mut h = Harness::open(&invictus(), 120, 40);
    h.keys(":");
    h.type_text(&format!("actor {BENJAMIN}"));
    // Open the dossier and leave it at once, before its reply.
    h.app.handle_key(key("enter"));
    assert!(matches!(h.app.page().load, Load::Pending(_)));
    h.app.handle_key(key("backspace"));
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        h.app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(h.title().starts_with("Actors"));
    let Some(actors) = h.app.screen::<ActorsScreen>() else {
        panic!("the actors view was replaced")
    };
    assert_eq!(actors.rows.len(), 21);
    // Going forward asks again and shows the dossier.
    h.app.handle_key(key("alt-right"));
    assert!(matches!(h.app.page().load, Load::Pending(_)), "{:?}", h.app.page().load);
    h.settle();
    assert_eq!(h.title(), format!("Dossier {BENJAMIN}"));
    assert!(h.screen().contains("events: 105 (14 errors)"));
}
