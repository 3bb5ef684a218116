//! The case in the workbench, by keys on the demo lake: mark the
//! intruder's first event from the new IP, its role-chain sessions and the
//! bucket-policy change, add notes, quit, open again: the case is intact,
//! its rows marked where they appear; exported, every event equals the
//! lake's record with its file's SHA-256; the lake stays byte-identical.

mod tui_support;

use lakescope::tui::screens::case::CaseScreen;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tui_support::{Harness, demo, truth};

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

/// `/TEXT`, then mark the row it leaves the cursor on (with a tag).
fn mark_row(h: &mut Harness, text: &str, tag: &str) {
    h.keys("/");
    h.type_text(text);
    h.keys("enter m");
    h.type_text(tag);
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains("marked "), "{screen}");
    h.keys("/ ctrl-u enter");
}

fn note(h: &mut Harness, text: &str) {
    h.keys("M");
    h.type_text(text);
    h.keys("enter");
    assert!(h.screen().contains("note added to"), "{}", h.screen());
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn marks_survive_a_restart_and_export_as_the_lakes_records() {
    let before = tui_support::common::snapshot(&demo());
    let t = truth();
    let intrusion = &t["intrusion"];
    let new_ip = text(&intrusion["new_ip"]);
    let policy = &intrusion["bucket_policy_change"];
    let sessions: Vec<&str> = intrusion["role_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| text(&s["session_arn"]))
        .collect();
    let data = tempfile::tempdir().unwrap();
    let cases = data.path().join("lakescope/cases");

    let mut h = Harness::open_with_cases(&demo(), 140, 40, &cases);
    // The first event from the new IP: the IP's events, oldest first.
    command(&mut h, &format!("ip {new_ip}"));
    h.keys("e");
    assert!(h.title().starts_with("Events ip="), "{}", h.title());
    h.keys("g m");
    h.type_text("ioc");
    h.keys("enter");
    note(&mut h, "first call from the new IP");
    // The role-chain sessions, from the IP's page.
    h.keys("backspace");
    for session in &sessions {
        mark_row(&mut h, session, "suspicious");
    }
    // The bucket-policy change.
    command(&mut h, "events operation=PutBucketPolicy");
    mark_row(&mut h, text(&policy["event_id"]), "suspicious");
    drop(h);

    // Open again: the same case, its marks in time order, marked rows shown.
    let mut h = Harness::open_with_cases(&demo(), 140, 40, &cases);
    h.keys("C");
    let case = h.app.screen::<CaseScreen>().expect("the case screen");
    let kinds: Vec<(&str, &str)> = case.marks.iter().map(|m| (m.kind.label(), m.value.as_str())).collect();
    assert_eq!(kinds.len(), 2 + sessions.len(), "{kinds:?}");
    assert_eq!(kinds[1], ("event", text(&policy["event_id"])), "{kinds:?}");
    for session in &sessions {
        assert!(kinds.contains(&("actor", session)), "{kinds:?}");
    }
    let first = &case.marks[0];
    assert_eq!(first.tag.as_deref(), Some("ioc"));
    assert_eq!(first.notes, ["first call from the new IP"]);
    let pages: Vec<&str> = first.path.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        pages,
        ["Actors", &format!("IP {new_ip}"), &format!("Events ip={new_ip}")]
    );
    insta::assert_snapshot!("case_screen", h.snapshot_text());
    // Enter on a session goes to its dossier, where it is marked.
    h.keys("/");
    h.type_text(sessions[0]);
    h.keys("enter enter");
    assert!(h.title().starts_with("Dossier"), "{}", h.title());
    command(&mut h, &format!("ip {new_ip}"));
    let screen = h.screen();
    for session in &sessions {
        let line = screen
            .lines()
            .find(|l| l.contains(session))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(line.contains('●'), "not marked: {line}");
    }
    // Several cases per lake: another one starts empty, and back again.
    command(&mut h, "case second-look");
    assert_eq!(h.title(), "Case second-look (0 marks)");
    command(&mut h, "case default");
    assert_eq!(h.title(), format!("Case default ({} marks)", 2 + sessions.len()));
    drop(h);

    // Exported by the command line from the same data dir.
    let out = tui_support::common::lakescope()
        .env("XDG_DATA_HOME", data.path())
        .env("LAKESCOPE_CACHE_DIR", data.path().join("cache"))
        .args(["--format", "timesketch", "--lake"])
        .arg(demo())
        .args(["case", "export"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(text(&lines[1]["event_id"]), text(&policy["event_id"]));
    assert_eq!(text(&lines[1]["actor"]), text(&policy["actor_arn"]));
    assert_eq!(
        text(&lines[1]["datetime"]).replace(".000Z", "Z"),
        text(&policy["event_time"])
    );
    assert_eq!(text(&lines[0]["source_ip"]), new_ip);
    assert_eq!(
        text(&lines[0]["datetime"]).replace(".000Z", "Z"),
        text(&intrusion["new_ip_first_seen"])
    );
    for line in &lines {
        let file = demo().join(text(&line["lake_file"]));
        let hash = format!("{:x}", Sha256::digest(std::fs::read(&file).unwrap()));
        assert_eq!(text(&line["file_sha256"]), hash);
    }
    assert!(tui_support::common::snapshot(&demo()) == before, "the lake changed");
}
