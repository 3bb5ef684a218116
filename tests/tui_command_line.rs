//! The `:` line edits like a shell line (cursor keys, words, home/end) and
//! remembers its commands between runs: ↑/↓ walk them, ↓ past the newest
//! gives back what was being typed.

mod tui_support;

use lakescope::tui::mode::Mode;
use tui_support::{Harness, demo, truth};

fn line(h: &Harness) -> String {
    match &h.app.mode() {
        Mode::Command(line) => line.input.text().to_string(),
        other => panic!("not on the command line: {other:?}"),
    }
}

#[test]
fn the_command_line_edits_in_place_and_recalls_commands_across_runs() {
    let t = truth();
    let intruder = t["intrusion"]["intruder_arn"].as_str().unwrap();
    let new_ip = t["intrusion"]["new_ip"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("command-history");

    let mut h = Harness::open(&demo(), 120, 30);
    h.app.keep_history(file.clone());
    // A typo mended in the middle of the line: home, a word right, fix.
    h.keys(":");
    h.type_text(&format!("acter {intruder}"));
    h.keys("home ctrl-right left left backspace");
    h.type_text("o");
    assert_eq!(line(&h), format!("actor {intruder}"));
    let screen = h.screen();
    assert!(screen.lines().last().unwrap().starts_with(":actor arn:"), "{screen}");
    h.keys("enter");
    assert!(h.title().starts_with("Dossier"), "{}", h.title());
    h.keys(":");
    h.type_text(&format!("ip {new_ip}"));
    h.keys("enter");
    assert!(h.title().contains(new_ip), "{}", h.title());

    // Another run with the same history file.
    drop(h);
    let mut h = Harness::open(&demo(), 120, 30);
    h.app.keep_history(file);
    h.keys(":");
    h.type_text("fin");
    h.keys("up");
    assert_eq!(line(&h), format!("ip {new_ip}"));
    h.keys("up");
    assert_eq!(line(&h), format!("actor {intruder}"));
    h.keys("up");
    assert_eq!(line(&h), format!("actor {intruder}"), "the oldest stays");
    h.keys("down down");
    assert_eq!(line(&h), "fin", "past the newest: what was typed");
    h.keys("up enter");
    assert!(h.title().contains(new_ip), "{}", h.title());

    // Times relative to now on the command line: the whole 2024 lake lies
    // within 100,000 days, none of it within the last 30 minutes.
    h.keys(":");
    h.type_text("scope from=100000d to=now");
    h.keys("enter");
    let header = h.screen().lines().next().unwrap_or_default().to_string();
    assert!(header.contains("scope: from="), "{header}");
    assert!(h.app.scope().from_ms.is_some() && h.app.scope().to_ms.is_some());
    h.keys(":");
    h.type_text("scope from=-30m");
    h.keys("enter");
    let header = h.screen().lines().next().unwrap_or_default().to_string();
    assert!(header.contains("scope: from=") && !header.contains(" to="), "{header}");
    assert_eq!(h.summary("events").as_deref(), Some("0 (0 errors)"), "{}", h.screen());
}
