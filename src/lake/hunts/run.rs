//! Running hunts over the scope's events: first sightings from one narrow
//! aggregate, then every hunt's condition in one scan of the event store
//! (each matching event tagged with the hunts it meets), then bursts over
//! the tagged events.

use super::compile::condition;
use super::format::{BurstDistinct, Hunt, NewSighting};
use super::report::{EVENTS_PER_HUNT, HuntEvent, HuntHit, HuntReport};
use super::{prefilter, sequence, sightings};
use crate::lake::criteria::scope_filter;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::EventRow;
use crate::lake::read::{count, ms, strings};
use crate::lake::scope::{Filter, Scope};
use crate::lake::session::Session;

/// The flat columns a hit keeps (for its summary and its event row).
const KEPT: &str = "event_uid, time_ms, account, region, actor_key, actor_type, access_key_id, src_ip, src_domain, \
 service, operation, error_code, source_kind, source_file";

/// Run `hunts` over the scope's events.
pub fn run(session: &Session, scope: &Scope, hunts: &[Hunt]) -> Result<HuntReport> {
    run_for(session, scope, hunts, None)
}

/// Run `hunts` over the scope's events, keeping only the hits of `actor`
/// (an actor key, or a role: its sessions) when given. First sightings and
/// bursts are judged as in a whole run: only the hits are narrowed.
pub fn run_for(session: &Session, scope: &Scope, hunts: &[Hunt], actor: Option<&str>) -> Result<HuntReport> {
    if hunts.is_empty() {
        return Ok(HuntReport::default());
    }
    // Sequences' steps run as hunts of their own, after the hunts asked for.
    let (all, chains, tags) = sequence::expand(hunts);
    check_patterns(session, &all)?;
    let kinds = sightings::kinds(&all);
    if !kinds.is_empty() {
        session.materialize_select(scope, &scope_filter(scope), "hunt_pairs", &sightings::pairs_sql(&kinds))?;
    }
    let mut f = scope_filter(scope);
    let conditions: Vec<String> = all
        .iter()
        .zip(&tags)
        .enumerate()
        .map(|(i, (h, tag))| {
            // A step tagged as an earlier hunt is not tagged again.
            if *tag != i {
                return "false".to_string();
            }
            let rules = condition(h, &mut f);
            match sightings::kind_of(&kinds, h) {
                Some(kind) => format!("{} AND ({rules})", sightings::flag(kind)),
                None => rules,
            }
        })
        .collect();
    let only = actor.map(|a| {
        let p = f.bind_text(a);
        format!("(actor_key = {p} OR session_issuer = {p})")
    });
    let prefilter = prefilter::prefilter(&all, &conditions, &kinds, &mut f);
    let select = tagging_sql(&all, &kinds, &prefilter, &conditions, only.as_deref());
    session.materialize_select(scope, &f, "hunt_events", &select)?;
    session.execute(&hits_sql(&all, hunts.len()))?;
    for sql in sequence::chains_sql(&chains, hunts.len()) {
        session.execute(&sql)?;
    }
    let hits = summaries(session, hunts)?;
    let mut events = hit_events(session, hunts)?;
    // Each hunt's events in the order of the hunts' summaries.
    events.sort_by_key(|e| hits.iter().position(|h| h.id == e.hunt));
    Ok(HuntReport {
        hunts: hunts.len(),
        hits,
        events,
    })
}

/// A bad regular expression in a hunt is named before the lake is read.
fn check_patterns(session: &Session, hunts: &[Hunt]) -> Result<()> {
    for hunt in hunts {
        for pattern in hunt.patterns() {
            let mut f = Filter::default();
            let p = f.bind_text(pattern);
            session
                .rows(&format!("SELECT regexp_matches('', {p})"), &f, |r| r.get::<_, bool>(0))
                .map_err(|e| LakeError::InvalidInput {
                    what: "hunt",
                    detail: format!("{}: pattern {pattern:?}: {e}", hunt.id),
                })?;
        }
    }
    Ok(())
}

/// `ev` rows meeting any hunt, one row per (event, hunt index). A hunt
/// asking a first sighting meets only events whose pair is new (its flag,
/// tested first so the rest of its rules runs on those few events). Read
/// after `WITH ev AS (…)`.
fn tagging_sql(
    hunts: &[Hunt],
    kinds: &[NewSighting],
    prefilter: &str,
    conditions: &[String],
    only: Option<&str>,
) -> String {
    let tags: Vec<String> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| format!("CASE WHEN {c} THEN {i} END"))
        .collect();
    let any: Vec<String> = conditions.iter().map(|c| format!("({c})")).collect();
    format!(
        "{}, c AS (SELECT {KEPT}, {} AS request_hash, list_filter([{}], lambda x: x IS NOT NULL) AS tags \
         FROM {} WHERE {prefilter} AND ({}) AND {})\n\
         SELECT x.* EXCLUDE (tags, hunt, request_hash), x.hunt, NULL::INTEGER AS step, {} AS burst_key \
         FROM (SELECT *, unnest(tags) AS hunt FROM c) AS x",
        sightings::new_pairs_ctes(kinds),
        request_hash(hunts),
        tags.join(", "),
        sightings::flagged_events(kinds),
        any.join(" OR "),
        only.unwrap_or("true"),
        burst_key(hunts)
    )
}

