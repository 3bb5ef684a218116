//! Timelines: event and error counts per time bucket, optionally split into
//! lanes (source IP, session, key, account, region, operation, actor), and
//! the first sightings of an actor.
//!
//! DuckDB does the counting in two steps: one scan of the lake aggregates the
//! matching events per minute and lane into a small temp table; each view
//! (range, bucket width, zone) then assigns those minutes to bucket edges with
//! an ASOF join. Zooming and panning re-read only the small table.

pub mod minutes;

use std::str::FromStr;

use duckdb::types::Value;

use super::buckets::{BucketWidth, Zone, edges};
use super::criteria::EventCriteria;
use super::error::{LakeError, Result};
use super::model::{BASELINE_MS, FirstSeen, Millis, SightingKind};
use super::network::minute_counts;
use super::scope::{Filter, Scope};
use super::session::Session;

/// What splits a timeline into lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneBy {
    Ip,
    Session,
    Key,
    Account,
    Region,
    Operation,
    Actor,
    /// API calls, flows, DNS, HTTP and findings of the subject on one axis.
    Source,
}

impl LaneBy {
    pub const ALL: [LaneBy; 8] = [
        LaneBy::Ip,
        LaneBy::Session,
        LaneBy::Key,
        LaneBy::Account,
        LaneBy::Region,
        LaneBy::Operation,
        LaneBy::Actor,
        LaneBy::Source,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LaneBy::Ip => "ip",
            LaneBy::Session => "session",
            LaneBy::Key => "key",
            LaneBy::Account => "account",
            LaneBy::Region => "region",
            LaneBy::Operation => "operation",
            LaneBy::Actor => "actor",
            LaneBy::Source => "source",
        }
    }

    /// The lane of an event, as SQL over the flat columns. A role session is
    /// its session ARN; other callers are told apart by their access key.
    /// The lane's expression over the flat event columns (DuckDB and Athena alike).
    pub(crate) fn sql(self) -> &'static str {
        match self {
            LaneBy::Ip => "coalesce(src_ip, src_domain)",
            LaneBy::Session => {
                "CASE WHEN session_issuer IS NOT NULL THEN coalesce(actor_arn, actor_key) ELSE access_key_id END"
            }
            LaneBy::Key => "access_key_id",
            LaneBy::Account => "account",
            LaneBy::Region => "region",
            LaneBy::Operation => "operation",
            LaneBy::Actor => "actor_key",
            LaneBy::Source => "'API calls'",
        }
    }

    /// The next lane split for a cycling key; `None` (no lanes) after the last.
    pub fn cycle(current: Option<LaneBy>) -> Option<LaneBy> {
        match current {
            None => Some(LaneBy::ALL[0]),
            Some(l) => LaneBy::ALL
                .iter()
                .position(|x| *x == l)
                .and_then(|i| LaneBy::ALL.get(i + 1))
                .copied(),
        }
    }
}

impl FromStr for LaneBy {
    type Err = LakeError;
    fn from_str(text: &str) -> Result<LaneBy> {
        LaneBy::ALL
            .into_iter()
            .find(|l| l.name() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| LakeError::InvalidInput {
                what: "lane",
                detail: format!("{text:?}: use one of {}", LaneBy::ALL.map(|l| l.name()).join(", ")),
            })
    }
}

/// The lane of events whose lane value is missing (no access key, no IP…).
pub const NO_VALUE_LANE: &str = "(none)";
/// The lane that gathers the lanes beyond `max_lanes`.
pub const OTHER_LANE: &str = "(other)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineQuery {
    /// Which events (actor, IP, key, resource…).
    pub target: EventCriteria,
    pub lanes: Option<LaneBy>,
    /// Busiest lanes kept; the rest are counted in one `(other)` lane.
    pub max_lanes: usize,
    /// `None`: the smallest width giving at most `max_buckets` buckets.
    pub width: Option<BucketWidth>,
    pub max_buckets: usize,
    pub zone: Zone,
    /// The range shown, `[from, to)` in ms; `None`: the scope's bounds, else
    /// the first and last matching event.
    pub range: Option<(i64, i64)>,
}

