//! `/` on tables without a fuzzy filter narrows them to the rows holding
//! the text as it is typed (the cursor on the first), Enter keeps it for
//! `n`/`N` (next and previous match, wrapping) and the cursor keys walk only
//! those rows, Esc goes back to the rows and the row from before, an empty
//! `/` shows every row again; the status line says which match of how many.

mod tui_support;

use lakescope::tui::screens::events::EventsScreen;
use tui_support::{Harness, demo, truth};

#[test]
fn slash_searches_a_dossier_and_an_events_page_n_and_shift_n_walk_the_matches() {
    let t = truth();
    let intruder = t["intrusion"]["intruder_arn"].as_str().unwrap();
    let new_ip = t["intrusion"]["new_ip"].as_str().unwrap();
    let mut h = Harness::open(&demo(), 140, 40);
    h.keys(":");
    h.type_text(&format!("actor {intruder}"));
    h.keys("enter");
    assert!(h.title().starts_with("Dossier"), "{}", h.title());
    assert!(h.screen().contains("Hunts hit ("));

    // The dossier: the new IP's row, found as the text is typed.
    h.keys("/");
    h.type_text(new_ip);
    let row = h.selected_row().unwrap();
    assert!(row.iter().any(|c| c.contains(new_ip)), "{row:?}");
    h.keys("enter");
    let screen = h.screen();
    assert!(screen.contains(&format!("/{new_ip}: match 1 of ")), "{screen}");

    // Back to the top, then `n` finds it again; a search of nothing found
    // leaves the cursor, and Esc returns to where the search began.
    h.keys("g n");
    assert!(h.selected_row().unwrap().iter().any(|c| c.contains(new_ip)));
    let at = h.app.page().screen.list().cursor;
    h.keys("/");
    h.type_text("no-such-text-anywhere");
    assert_eq!(h.app.page().screen.list().cursor, at);
    h.keys("esc");
    assert_eq!(h.app.page().screen.list().cursor, at);
    assert!(h.title().ends_with(&format!(" /{new_ip}")), "{}", h.title());
    // Sections without the IP are gone; the summary stays.
    let screen = h.screen();
    assert!(screen.contains("Source IPs"), "{screen}");
    assert!(!screen.contains("Hunts hit ("), "{screen}");

    // An events page: every match in order, `n` wraps, `N` goes back.
    h.keys("3");
    let rows = &h.app.screen::<EventsScreen>().expect("the events page").rows;
    let operation = "GetCallerIdentity";
    let expected: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| serde_json::to_string(r).unwrap().contains(operation))
        .map(|(i, _)| i)
        .collect();
    assert!(
        expected.len() >= 2,
        "the first page has {} {operation} calls",
        expected.len()
    );
    h.keys("/");
    h.type_text(&operation.to_lowercase());
    h.keys("enter");
    let cursor = |h: &Harness| h.app.page().screen.list().cursor;
    assert_eq!(cursor(&h), expected[0]);
    // Only the matching rows are drawn, under the column header.
    let screen = h.screen();
    let drawn: Vec<&str> = screen.lines().filter(|l| l.starts_with("2024-")).collect();
    assert_eq!(drawn.len(), expected.len().min(30), "{screen}");
    assert!(drawn.iter().all(|l| l.contains(operation)), "{screen}");
    // The cursor keys walk the matches only.
    h.keys("j");
    assert_eq!(cursor(&h), expected[1]);
    h.keys("G");
    assert_eq!(cursor(&h), *expected.last().unwrap());
    h.keys("g");
    let mut seen = vec![cursor(&h)];
    for _ in 1..expected.len() {
        h.keys("n");
        seen.push(cursor(&h));
    }
    assert_eq!(seen, expected);
    let screen = h.screen();
    assert!(
        screen.contains(&format!("match {n} of {n}", n = expected.len())),
        "{screen}"
    );
    h.keys("n");
    assert_eq!(cursor(&h), expected[0], "n wraps to the first match");
    h.keys("N");
    assert_eq!(cursor(&h), *expected.last().unwrap(), "N wraps back to the last");

    // An empty `/` shows every row again, the cursor where it was.
    h.keys("/ ctrl-u enter");
    assert_eq!(cursor(&h), *expected.last().unwrap());
    assert!(!h.title().contains('/'), "{}", h.title());
    let screen = h.screen();
    assert!(screen.contains("every row shown"), "{screen}");
    let drawn = screen.lines().filter(|l| l.starts_with("2024-")).count();
    assert!(drawn > expected.len().min(30), "{screen}");

    // Back on the dossier, its narrowing is as it was left.
    h.keys("backspace");
    assert!(h.title().ends_with(&format!(" /{new_ip}")), "{}", h.title());
}
