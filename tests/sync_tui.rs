//! The TUI open on a lake that a sync is filling: files copied in while the
//! app runs → a notice on the status line → the refresh key → the new
//! partition is on screen, without restarting.

mod tui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use tui_support::Harness;

const PARTITIONS: &str = "aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1";

fn copy_partition(from: &Path, to: &Path, account: &str, day: &str) {
    let relative = format!("{PARTITIONS}/accountId={account}/eventDay={day}");
    let target = to.join(&relative);
    std::fs::create_dir_all(&target).expect("mkdir");
    for entry in std::fs::read_dir(from.join(&relative)).expect("fixture partition") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
    }
}

/// Tick the app until the screen shows `needle`, for at most `seconds`.
fn wait_for(h: &mut Harness, needle: &str, seconds: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        h.settle();
        let screen = h.screen();
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} not shown within {seconds} s:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn new_partitions_are_announced_and_taken_in_on_refresh() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("lake");
    let dir = tempfile::tempdir().expect("tempdir");
    copy_partition(&demo, dir.path(), "012345678901", "20240504");
    let mut h = Harness::open(dir.path(), 120, 30);
    h.app.watch_lake(Duration::from_millis(20));
    h.keys("p");
    let before = h.screen();
    assert!(before.contains("012345678901"), "{before}");
    assert!(!before.contains("111122223333"), "{before}");

    copy_partition(&demo, dir.path(), "111122223333", "20240505");
    let notice = wait_for(&mut h, "press ctrl-r to refresh", 30);
    assert!(notice.contains("1 new partition(s)"), "{notice}");
    assert!(
        !notice.contains("111122223333"),
        "not taken in before the refresh:\n{notice}"
    );

    h.keys("ctrl-r");
    let after = wait_for(&mut h, "111122223333", 60);
    assert!(after.contains("012345678901"), "{after}");
    assert!(after.contains("lake reopened"), "{after}");
}

/// A page answered anew (the lake grew, more days indexed) keeps the
/// cursor on the same actor though its row moved: busier actors from the
/// new partition come in above it.
#[test]
fn the_selected_row_stays_selected_when_the_page_is_answered_anew() {
    use lakescope::tui::screen::View;
    use lakescope::tui::screens::actors::ActorsScreen;

    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("lake");
    let dir = tempfile::tempdir().expect("tempdir");
    copy_partition(&demo, dir.path(), "012345678901", "20240504");
    let mut h = Harness::open(dir.path(), 120, 30);
    h.app.watch_lake(Duration::from_millis(20));
    h.keys("2");
    h.settle();
    h.keys("G");
    fn actors(h: &Harness) -> &ActorsScreen {
        h.app.screen::<ActorsScreen>().expect("the actors page")
    }
    let chosen = actors(&h).selected().expect("a row").arn.clone();
    let before = actors(&h).list().cursor;

    copy_partition(&demo, dir.path(), "111122223333", "20240505");
    wait_for(&mut h, "press ctrl-r to refresh", 30);
    h.keys("ctrl-r");
    wait_for(&mut h, "111122223333", 60);
    let after = actors(&h).list().cursor;
    assert_eq!(actors(&h).selected().map(|a| a.arn.clone()), Some(chosen.clone()));
    assert_ne!(before, after, "{chosen} did not move: the test proves nothing");
}
