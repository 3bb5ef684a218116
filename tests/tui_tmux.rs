//! The real binary in a real terminal (tmux): what a responder sees, and a
//! terminal given back intact on quit, on Ctrl-C and on a lake error.

use std::path::PathBuf;

use std::time::{Duration, Instant};

mod common;

use common::tmux::Tmux;

fn invictus() -> PathBuf {
    common::real("invictus-aws")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_lakescope")
}

#[test]
fn a_responder_session_in_a_real_terminal() {
    let command = format!("{} --lake {}", bin(), invictus().display());
    let tmux = Tmux::start("session", 120, 40, &command);
    let screen = tmux.wait_for("user/bert-jan");
    assert!(
        screen.contains("lakescope │ invictus-aws │ scope: whole lake"),
        "{screen}"
    );
    assert!(screen.contains("[1/1] Actors"), "{screen}");
    assert_eq!(tmux.flag("alternate_on"), "1");

    tmux.send(&["/", "steal cred", "Enter", "Enter"]);
    let screen = tmux.wait_for("Source IPs (2)");
    assert!(
        screen.contains("[2/2] Dossier arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal"),
        "{screen}"
    );

    // Copy the selected row's value: OSC 52 lands in tmux's paste buffer.
    tmux.send(&["y"]);
    tmux.wait_for("copied");
    let buffer = String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).to_string();
    assert!(
        buffer.starts_with("arn:aws:sts::123837392027:assumed-role/"),
        "clipboard: {buffer:?}"
    );

    // A resize redraws at the new size.
    tmux.run(&["resize-window", "-x", "80", "-y", "24"]);
    std::thread::sleep(Duration::from_millis(500));
    let screen = tmux.wait_for("Sessions (2)");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");

    tmux.send(&["BSpace"]);
    tmux.wait_for("[1/2] Actors /steal cred");
    tmux.send(&["q"]);
    tmux.assert_restored();
    assert!(tmux.screen().contains("EXIT=0"), "{}", tmux.screen());
    // Logs went to the data directory, not to the screen.
    let log = std::fs::read_to_string(tmux.home.path().join("data/lakescope/tui.log")).expect("a log file");
    assert!(log.contains("tui started") && log.contains("tui stopped"), "{log}");
}

