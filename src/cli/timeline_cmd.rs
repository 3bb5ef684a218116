//! `lakescope timeline`: one row per bucket (and lane), empty buckets
//! included; the table adds a sparkline per lane and a bar per row.

use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::args::Command;
use super::output::{self, Format};
use crate::lake::buckets::Zone;
use crate::lake::timeline::TimelineQuery;
use crate::lake::{EventCriteria, Timeline, format_ms};
use crate::text::{bar, sanitize, sparkline};

/// Bars in the table are at most this many cells wide.
const BAR_CELLS: usize = 24;

/// The query of a `timeline` command line (None: another command).
pub fn query_of(command: Option<&Command>) -> Option<Result<TimelineQuery>> {
    match command {
        Some(Command::Timeline {
            which,
            bucket,
            by,
            lanes,
            tz,
        }) => Some(query(which.criteria(), bucket.as_deref(), by.as_deref(), *lanes, tz)),
        _ => None,
    }
}

/// `lakescope timeline`'s query from its options.
fn query(
    target: EventCriteria,
    bucket: Option<&str>,
    by: Option<&str>,
    lanes: usize,
    tz: &str,
) -> Result<TimelineQuery> {
    Ok(TimelineQuery {
        target,
        lanes: by.map(str::parse).transpose()?,
        max_lanes: lanes,
        width: bucket.map(str::parse).transpose()?,
        max_buckets: 200,
        zone: tz.parse()?,
        range: None,
    })
}

/// One row per bucket (and lane), as JSON and CSV give them.
pub fn rows(timeline: &Timeline, format: Format) -> Vec<Value> {
    timeline
        .buckets
        .iter()
        .map(|b| {
            if format == Format::Table {
                json!({
                    "start": zone_time(timeline.zone, b.start.0),
                    "end": zone_time(timeline.zone, b.end.0),
                    "lane": b.lane,
                    "events": b.events,
                    "errors": b.errors,
                })
            } else {
                json!({"start": b.start, "end": b.end, "lane": b.lane, "events": b.events, "errors": b.errors})
            }
        })
        .collect()
}

pub fn render(timeline: &Timeline, format: Format, out: &mut dyn Write) -> Result<()> {
    let rows = rows(timeline, format);
    if format != Format::Table {
        return Ok(output::render(&Value::Array(rows), format, out)?);
    }
    let Some((from, to)) = timeline.range else {
        writeln!(out, "(no events)")?;
        return Ok(());
    };
    writeln!(
        out,
        "{} buckets of {} from {} to {} ({})",
        timeline.bucket_count(),
        timeline.width,
        zone_time(timeline.zone, from),
        zone_time(timeline.zone, to),
        timeline.zone.label(from)
    )?;
    let name_width = timeline
        .lanes
        .iter()
        .map(|l| l.name.as_deref().map_or(6, |n| n.chars().count()))
        .max()
        .unwrap_or(6);
    for lane in &timeline.lanes {
        let counts: Vec<u64> = timeline
            .buckets
            .iter()
            .filter(|b| b.lane == lane.name)
            .map(|b| b.events)
            .collect();
        let name = sanitize(lane.name.as_deref().unwrap_or("events"));
        writeln!(out, "{name:<name_width$} |{}|", sparkline(&counts))?;
    }
    writeln!(out)?;
    let max = timeline.buckets.iter().map(|b| b.events).max().unwrap_or(0);
    let mut with_bars = rows;
    for (row, b) in with_bars.iter_mut().zip(&timeline.buckets) {
        if let Value::Object(map) = row {
            if b.lane.is_none() {
                map.shift_remove("lane");
            }
            map.insert("chart".into(), Value::String(bar(b.events, max, BAR_CELLS)));
        }
    }
    output::render(&Value::Array(with_bars), format, out)?;
    for first in timeline.firsts.iter().filter(|f| f.new) {
        writeln!(
            out,
            "first seen: {} {} at {}",
            first.kind,
            sanitize(&first.value),
            zone_time(timeline.zone, first.time.0)
        )?;
    }
    Ok(())
}

/// RFC 3339 in UTC; in another zone, its wall clock with the offset.
fn zone_time(zone: Zone, ms: i64) -> String {
    match zone {
        Zone::Utc => format_ms(ms),
        other => other.format(ms, "%Y-%m-%dT%H:%M%:z"),
    }
}
