//! Every screen at 120×40 and 80×24 (insta snapshots of the rendered text).

mod tui_support;

use tui_support::{Harness, invictus};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const STEAL: &str =
    "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed";

/// Open the lake at each size, run `keys`, snapshot the screen.
fn check(name: &str, setup: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut harness = Harness::open(&invictus(), w, h);
        setup(&mut harness);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), harness.snapshot_text());
    }
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
        h.type_text("stratus");
    });
}

#[test]
fn actors_sorted_by_errors() {
    check("actors_sorted_by_errors", |h| h.keys("s"));
}

#[test]
fn dossier() {
    check("dossier", |h| command(h, &format!("actor {STEAL}")));
}

#[test]
fn ip_report() {
    check("ip", |h| command(h, "ip 3.225.16.109"));
}

#[test]
fn key_report() {
    check("key", |h| command(h, "key ASIATFQR7NSCSHSEVYP5"));
}

#[test]
fn resource_report() {
    check("resource", |h| command(h, "resource i-0dbc91f429e48eeed"));
}

#[test]
fn events() {
    check("events", |h| {
        command(h, "events actor=arn:aws:iam::123837392027:user/benjamin errors")
    });
}

#[test]
fn inspector() {
    check("inspector", |h| {
        command(h, "events actor=arn:aws:iam::123837392027:user/benjamin errors");
        h.keys("enter");
    });
}

#[test]
fn partitions() {
    check("partitions", |h| h.keys("p j j l"));
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
        command(h, "scope from=2023-07-10T23:00:00Z to=2023-07-11")
    });
}
