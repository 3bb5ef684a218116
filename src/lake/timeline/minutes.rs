//! A timeline from minute counts computed elsewhere (Athena): summed here,
//! no database needed, then laid out as a local timeline.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{BucketCount, Lane, MinuteCount, OTHER_LANE, Timeline, TimelineQuery, layout};
use crate::lake::error::Result;
use crate::lake::model::{FirstSeen, Millis};
use crate::lake::scope::Scope;

/// A timeline from minute counts (and first sightings) computed elsewhere
/// (Athena), drawn as a local one: same range, widths, lanes and grid; the
/// counts are summed here, no database needed.
pub fn from_minutes(
    scope: &Scope,
    query: &TimelineQuery,
    minutes: &[MinuteCount],
    firsts: Vec<FirstSeen>,
) -> Result<Timeline> {
    let mut by_lane: HashMap<Option<&str>, Lane> = HashMap::new();
    for (_, lane, n, e, first, _) in minutes {
        let entry = by_lane.entry(lane.as_deref()).or_insert_with(|| Lane {
            name: lane.clone(),
            events: 0,
            errors: 0,
            first_seen: None,
        });
        entry.events += n;
        entry.errors += e;
        entry.first_seen = Some(entry.first_seen.map_or(Millis(*first), |f| f.min(Millis(*first))));
    }
    let mut all_lanes: Vec<Lane> = by_lane.into_values().collect();
    // As `ORDER BY sum(n) DESC, lane` (NULL last).
    all_lanes.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.name.is_none().cmp(&b.name.is_none()))
            .then_with(|| a.name.cmp(&b.name))
    });
    let extent = minutes
        .iter()
        .map(|m| m.4)
        .min()
        .zip(minutes.iter().map(|m| m.5).max())
        .map(|(a, b)| (a, b + 1));
    layout(scope, query, all_lanes, extent, firsts, |edges, lanes, split| {
        Ok(sum_minutes(minutes, edges, lanes, split))
    })
}

/// The minutes' counts per bucket of `edges` and lane, as [`bucket_counts`]
/// sums them (lanes not kept go to `(other)`).
fn sum_minutes(minutes: &[MinuteCount], edges: &[i64], lanes: &[Lane], split: bool) -> Vec<BucketCount> {
    let (Some(&lo), Some(&hi)) = (edges.first(), edges.last()) else {
        return Vec::new();
    };
    let kept: HashSet<&str> = lanes.iter().filter_map(|l| l.name.as_deref()).collect();
    let mut sums: BTreeMap<(i64, Option<String>), (u64, u64)> = Default::default();
    for (t, lane, n, e, _, _) in minutes.iter().filter(|m| m.0 >= lo && m.0 < hi) {
        // The bucket is the last edge at or before the minute.
        let start = edges[edges.partition_point(|&edge| edge <= *t) - 1];
        let lane = match (split, lane.as_deref()) {
            (true, Some(name)) if kept.contains(name) => Some(name.to_string()),
            (true, _) => Some(OTHER_LANE.to_string()),
            (false, _) => lane.clone(),
        };
        let sum = sums.entry((start, lane)).or_default();
        sum.0 += n;
        sum.1 += e;
    }
    sums.into_iter()
        .map(|((start, lane), (n, e))| (start, lane, n, e))
        .collect()
}