/// The call as a burst counting distinct requests sees it, hashed; read
/// only when such a burst runs.
fn request_hash(hunts: &[Hunt]) -> &'static str {
    let wanted = hunts
        .iter()
        .any(|h| h.burst.as_ref().and_then(|b| b.distinct) == Some(BurstDistinct::Request));
    match wanted {
        true => "hash(operation, request_json)",
        false => "NULL::UBIGINT",
    }
}

/// The value a hunt's burst counts distinct occurrences of, per tagged
/// row (NULL for other hunts).
fn burst_key(hunts: &[Hunt]) -> String {
    let cases: Vec<String> = hunts
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let value = match h.burst.as_ref()?.distinct? {
                BurstDistinct::Operation => "hash(x.operation)",
                BurstDistinct::Request => "x.request_hash",
            };
            Some(format!("WHEN {i} THEN {value}"))
        })
        .collect();
    match cases.is_empty() {
        true => "NULL::UBIGINT".into(),
        false => format!("CASE x.hunt {} END", cases.join(" ")),
    }
}

/// `hunt_hits`: the tagged events, keeping of a burst hunt only the events
/// of its bursts. Counts and windows are numbers checked when read.
fn hits_sql(hunts: &[Hunt], visible: usize) -> String {
    let bursts: Vec<BurstPlan> = hunts
        .iter()
        .enumerate()
        .filter_map(|(hunt, h)| {
            let b = h.burst.as_ref()?;
            Some(BurstPlan {
                hunt,
                count: b.count,
                window_ms: b.window_ms()?,
                distinct: b.distinct.is_some(),
                over_usual: b.over_usual,
            })
        })
        .collect();
    // Every tagged event of a hunt asked for without a burst; a step's
    // (without a burst) are read from `hunt_events` by its sequence.
    let plain: Vec<String> = hunts
        .iter()
        .take(visible)
        .enumerate()
        .filter(|(_, h)| h.burst.is_none())
        .map(|(i, _)| i.to_string())
        .collect();
    let mut keep = match plain.is_empty() {
        true => vec!["false".to_string()],
        false => vec![format!("hunt IN ({})", plain.join(", "))],
    };
    let in_bursts: Vec<String> = bursts.iter().map(burst_members).collect();
    if !in_bursts.is_empty() {
        keep.push(format!("rowid IN ({})", in_bursts.join(" UNION ALL ")));
    }
    format!(
        "CREATE OR REPLACE TEMP TABLE hunt_hits AS SELECT * FROM hunt_events WHERE {}",
        keep.join(" OR ")
    )
}

/// How one hunt's bursts are found.
struct BurstPlan {
    /// The hunt's index.
    hunt: usize,
    count: u32,
    window_ms: i64,
    distinct: bool,
    over_usual: Option<u32>,
}

