//! Running hunts over the scope's events: every hunt's condition in one
//! scan of the event store (each matching event tagged with the hunts it
//! meets), first sightings from one aggregate per kind, then bursts over
//! the few tagged events.

use std::collections::BTreeSet;

use super::compile::{condition, sighting_value, subject_column};
use super::format::{Hunt, NewSighting, Subject};
use super::report::{EVENTS_PER_HUNT, HuntEvent, HuntHit, HuntReport};
use super::sequence;
use crate::lake::criteria::scope_filter;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::{BASELINE_MS, EventRow};
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
    let (all, chains) = sequence::expand(hunts);
    check_patterns(session, &all)?;
    let mut f = scope_filter(scope);
    let conditions: Vec<String> = all.iter().map(|h| condition(h, &mut f)).collect();
    let only = actor.map(|a| {
        let p = f.bind_text(a);
        format!("(actor_key = {p} OR session_issuer = {p})")
    });
    let select = tagging_sql(&all, &conditions, only.as_deref());
    session.materialize_select(scope, &f, "hunt_events", &select)?;
    session.execute(&hits_sql(&all))?;
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

/// `ev` rows meeting any hunt, one row per (event, hunt index), keeping
/// only those whose first-sighting condition holds. Read after `WITH ev AS (…)`.
fn tagging_sql(hunts: &[Hunt], conditions: &[String], only: Option<&str>) -> String {
    let tags: Vec<String> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| format!("CASE WHEN {c} THEN {i} END"))
        .collect();
    let any: Vec<String> = conditions.iter().map(|c| format!("({c})")).collect();
    let mut sql = format!(
        ", c AS (SELECT {KEPT}, actor_account, list_filter([{}], lambda x: x IS NOT NULL) AS tags \
         FROM ev WHERE ({}) AND {})\n",
        tags.join(", "),
        any.join(" OR "),
        only.unwrap_or("true")
    );
    let sightings: BTreeSet<NewSighting> = hunts.iter().filter_map(|h| h.new).collect();
    let subjects: BTreeSet<Subject> = sightings.iter().map(|s| s.subject).collect();
    // Each subject's first time, and each (subject, value)'s: only for the
    // subjects of tagged events, so the aggregates stay small.
    for subject in &subjects {
        let col = subject_column(*subject);
        sql.push_str(&format!(
            ", first_{col} AS (SELECT {col} AS k, min(time_ms) AS t FROM ev \
             WHERE {col} IN (SELECT {col} FROM c) GROUP BY 1)\n"
        ));
    }
    let names: Vec<String> = sightings.iter().enumerate().map(|(i, _)| format!("seen{i}")).collect();
    for (name, s) in names.iter().zip(&sightings) {
        let (col, value) = (subject_column(s.subject), sighting_value(s.value));
        sql.push_str(&format!(
            ", {name} AS (SELECT {col} AS k, {value} AS v, min(time_ms) AS t FROM ev \
             WHERE {col} IN (SELECT {col} FROM c) GROUP BY 1, 2)\n"
        ));
    }
    sql.push_str(
        "SELECT x.* EXCLUDE (tags, actor_account, hunt), x.hunt, NULL::INTEGER AS step \
         FROM (SELECT *, unnest(tags) AS hunt FROM c) AS x",
    );
    for subject in &subjects {
        let col = subject_column(*subject);
        sql.push_str(&format!(" LEFT JOIN first_{col} ON first_{col}.k = x.{col}"));
    }
    for (name, s) in names.iter().zip(&sightings) {
        let (col, value) = (subject_column(s.subject), sighting_value(s.value));
        sql.push_str(&format!(
            " LEFT JOIN {name} ON {name}.k = x.{col} AND {name}.v = {value}"
        ));
    }
    let new_checks: Vec<String> = hunts
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let s = h.new?;
            let name = &names[sightings.iter().position(|x| *x == s)?];
            let col = subject_column(s.subject);
            // New: first seen after the subject's baseline day.
            Some(format!(
                "WHEN {i} THEN coalesce({name}.t >= first_{col}.t + {BASELINE_MS}, false)"
            ))
        })
        .collect();
    if !new_checks.is_empty() {
        sql.push_str(&format!(" WHERE CASE x.hunt {} ELSE true END", new_checks.join(" ")));
    }
    sql
}

/// `hunt_hits`: the tagged events, keeping of a burst hunt only the events
/// of its bursts. Counts and windows are numbers checked when read.
fn hits_sql(hunts: &[Hunt]) -> String {
    let bursts: Vec<(usize, u32, i64)> = hunts
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let b = h.burst.as_ref()?;
            Some((i, b.count, b.window_ms()?))
        })
        .collect();
    let plain = match bursts.is_empty() {
        true => "SELECT * FROM hunt_events".to_string(),
        false => {
            let ids: Vec<String> = bursts.iter().map(|b| b.0.to_string()).collect();
            format!("SELECT * FROM hunt_events WHERE hunt NOT IN ({})", ids.join(", "))
        }
    };
    let mut parts = vec![plain];
    for (i, n, w) in bursts {
        // An event is in a burst when a window of `w` ending at most `w`
        // after it holds `n` events of the actor.
        parts.push(format!(
            "SELECT * EXCLUDE (n, burst_end) FROM (SELECT *, max(CASE WHEN n >= {n} THEN time_ms END) OVER \
             (PARTITION BY actor_key ORDER BY time_ms RANGE BETWEEN CURRENT ROW AND {w} FOLLOWING) AS burst_end \
             FROM (SELECT *, count(*) OVER (PARTITION BY actor_key ORDER BY time_ms \
             RANGE BETWEEN {w} PRECEDING AND CURRENT ROW) AS n FROM hunt_events WHERE hunt = {i})) \
             WHERE burst_end IS NOT NULL"
        ));
    }
    format!(
        "CREATE OR REPLACE TEMP TABLE hunt_hits AS {}",
        parts.join("\nUNION ALL BY NAME\n")
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