impl Default for TimelineQuery {
    fn default() -> Self {
        TimelineQuery {
            target: EventCriteria::default(),
            lanes: None,
            max_lanes: 12,
            width: None,
            max_buckets: 120,
            zone: Zone::Utc,
            range: None,
        }
    }
}

/// Counts of one bucket in one lane (`lane` is `None` without lanes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bucket {
    pub start: Millis,
    pub end: Millis,
    pub lane: Option<String>,
    pub events: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lane {
    pub name: Option<String>,
    pub events: u64,
    pub errors: u64,
    pub first_seen: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Timeline {
    pub width: BucketWidth,
    pub zone: Zone,
    /// The range the buckets cover, `[from, to)`.
    pub range: Option<(i64, i64)>,
    /// First and last matching event in the scope (whatever the range).
    pub extent: Option<(i64, i64)>,
    /// Lanes in order of first appearance (one `None` lane without lanes).
    pub lanes: Vec<Lane>,
    /// Every bucket × lane, empty ones included, by start then lane order.
    pub buckets: Vec<Bucket>,
    /// For an actor's timeline: its first sightings, oldest first.
    pub firsts: Vec<FirstSeen>,
}

impl Timeline {
    /// Bucket count per lane.
    pub fn bucket_count(&self) -> usize {
        self.buckets.len() / self.lanes.len().max(1)
    }
}

/// (bucket start, lane, events, errors) of a non-empty bucket.
type BucketCount = (i64, Option<String>, u64, u64);

fn count(row: &duckdb::Row<'_>, i: usize) -> duckdb::Result<u64> {
    Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
}

pub fn timeline(session: &Session, scope: &Scope, query: &TimelineQuery) -> Result<Timeline> {
    let filter = query.target.filter(scope, &session.source_kinds()?);
    let lane_sql = match query.lanes {
        Some(l) => format!("coalesce(({})::VARCHAR, '{NO_VALUE_LANE}')", l.sql()),
        None => "NULL::VARCHAR".into(),
    };
    let key = format!("{scope:?}|{:?}|{:?}", query.target, query.lanes);
    // An actor's timeline over the whole lake and its first sightings read
    // the same events: take them from the store once.
    let actor_only = EventCriteria {
        actor: query.target.actor.clone(),
        ..EventCriteria::default()
    };
    let one_scan = scope.is_everything() && query.target.actor.is_some() && query.target == actor_only;
    let (source, base_scope) = match one_scan && query.lanes != Some(LaneBy::Source) {
        true => {
            session.fill_once("actor_ev", key.clone(), || {
                session.materialize_select(
                    scope,
                    &filter,
                    "actor_ev",
                    &format!(
                        "SELECT time_ms, error_code, src_ip, src_domain, region, operation, {lane_sql} AS lane FROM ev"
                    ),
                )
            })?;
            ("actor_ev", None)
        }
        false => ("ev", Some(scope)),
    };
    let base = format!(
        "SELECT (time_ms // 60000) * 60000 AS t, {} AS lane, count(*) AS n, \
         count(error_code) AS e, min(time_ms) AS first_ms, max(time_ms) AS last_ms \
         FROM {source} GROUP BY ALL",
        if source == "ev" { lane_sql.as_str() } else { "lane" }
    );
    session.fill_once("timeline_base", key, || {
        let n = match base_scope {
            Some(scope) => session.materialize_select(scope, &filter, "timeline_base", &base)?,
            None => session.materialize_own("timeline_base", &base)?,
        };
        match query.lanes {
            Some(LaneBy::Source) => Ok(n + add_record_lanes(session, scope, &query.target)?),
            _ => Ok(n),
        }
    })?;
    let firsts = match &query.target.actor {
        Some(actor) if source == "actor_ev" => {
            session.fill_once("first_sightings", actor.to_string(), || {
                session.materialize_own("first_sightings", &sightings_sql("actor_ev"))
            })?;
            sightings_of(session, "first_sightings")?
        }
        Some(actor) => first_sightings(session, actor)?,
        None => Vec::new(),
    };
    assemble(session, scope, query, firsts)
}

/// (minute start, lane, events, errors, first ms, last ms): one row of
/// `timeline_base`, the minute counts every timeline is drawn from.
pub type MinuteCount = (i64, Option<String>, u64, u64, i64, i64);

/// The timeline of what `timeline_base` holds.
fn assemble(session: &Session, scope: &Scope, query: &TimelineQuery, firsts: Vec<FirstSeen>) -> Result<Timeline> {
    let all_lanes = session.rows(
        "SELECT lane, sum(n), sum(e), min(first_ms) FROM timeline_base GROUP BY lane ORDER BY sum(n) DESC, lane",
        &Filter::default(),
        |r| {
            Ok(Lane {
                name: r.get(0)?,
                events: count(r, 1)?,
                errors: count(r, 2)?,
                first_seen: r.get::<_, Option<i64>>(3)?.map(Millis),
            })
        },
    )?;
    let extent = session
        .rows(
            "SELECT min(first_ms), max(last_ms) FROM timeline_base",
            &Filter::default(),
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
        )?
        .into_iter()
        .next()
        .and_then(|(a, b)| Some((a?, b? + 1)));
    layout(scope, query, all_lanes, extent, firsts, |edges, lanes, split| {
        bucket_counts(session, edges, lanes, split)
    })
}

/// Range, width, lanes kept and grid from the lanes' totals and the
/// events' extent; `counts` sums the events per bucket and lane.
fn layout(
    scope: &Scope,
    query: &TimelineQuery,
    all_lanes: Vec<Lane>,
    extent: Option<(i64, i64)>,
    firsts: Vec<FirstSeen>,
    counts: impl FnOnce(&[i64], &[Lane], bool) -> Result<Vec<BucketCount>>,
) -> Result<Timeline> {
    let range = query.range.or(match (scope.from_ms, scope.to_ms, extent) {
        (Some(f), Some(t), _) => Some((f, t)),
        (None, None, Some((a, b))) => Some(at_least_minutes(a, b, query.max_buckets)),
        (f, t, Some((a, b))) => Some((f.unwrap_or(a), t.unwrap_or(b))),
        (Some(f), None, None) => Some((f, f + 1)),
        (None, Some(t), None) => Some((t - 1, t)),
        (None, None, None) => None,
    });
    let width = query.width.unwrap_or_else(|| {
        let span = range.map_or(0, |(f, t)| t - f);
        BucketWidth::auto(span, query.max_buckets)
    });
    let lanes = keep_busiest(all_lanes, query.max_lanes, query.lanes.is_some());
    let Some((from, to)) = range else {
        return Ok(Timeline {
            width,
            zone: query.zone,
            range: None,
            extent,
            lanes,
            buckets: Vec::new(),
            firsts,
        });
    };
    let edges = edges(query.zone, from, to, width)?;
    let counts = counts(&edges, &lanes, query.lanes.is_some())?;
    let buckets = grid(&edges, &lanes, &counts);
    let range = edges.first().zip(edges.last()).map(|(a, b)| (*a, *b));
    Ok(Timeline {
        width,
        zone: query.zone,
        range,
        extent,
        lanes,
        buckets,
        firsts,
    })
}

/// Add minute counts to `timeline_base`, every value bound, 500 rows a statement.
fn insert_minutes(session: &Session, rows: &[MinuteCount]) -> Result<u64> {
    for chunk in rows.chunks(500) {
        let mut f = Filter::default();
        let tuples: Vec<String> = chunk
            .iter()
            .map(|(t, lane, n, e, first, last)| {
                let values = [
                    f.bind(Value::BigInt(*t)),
                    f.bind(lane.clone().map_or(Value::Null, Value::Text)),
                    f.bind(Value::BigInt(*n as i64)),
                    f.bind(Value::BigInt(*e as i64)),
                    f.bind(Value::BigInt(*first)),
                    f.bind(Value::BigInt(*last)),
                ];
                format!("({})", values.join(", "))
            })
            .collect();
        session.rows(
            &format!("INSERT INTO timeline_base VALUES {}", tuples.join(", ")),
            &f,
            |r| r.get::<_, i64>(0),
        )?;
    }
    Ok(rows.len() as u64)
}

/// The subject's flows, DNS, HTTP and findings as lanes beside its API calls.
fn add_record_lanes(session: &Session, scope: &Scope, target: &EventCriteria) -> Result<u64> {
    let rows: Vec<MinuteCount> = minute_counts(session, scope, target)?
        .into_iter()
        .map(|(t, lane, n, e, first, last)| (t, Some(lane), n, e, first, last))
        .collect();
    insert_minutes(session, &rows)
}

/// (bucket start, lane, events, errors) for the non-empty buckets.
fn bucket_counts(session: &Session, edges: &[i64], lanes: &[Lane], split: bool) -> Result<Vec<BucketCount>> {
    let (Some(first), Some(last)) = (edges.first(), edges.last()) else {
        return Ok(Vec::new());
    };
    let mut f = Filter::default();
    let edge_list = f.bind(Value::Text(serde_json::to_string(edges).unwrap_or_default()));
    let lo = f.bind(Value::BigInt(*first));
    let hi = f.bind(Value::BigInt(*last));
    let lane_expr = if split {
        let kept: Vec<&str> = lanes.iter().filter_map(|l| l.name.as_deref()).collect();
        let list = f.bind(Value::Text(serde_json::to_string(&kept).unwrap_or_default()));
        format!("CASE WHEN list_contains(from_json({list}, '[\"VARCHAR\"]'), lane) THEN lane ELSE '{OTHER_LANE}' END")
    } else {
        "lane".to_string()
    };
    let sql = format!(
        "WITH b AS (SELECT unnest(from_json({edge_list}, '[\"BIGINT\"]')) AS start), \
         m AS (SELECT t, {lane_expr} AS lane, n, e FROM timeline_base WHERE t >= {lo} AND t < {hi}) \
         SELECT b.start, m.lane, sum(m.n), sum(m.e) FROM m ASOF JOIN b ON m.t >= b.start GROUP BY ALL"
    );
    session.rows(&sql, &f, |r| Ok((r.get(0)?, r.get(1)?, count(r, 2)?, count(r, 3)?)))
}

/// An actor's first sighting from each IP, in each region and of each
/// operation, over the whole lake (not only the scope shown).
pub fn first_sightings(session: &Session, actor: &str) -> Result<Vec<FirstSeen>> {
    let everything = Scope::default();
    let criteria = EventCriteria {
        actor: Some(actor.to_string()),
        ..EventCriteria::default()
    };
    let filter = criteria.filter(&everything, &session.source_kinds()?);
    session.fill_once("first_sightings", actor.to_string(), || {
        session.materialize_select(&everything, &filter, "first_sightings", &sightings_sql("ev"))
    })?;
    sightings_of(session, "first_sightings")
}

/// First sightings from a table of one actor's events (a dossier's).
pub(super) fn sightings_in(session: &Session, events_table: &str) -> Result<Vec<FirstSeen>> {
    sightings_of(session, &format!("({})", sightings_sql(events_table)))
}

/// `relation` has columns kind, value and t (first time).
fn sightings_of(session: &Session, relation: &str) -> Result<Vec<FirstSeen>> {
    let rows = session.rows(
        &format!("SELECT kind, value, t, min(t) OVER () FROM {relation} ORDER BY t, kind, value"),
        &Filter::default(),
        |r| {
            let kind: String = r.get(0)?;
            let kind = SightingKind::from_name(&kind).ok_or_else(|| {
                duckdb::Error::FromSqlConversionFailure(
                    0,
                    duckdb::types::Type::Text,
                    format!("unknown sighting kind {kind:?}").into(),
                )
            })?;
            Ok((kind, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|(kind, value, t, start)| FirstSeen {
            kind,
            value,
            time: Millis(t),
            new: t >= start + BASELINE_MS,
        })
        .collect())
}

/// Per kind and value, the first time in `table` (events in the flat shape).
fn sightings_sql(table: &str) -> String {
    format!(
        "SELECT k AS kind, v AS value, min(time_ms) AS t FROM ( \
           SELECT time_ms, unnest(['ip', 'region', 'operation']) AS k, \
                  unnest([coalesce(src_ip, src_domain), region, operation]) AS v FROM {table}) \
         WHERE v IS NOT NULL GROUP BY ALL"
    )
}

/// A few events close together still get a useful picture: widen `[a, b)`
/// to `buckets` minutes around them, so they show against empty minutes.
fn at_least_minutes(a: i64, b: i64, buckets: usize) -> (i64, i64) {
    let span = buckets.max(1) as i64 * 60_000;
    let missing = span - (b - a);
    if missing <= 0 {
        return (a, b);
    }
    (a - missing / 2, b + (missing - missing / 2))
}

/// The `max` busiest lanes, then one `(other)` lane for the rest, ordered by
/// first appearance so that a lane that starts late stands out.
fn keep_busiest(mut all: Vec<Lane>, max: usize, split: bool) -> Vec<Lane> {
    if !split {
        return vec![Lane {
            name: None,
            events: all.iter().map(|l| l.events).sum(),
            errors: all.iter().map(|l| l.errors).sum(),
            first_seen: all.iter().filter_map(|l| l.first_seen).min(),
        }];
    }
    let rest = if all.len() > max.max(1) {
        all.split_off(max.max(1))
    } else {
        Vec::new()
    };
    all.sort_by(|a, b| a.first_seen.cmp(&b.first_seen).then_with(|| a.name.cmp(&b.name)));
    if !rest.is_empty() {
        all.push(Lane {
            name: Some(OTHER_LANE.into()),
            events: rest.iter().map(|l| l.events).sum(),
            errors: rest.iter().map(|l| l.errors).sum(),
            first_seen: rest.iter().filter_map(|l| l.first_seen).min(),
        });
    }
    all
}

/// Every bucket × lane, zeros where DuckDB found nothing.
fn grid(edges: &[i64], lanes: &[Lane], counts: &[BucketCount]) -> Vec<Bucket> {
    let index: std::collections::HashMap<(i64, Option<&str>), (u64, u64)> = counts
        .iter()
        .map(|(start, lane, n, e)| ((*start, lane.as_deref()), (*n, *e)))
        .collect();
    let mut out = Vec::with_capacity(edges.len().saturating_sub(1) * lanes.len());
    for pair in edges.windows(2) {
        for lane in lanes {
            let (events, errors) = index.get(&(pair[0], lane.name.as_deref())).copied().unwrap_or((0, 0));
            out.push(Bucket {
                start: Millis(pair[0]),
                end: Millis(pair[1]),
                lane: lane.name.clone(),
                events,
                errors,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(name: &str, events: u64, first: i64) -> Lane {
        Lane {
            name: Some(name.into()),
            events,
            errors: 0,
            first_seen: Some(Millis(first)),
        }
    }

    #[test]
    fn busiest_lanes_are_kept_in_order_of_appearance() {
        let all = vec![lane("a", 50, 30), lane("b", 40, 10), lane("c", 5, 20), lane("d", 1, 5)];
        let kept = keep_busiest(all, 2, true);
        let names: Vec<_> = kept.iter().map(|l| l.name.clone().unwrap()).collect();
        assert_eq!(names, ["b", "a", OTHER_LANE]);
        assert_eq!(kept[2].events, 6);
        assert_eq!(kept[2].first_seen, Some(Millis(5)));
    }

    #[test]
    fn lanes_cycle_through_every_split_then_none() {
        let mut seen = Vec::new();
        let mut l = LaneBy::cycle(None);
        while let Some(x) = l {
            seen.push(x);
            l = LaneBy::cycle(l);
        }
        assert_eq!(seen, LaneBy::ALL);
        assert_eq!("IP".parse::<LaneBy>().unwrap(), LaneBy::Ip);
        assert!("colour".parse::<LaneBy>().is_err());
    }

    #[test]
    fn a_short_extent_is_widened_around_its_events() {
        // One event: an hour around it in 60 one-minute buckets.
        let (a, b) = at_least_minutes(10 * 60_000, 10 * 60_000 + 1, 60);
        assert_eq!(b - a, 3_600_000);
        assert!(a < 10 * 60_000 && b > 10 * 60_000);
        // Long enough already: unchanged.
        assert_eq!(at_least_minutes(0, 7_200_000, 60), (0, 7_200_000));
    }

    #[test]
    fn the_grid_has_every_bucket_and_lane() {
        let lanes = vec![lane("x", 1, 0), lane("y", 1, 0)];
        let counts = vec![(10, Some("y".to_string()), 3, 1)];
        let g = grid(&[0, 10, 20], &lanes, &counts);
        assert_eq!(g.len(), 4);
        assert_eq!((g[3].events, g[3].errors), (3, 1));
        assert!(g[..3].iter().all(|b| b.events == 0));
    }
}
