//! Every screen at 120×40 and 80×24 (insta snapshots of the rendered text),
//! on the committed demo lake and its planted intrusion (`TRUTH.json`);
//! one real-data screen (the invictus trail) is its own test.

mod tui_support;

use std::path::Path;

use tui_support::{Harness, demo, invictus};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
/// The demo lake's intruder, its new IP, a key of its role chain and the
/// bucket whose policy it changed (see `fixtures/lake/TRUTH.json`).
const INTRUDER: &str = "arn:aws:iam::111122223333:user/ci-deploy";
const NEW_IP: &str = "203.0.113.66";
const CHAIN_KEY: &str = "ASIAZ4FWYH65FCVVRDFQ";
const BUCKET: &str = "arn:aws:s3:::acme-data-exports";
const STEAL: &str =
    "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed";

/// Open `lake` at each size, run `setup`, snapshot the screen.
fn check_on(lake: &Path, name: &str, setup: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut harness = Harness::open(lake, w, h);
        setup(&mut harness);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), harness.snapshot_text());
    }
}

fn check(name: &str, setup: impl Fn(&mut Harness)) {
    check_on(&demo(), name, setup)
}

fn command(h: &mut Harness, line: &str) {
    h.keys(":");
    h.type_text(line);
    h.keys("enter");
}

#[test]
fn actors() {
    check("actors", |_| {});
}

#[test]
fn actors_filtered() {
    check("actors_filtered", |h| {
        h.keys("/");
        h.type_text("deploy");
    });
}

#[test]
fn actors_sorted_by_errors() {
    check("actors_sorted_by_errors", |h| h.keys("s"));
}

#[test]
fn dossier() {
    check("dossier", |h| command(h, &format!("actor {INTRUDER}")));
}

#[test]
fn ip_report() {
    check("ip", |h| command(h, &format!("ip {NEW_IP}")));
}

#[test]
fn key_report() {
    check("key", |h| command(h, &format!("key {CHAIN_KEY}")));
}

#[test]
fn resource_report() {
    check("resource", |h| command(h, &format!("resource {BUCKET}")));
}

#[test]
fn events() {
    check("events", |h| command(h, &format!("events actor={INTRUDER} errors")));
}

#[test]
fn inspector() {
    check("inspector", |h| {
        command(h, &format!("events actor={INTRUDER} errors"));
        h.keys("enter");
    });
}

#[test]
fn partitions() {
    check("partitions", |h| h.keys("p j j l"));
}

#[test]
fn hunts() {
    check("hunts", |h| h.keys("h"));
}

#[test]
fn hunt_events() {
    check("hunt_events", |h| {
        h.keys("h");
        h.cursor_to_hunt("Burst of AccessDenied errors");
        h.keys("enter");
    });
}

#[test]
fn hunt_sequence() {
    check("hunt_sequence", |h| {
        h.keys("h");
        h.cursor_to_hunt("New network, then denied calls, then an IAM change, within an hour");
        h.keys("enter");
    });
}

#[test]
fn help() {
    check("help", |h| h.keys("?"));
}

#[test]
fn command_completion() {
    check("command_completion", |h| {
        h.keys(": tab tab tab");
    });
}

#[test]
fn no_events_in_scope() {
    check("empty_scope", |h| {
        command(h, "scope from=2024-05-04T03:00:00Z to=2024-05-04T03:00:01Z")
    });
}

/// One screen of real data: a dossier from the invictus trail.
#[test]
fn real_data_dossier() {
    check_on(&invictus(), "invictus_dossier", |h| {
        command(h, &format!("actor {STEAL}"))
    });
}
