//! `/` on tables without a fuzzy filter searches their rows: the cursor
//! goes to the first row holding the text as it is typed, Enter keeps the
//! search for `n`/`N` (next and previous match, wrapping), Esc goes back to
//! where the search started; the status line says which match of how many.

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
}
