//! Timelines on the demo lake: bucket counts equal the generator's truth,
//! lanes and first sightings show the intrusion, and the binary's
//! `timeline` command keeps its JSON keys, empty buckets and local time.

mod common;

use std::process::Output;

use common::{demo_session as session, truth};
use lakescope::lake::buckets::{BucketWidth, Zone};
use lakescope::lake::{EventCriteria, LaneBy, Scope, TimelineQuery, format_ms, parse_time};
use lakescope::lake::{pivots, timeline};
use serde_json::Value;

fn cloudtrail() -> EventCriteria {
    EventCriteria {
        source: Some("cloudtrail".into()),
        ..EventCriteria::default()
    }
}

fn lakescope(args: &[&str], tz: Option<&str>) -> Output {
    let mut cmd = common::lakescope();
    cmd.args(args);
    match tz {
        Some(tz) => cmd.env("TZ", tz),
        None => cmd.env_remove("TZ"),
    };
    cmd.output().expect("run lakescope")
}

fn json(out: &Output) -> Vec<Value> {
    common::json(out).as_array().expect("an array").clone()
}

#[test]
fn hourly_buckets_equal_the_generators_counts() {
    let t = truth();
    let by_hour = t["cloudtrail"]["events_by_hour"].as_object().unwrap();
    let errors_by_hour = t["cloudtrail"]["errors_by_hour"].as_object().unwrap();
    let query = TimelineQuery {
        target: cloudtrail(),
        width: Some(BucketWidth::HOUR),
        ..TimelineQuery::default()
    };
    let timeline = timeline::timeline(&session(), &Scope::default(), &query).unwrap();
    // Seven days of hours, empty ones included.
    assert_eq!(timeline.buckets.len(), 7 * 24);
    for b in &timeline.buckets {
        let hour = format_ms(b.start.0);
        let events = by_hour.get(&hour).and_then(Value::as_u64).unwrap_or(0);
        let errors = errors_by_hour.get(&hour).and_then(Value::as_u64).unwrap_or(0);
        assert_eq!((b.events, b.errors), (events, errors), "bucket {hour}");
        assert_eq!(b.end.0 - b.start.0, 3_600_000);
    }
    let total: u64 = timeline.buckets.iter().map(|b| b.events).sum();
    assert_eq!(total, t["cloudtrail"]["events"].as_u64().unwrap());
}

#[test]
fn the_bucket_is_chosen_for_the_range() {
    let s = session();
    let auto = |max_buckets| {
        let q = TimelineQuery {
            target: cloudtrail(),
            max_buckets,
            ..TimelineQuery::default()
        };
        timeline::timeline(&s, &Scope::default(), &q).unwrap()
    };
    // The demo lake spans 7 days (2024-05-01 00:00 to 05-07 23:59).
    assert_eq!(auto(200).width.to_string(), "1h");
    assert_eq!(auto(100).width.to_string(), "2h");
    assert_eq!(auto(7).width.to_string(), "1d");
    // A scope of ten minutes gets minutes.
    let scope = Scope {
        from_ms: Some(parse_time("2024-05-05T02:10:00Z", false).unwrap()),
        to_ms: Some(parse_time("2024-05-05T02:20:00Z", false).unwrap()),
        ..Scope::default()
    };
    let tl = timeline::timeline(&s, &scope, &TimelineQuery::default()).unwrap();
    assert_eq!(tl.width, BucketWidth::MINUTE);
    assert_eq!(tl.bucket_count(), 10);
}