#[test]
fn the_config_file_rebinds_keys_and_help_shows_them() {
    let command = format!("{} --lake {}", bin(), invictus().display());
    let config = "theme = \"high-contrast\"\n[keys]\nback = [\"b\"]\nhelp = [\"H\"]\n";
    let tmux = Tmux::start_with("config", 100, 30, &command, Some(config));
    tmux.wait_for("user/bert-jan");
    tmux.send(&["Enter"]);
    tmux.wait_for("[2/2] Dossier arn:aws:iam::123837392027:user/bert-jan");
    tmux.send(&["H"]);
    // Help lists the user's back key.
    let screen = tmux.wait_for("back to the previous view");
    assert!(screen.contains("│b "), "{screen}");
    tmux.send(&["Escape"]);
    // ESC followed at once by a key reads as Alt+key: let the help close first.
    let start = Instant::now();
    while tmux.screen().contains("keys (from your bindings)") {
        assert!(start.elapsed() < Duration::from_secs(10), "help did not close");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.send(&["b"]);
    tmux.wait_for("[1/2] Actors");
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn a_bad_theme_name_is_a_message_before_the_screen_is_touched() {
    let command = format!("{} --lake {} --theme neon", bin(), invictus().display());
    let tmux = Tmux::start("theme", 80, 24, &command);
    let screen = tmux.wait_for("EXIT=1");
    assert!(screen.contains("unknown theme \"neon\""), "{screen}");
    tmux.assert_restored();
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let command = format!("{} --lake {}", bin(), invictus().display());
    let tmux = Tmux::start("ctrlc", 80, 24, &command);
    tmux.wait_for("user/bert-jan");
    tmux.send(&[":", "ac"]);
    tmux.send(&["C-c"]);
    tmux.assert_restored();
    assert!(tmux.screen().contains("EXIT=0"), "{}", tmux.screen());
}

#[test]
fn a_lake_error_is_a_message_and_the_terminal_is_untouched() {
    let command = format!("{} --lake /nonexistent/lake", bin());
    let tmux = Tmux::start("lakeerror", 80, 24, &command);
    let screen = tmux.wait_for("EXIT=1");
    assert!(screen.contains("cannot open the lake at /nonexistent/lake"), "{screen}");
    tmux.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal_and_its_message_is_readable() {
    // The trigger is read by debug builds only (tests build the dev profile).
    let command = format!("LAKESCOPE_TEST_PANIC=1 {} --lake {}", bin(), invictus().display());
    let tmux = Tmux::start("panic", 100, 30, &command);
    tmux.assert_restored();
    let screen = tmux.screen();
    assert!(screen.contains("EXIT=101"), "{screen}");
    assert!(
        screen.contains("panicked at")
            && screen.contains("LAKESCOPE_TEST_PANIC: deliberate panic after the first frame"),
        "the panic message is on the normal screen:\n{screen}"
    );
    // Nothing printed afterwards overwrote it (leaving the alternate screen
    // twice would send the cursor back to the top left).
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("thread '") && l.contains("panicked at")),
        "{screen}"
    );
    assert!(screen.lines().any(|l| l.trim_end() == "EXIT=101"), "{screen}");
    // The message is plain text, not drawn through raw mode's staircase.
    let line = screen
        .lines()
        .find(|l| l.contains("deliberate panic"))
        .unwrap_or_default();
    assert!(line.starts_with("LAKESCOPE_TEST_PANIC"), "{screen}");
}

/// A headless command on a cold cache with stderr on a terminal: the
/// spinner says what is converted and indexed, and is cleared at the end,
/// leaving stdout (here a file) to the answer alone.
#[test]
fn a_cold_command_shows_its_progress_on_a_terminal_and_clears_it() {
    let out = tempfile::tempdir().unwrap();
    let answer = out.path().join("summary.txt");
    let command = format!(
        "{} --lake {} summary > {}",
        bin(),
        common::demo().display(),
        answer.display()
    );
    let tmux = Tmux::start("progress", 120, 20, &command);
    let start = Instant::now();
    let mut seen = Vec::new();
    let last = loop {
        let screen = tmux.screen();
        if screen.contains("EXIT=") {
            break screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no end; screens:\n{seen:#?}"
        );
        seen.push(screen.trim().to_string());
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        seen.iter().any(|s| s.contains("converting CloudTrail: day folder")),
        "{seen:#?}\nat the end:\n{last}"
    );
    assert!(seen.iter().any(|s| s.contains("indexing day")), "{seen:#?}");
    assert!(last.contains("EXIT=0"), "{last}");
    assert!(
        !last.contains("converting") && !last.contains("indexing"),
        "the spinner was left on screen:\n{last}"
    );
    let summary = std::fs::read_to_string(&answer).unwrap();
    assert!(
        summary.contains("events") && !summary.contains("converting"),
        "{summary}"
    );
}

/// `A` copies the page's question as Athena SQL (OSC 52 to tmux's buffer),
/// over the tables of the region AWS_REGION names, under the page's scope.
#[test]
fn the_events_page_copies_as_athena_sql() {
    let command = format!(
        "AWS_REGION=eu-west-1 {} --lake {} --account 111122223333",
        bin(),
        common::demo().display()
    );
    let tmux = Tmux::start("athena", 120, 30, &command);
    tmux.wait_for("Actors");
    tmux.send(&["3"]);
    tmux.wait_for("Events");
    tmux.send(&["A"]);
    tmux.wait_for("copied");
    let buffer = String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).to_string();
    assert!(buffer.starts_with("WITH flat AS ("), "clipboard: {buffer:?}");
    assert!(
        buffer.contains(
            "amazon_security_lake_glue_db_eu_west_1.amazon_security_lake_table_eu_west_1_cloud_trail_mgmt_2_0"
        ),
        "{buffer}"
    );
    assert!(buffer.contains("accountid IN ('111122223333')"), "{buffer}");
    // The scope's timeline (UTC, no lanes) too; with lanes there is no form yet.
    tmux.run(&["delete-buffer"]);
    tmux.send(&["4"]);
    // The timeline's width is known once it has answered.
    tmux.wait_for("buckets of");
    tmux.send(&["A"]);
    let copied = || {
        let start = Instant::now();
        loop {
            let out = tmux.run(&["show-buffer"]);
            if out.status.success() && !out.stdout.is_empty() {
                tmux.run(&["delete-buffer"]);
                break String::from_utf8_lossy(&out.stdout).to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "nothing copied: {}",
                tmux.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let buffer = copied();
    assert!(
        buffer.contains(" AS start_ms, ") && buffer.contains("GROUP BY 1, 2") && buffer.contains("\"time\" >= "),
        "{buffer}"
    );
    tmux.send(&["b"]);
    tmux.send(&["A"]);
    tmux.wait_for("no Athena form for this page yet");
    // A dossier: one statement per section, the actor's events as `sub`.
    tmux.send(&["2"]);
    tmux.wait_for("user/ci-deploy ");
    tmux.send(&["Enter"]);
    tmux.wait_for("Dossier arn:");
    tmux.send(&["A"]);
    let buffer = copied();
    assert!(buffer.starts_with("-- summary\nWITH flat AS ("), "{buffer}");
    for section in ["-- sessions\n", "-- access_keys\n", "-- resources\n", "-- operations\n"] {
        assert!(buffer.contains(section), "{section} in {buffer}");
    }
    assert!(
        buffer.contains("sub AS (SELECT * FROM ev WHERE (actor_key = 'arn:"),
        "{buffer}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
}