/// The row ids of a hunt's events that are in a burst.
///
/// A burst is `count` counted events of one actor within the window: an
/// event ends one ("dense") when the counted event `count - 1` before it
/// is at most a window older. An event is in a burst when a dense event
/// comes at most a window after it (that burst's window holds it). Row
/// offsets and a running minimum cost one sort each, where counting over a
/// range of time cost far more; ties in time give the same dense times.
/// Only row ids, times and actors go through the sorts.
///
/// Every event counts, or with `distinct` only an event whose value the
/// actor did not use within the window before it (so a window's counted
/// events all differ); the repeats inside a burst are still its events.
/// With `over_usual`, an actor's count is raised to that many times its
/// usual count in a window: its counted events per hour it was active in,
/// scaled to the window (a busy hour is not compared with a quiet night).
fn burst_members(b: &BurstPlan) -> String {
    let (i, n, w) = (b.hunt, b.count, b.window_ms);
    let tagged = format!("SELECT rowid AS id, actor_key, time_ms FROM hunt_events WHERE hunt = {i}");
    let needed = match b.over_usual {
        None => n.to_string(),
        Some(factor) => format!(
            "greatest({n}, ceil({factor} * count(*) OVER (PARTITION BY actor_key) * {w} \
             / (3600000 * count(DISTINCT time_ms // 3600000) OVER (PARTITION BY actor_key))))::BIGINT"
        ),
    };
    let dense = |counted: &str| {
        format!(
            "SELECT id, actor_key, time_ms, \
             lag(time_ms, needed - 1) OVER (PARTITION BY actor_key ORDER BY time_ms) >= time_ms - {w} AS dense \
             FROM (SELECT *, {needed} AS needed FROM ({counted}))"
        )
    };
    // Only the actors with a dense event can have events in a burst: the
    // last sort runs over theirs alone (a busy application's are dropped).
    let flagged = match b.distinct {
        false => format!(
            "WITH d AS MATERIALIZED ({}) SELECT id, actor_key, time_ms, dense FROM d \
             WHERE actor_key IN (SELECT actor_key FROM d WHERE dense)",
            dense(&tagged)
        ),
        true => {
            let counted = format!(
                "SELECT id, actor_key, time_ms FROM (SELECT rowid AS id, actor_key, time_ms, \
                 lag(time_ms) OVER (PARTITION BY actor_key, burst_key ORDER BY time_ms) AS before \
                 FROM hunt_events WHERE hunt = {i}) WHERE before IS NULL OR before < time_ms - {w}"
            );
            format!(
                "WITH d AS MATERIALIZED ({}) SELECT t.id, t.actor_key, t.time_ms, coalesce(d.dense, false) AS dense \
                 FROM ({tagged}) AS t LEFT JOIN d ON d.id = t.id \
                 WHERE t.actor_key IN (SELECT actor_key FROM d WHERE dense)",
                dense(&counted)
            )
        }
    };
    format!(
        "SELECT id FROM (SELECT id, time_ms, min(CASE WHEN dense THEN time_ms END) OVER \
         (PARTITION BY actor_key ORDER BY time_ms DESC) AS next_dense FROM ({flagged})) \
         WHERE next_dense <= time_ms + {w}"
    )
}

fn summaries(session: &Session, hunts: &[Hunt]) -> Result<Vec<HuntHit>> {
    let rows = session.rows(
        "SELECT hunt, count(*), to_json(list(DISTINCT actor_key ORDER BY actor_key))::VARCHAR, \
         min(time_ms), max(time_ms) FROM hunt_hits GROUP BY hunt",
        &Filter::default(),
        |r| Ok((r.get::<_, i64>(0)?, count(r, 1)?, strings(r, 2)?, ms(r, 3)?, ms(r, 4)?)),
    )?;
    let mut hits: Vec<HuntHit> = rows
        .into_iter()
        .filter_map(|(i, events, actors, first_seen, last_seen)| {
            let hunt = hunts.get(usize::try_from(i).ok()?)?;
            Some(HuntHit {
                id: hunt.id.clone(),
                title: hunt.title.clone(),
                severity: hunt.severity,
                tactic: hunt.tactic.clone(),
                technique: hunt.technique.clone(),
                description: hunt.description.clone(),
                events,
                actors,
                first_seen,
                last_seen,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.id.cmp(&b.id))
    });
    Ok(hits)
}

fn hit_events(session: &Session, hunts: &[Hunt]) -> Result<Vec<HuntEvent>> {
    let sql = format!(
        "SELECT hunt, time_ms, account, region, actor_key, actor_type, access_key_id, coalesce(src_ip, src_domain), \
         service, operation, error_code, event_uid, source_kind, source_file, step FROM hunt_hits \
         QUALIFY row_number() OVER (PARTITION BY hunt ORDER BY time_ms, event_uid) <= {EVENTS_PER_HUNT} \
         ORDER BY hunt, time_ms, event_uid"
    );
    let rows = session.rows(&sql, &Filter::default(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            EventRow {
                time: ms(r, 1)?,
                account: r.get(2)?,
                region: r.get(3)?,
                actor: r.get(4)?,
                actor_type: r.get(5)?,
                access_key: r.get(6)?,
                source_ip: r.get(7)?,
                service: r.get(8)?,
                operation: r.get(9)?,
                error_code: r.get(10)?,
                event_id: r.get(11)?,
                source: r.get(12)?,
                file: r.get(13)?,
            },
            r.get::<_, Option<i64>>(14)?,
        ))
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(i, event, step)| {
            let hunt = hunts.get(usize::try_from(i).ok()?)?;
            // A sequence's event names the step it took (1-based).
            let step = step.and_then(|n| {
                let steps = &hunt.sequence.as_ref()?.steps;
                Some(steps.get(usize::try_from(n).ok()?.checked_sub(1)?)?.name.clone())
            });
            Some(HuntEvent {
                hunt: hunt.id.clone(),
                step,
                event,
            })
        })
        .collect())
}