#[test]
fn the_new_ip_is_a_lane_of_its_own_and_a_first_sighting() {
    let t = truth();
    let i = &t["intrusion"];
    let intruder = i["intruder_arn"].as_str().unwrap();
    let new_ip = i["new_ip"].as_str().unwrap();
    let first_seen = parse_time(i["new_ip_first_seen"].as_str().unwrap(), false).unwrap();
    let query = TimelineQuery {
        target: EventCriteria {
            actor: Some(intruder.into()),
            ..EventCriteria::default()
        },
        lanes: Some(LaneBy::Ip),
        width: Some(BucketWidth::MINUTE),
        range: Some((first_seen - 60_000, first_seen + 10 * 60_000)),
        ..TimelineQuery::default()
    };
    let tl = timeline::timeline(&session(), &Scope::default(), &query).unwrap();
    // Lanes in order of appearance: the known IP first, the new one last.
    let names: Vec<_> = tl.lanes.iter().map(|l| l.name.clone().unwrap()).collect();
    let known: Vec<String> = i["known_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().into())
        .collect();
    assert_eq!(names.last().map(String::as_str), Some(new_ip));
    assert!(names[..names.len() - 1].iter().all(|n| known.contains(n)), "{names:?}");
    // Its first non-empty minute is the truth's first sighting.
    let first_bucket = tl
        .buckets
        .iter()
        .find(|b| b.lane.as_deref() == Some(new_ip) && b.events > 0)
        .expect("the new IP has events");
    assert_eq!(first_bucket.start.0, first_seen / 60_000 * 60_000);
    let sighting = tl
        .firsts
        .iter()
        .find(|f| f.kind == "ip" && f.value == new_ip)
        .expect("a first sighting of the new IP");
    assert_eq!(sighting.time.0, first_seen);
    assert!(sighting.new, "seen 4 days after the actor's first event: new");
    for ip in &known {
        let f = tl.firsts.iter().find(|f| f.kind == "ip" && &f.value == ip).unwrap();
        assert!(!f.new, "{ip} is part of the baseline");
    }
    // The lane totals equal the dossier's per-IP counts in the truth.
    for row in i["dossier"]["source_ips"].as_array().unwrap() {
        let ip = row["ip"].as_str().unwrap();
        let lane = tl.lanes.iter().find(|l| l.name.as_deref() == Some(ip)).unwrap();
        assert_eq!(lane.events, row["events"].as_u64().unwrap(), "{ip}");
    }
}

#[test]
fn lanes_beyond_the_limit_are_summed_in_other() {
    let query = TimelineQuery {
        target: cloudtrail(),
        lanes: Some(LaneBy::Actor),
        max_lanes: 3,
        width: Some(BucketWidth::DAY),
        ..TimelineQuery::default()
    };
    let tl = timeline::timeline(&session(), &Scope::default(), &query).unwrap();
    assert_eq!(tl.lanes.len(), 4);
    assert_eq!(tl.lanes[3].name.as_deref(), Some(lakescope::lake::OTHER_LANE));
    let total: u64 = tl.buckets.iter().map(|b| b.events).sum();
    assert_eq!(total, truth()["cloudtrail"]["events"].as_u64().unwrap());
    let lanes_total: u64 = tl.lanes.iter().map(|l| l.events).sum();
    assert_eq!(lanes_total, total);
}

#[test]
fn json_rows_have_the_documented_keys_and_empty_buckets() {
    // A quiet hour before the lake's first event: every minute bucket is there, with zeros.
    let rows = json(&lakescope(
        &[
            "--format",
            "json",
            "--from",
            "2024-04-30T23:00:00Z",
            "--to",
            "2024-05-01T00:30:00Z",
            "timeline",
            "--bucket",
            "15m",
            "--source",
            "cloudtrail",
        ],
        None,
    ));
    assert_eq!(rows.len(), 6);
    let keys: Vec<&str> = rows[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["start", "end", "lane", "events", "errors"]);
    assert_eq!(rows[0]["start"], "2024-04-30T23:00:00Z");
    assert_eq!(rows[0]["events"], 0);
    let by_hour = &truth()["cloudtrail"]["events_by_hour"]["2024-05-01T00:00:00Z"];
    let first_half_hour: u64 = rows[4..].iter().map(|r| r["events"].as_u64().unwrap()).sum();
    assert!(first_half_hour > 0 && first_half_hour <= by_hour.as_u64().unwrap());
}

#[test]
fn the_table_has_a_sparkline_and_bars() {
    let out = lakescope(&["timeline", "--bucket", "1d", "--source", "cloudtrail"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("7 buckets of 1d from 2024-05-01T00:00:00Z"),
        "{text}"
    );
    assert!(lines[0].ends_with("(UTC)"), "the header says which clock: {text}");
    // 966 972 952 569 620 972 949: two dips on days 4 and 5.
    assert_eq!(lines[1], "events |███▅▆██|");
    assert!(lines[3].contains("START") && lines[3].contains("CHART"));
    assert!(lines[4].contains("966") && lines[4].contains('█'));
}

#[test]
fn local_time_follows_daylight_saving() {
    // New York moved its clocks on 2024-03-10 and 2024-11-03: local days
    // last 23 and 25 hours, and the table says which clock it shows. The
    // scope's dates are UTC days, so they reach into the local day before.
    for (from, to, hours, short_or_long) in [
        ("2024-03-09", "2024-03-11", [24, 24, 23, 24], "2024-03-10T05:00:00Z"),
        ("2024-11-02", "2024-11-04", [24, 24, 25, 24], "2024-11-03T04:00:00Z"),
    ] {
        let args = [
            "--format", "json", "--from", from, "--to", to, "timeline", "--bucket", "1d", "--tz", "local",
        ];
        let rows = json(&lakescope(&args, Some("America/New_York")));
        let lengths: Vec<i64> = rows
            .iter()
            .map(|r| {
                let s = parse_time(r["start"].as_str().unwrap(), false).unwrap();
                let e = parse_time(r["end"].as_str().unwrap(), false).unwrap();
                (e - s) / 3_600_000
            })
            .collect();
        assert_eq!(lengths, hours, "{from}..{to}");
        assert_eq!(
            rows[2]["start"], short_or_long,
            "local midnight of the day the clocks move"
        );
        // The same zone by name, whatever the machine's clock.
        let named = [
            "--format",
            "json",
            "--from",
            from,
            "--to",
            to,
            "timeline",
            "--bucket",
            "1d",
            "--tz",
            "America/New_York",
        ];
        assert_eq!(json(&lakescope(&named, Some("UTC"))), rows, "--tz America/New_York");
    }
    let table = lakescope(
        &[
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "timeline",
            "--bucket",
            "1d",
            "--tz",
            "local",
        ],
        Some("America/New_York"),
    );
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.lines().next().unwrap().ends_with("(local UTC-04:00)"), "{text}");
    assert!(text.contains("2024-05-05T00:00-04:00"), "{text}");
}

#[test]
fn a_fixed_offset_aligns_days_on_its_midnight() {
    let query = TimelineQuery {
        target: cloudtrail(),
        width: Some(BucketWidth::DAY),
        zone: "+05:30".parse::<Zone>().unwrap(),
        ..TimelineQuery::default()
    };
    let tl = timeline::timeline(&session(), &Scope::default(), &query).unwrap();
    assert!(
        tl.buckets
            .iter()
            .all(|b| (b.start.0 + 5 * 3_600_000 + 1_800_000) % 86_400_000 == 0)
    );
    let total: u64 = tl.buckets.iter().map(|b| b.events).sum();
    assert_eq!(total, truth()["cloudtrail"]["events"].as_u64().unwrap());
}

#[test]
fn bad_bucket_lane_and_zone_are_refused_with_a_reason() {
    for (args, needle) in [
        (&["timeline", "--bucket", "7m"][..], "bucket"),
        (&["timeline", "--by", "colour"][..], "lane"),
        (&["timeline", "--tz", "Mars/Olympus"][..], "time zone"),
        (
            &[
                "--from",
                "2020-01-01",
                "--to",
                "2024-01-01",
                "timeline",
                "--bucket",
                "1m",
            ][..],
            "too many",
        ),
    ] {
        let out = lakescope(args, None);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn the_dossier_lists_what_is_new_since_the_actors_first_day() {
    let t = truth();
    let i = &t["intrusion"];
    let intruder = i["intruder_arn"].as_str().unwrap();
    let new_ip = i["new_ip"].as_str().unwrap();
    let first_seen = parse_time(i["new_ip_first_seen"].as_str().unwrap(), false).unwrap();
    let known = i["known_ips"][0].as_str().unwrap();
    // Scoped to the day of the intrusion, the comparison is still with the
    // whole lake: the known IP is not new that day.
    for scope in [
        Scope::default(),
        Scope {
            from_ms: Some(parse_time("2024-05-05", false).unwrap()),
            to_ms: Some(parse_time("2024-05-05", true).unwrap()),
            ..Scope::default()
        },
    ] {
        let d = pivots::actor(&session(), &scope, intruder).unwrap().unwrap();
        let ips: Vec<_> = d.new_sightings.iter().filter(|f| f.kind == "ip").collect();
        assert_eq!(ips.len(), 1, "{:?}", d.new_sightings);
        assert_eq!((ips[0].value.as_str(), ips[0].time.0), (new_ip, first_seen));
        assert!(d.new_sightings.iter().all(|f| f.value != known && f.new));
        // The recon after the new IP's arrival: its operations are new too.
        assert!(
            d.new_sightings
                .iter()
                .any(|f| f.kind == "operation" && f.value == "ListUsers")
        );
    }
}
