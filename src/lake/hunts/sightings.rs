//! First sightings for the hunts that ask them: the (actor or account,
//! value) pairs first seen a baseline day or more after the subject's first
//! event in the scope. One narrow aggregate of the scope's events
//! (`hunt_pairs`: each subject and value with its first time) answers every
//! kind; the new pairs found from it are few, so the tagging pass probes a
//! small table per kind instead of joining every event to first times
//! (which, for hunts as broad as "any human actor", was most of the lake).

use std::collections::BTreeSet;

use super::compile::{SRC_NET_SQL, sighting_column, subject_column};
use super::format::{Hunt, NewSighting, SightingValue};
use crate::lake::model::BASELINE_MS;

/// The kinds of first sighting `hunts` ask, each once, in a fixed order
/// (their flags are named by it).
pub(super) fn kinds(hunts: &[Hunt]) -> Vec<NewSighting> {
    let kinds: BTreeSet<NewSighting> = hunts.iter().filter_map(|h| h.new).collect();
    kinds.into_iter().collect()
}

/// The position in `kinds` of the first sighting `hunt` asks, if any
/// (its flag's number).
pub(super) fn kind_of(kinds: &[NewSighting], hunt: &Hunt) -> Option<usize> {
    hunt.new.and_then(|s| kinds.iter().position(|k| *k == s))
}

/// The select (reading `ev`) of `hunt_pairs`: every combination of the
/// columns the kinds need, with its first time.
pub(super) fn pairs_sql(kinds: &[NewSighting]) -> String {
    let columns: BTreeSet<&str> = kinds
        .iter()
        .flat_map(|k| [subject_column(k.subject), sighting_column(k.value)])
        .collect();
    let columns: Vec<&str> = columns.into_iter().collect();
    format!("SELECT {}, min(time_ms) AS t FROM ev GROUP BY ALL", columns.join(", "))
}

/// The column of `ev` flagged by kind `i`: true when the event's pair is new.
pub(super) fn flag(i: usize) -> String {
    format!("hunt_new{i}")
}

/// `, hunt_newN AS (…)` for each kind: its new pairs `(k, v)`, where `v`
/// is the event's own value (a source IP for a new network too, so the
/// probe needs no computation per event).
pub(super) fn new_pairs_ctes(kinds: &[NewSighting]) -> String {
    let mut sql = String::new();
    for (i, kind) in kinds.iter().enumerate() {
        let (k, v) = (subject_column(kind.subject), sighting_column(kind.value));
        let first = format!("(SELECT {k} AS k, min(t) AS t FROM hunt_pairs GROUP BY 1)");
        let pairs = match kind.value {
            SightingValue::SrcIp | SightingValue::Region => format!(
                "SELECT p.k, p.v FROM (SELECT {k} AS k, {v} AS v, min(t) AS t FROM hunt_pairs GROUP BY 1, 2) AS p \
                 JOIN {first} AS f ON f.k = p.k WHERE p.t >= f.t + {BASELINE_MS}"
            ),
            // A network is new when its first time is: every IP of it is.
            SightingValue::SrcNet => format!(
                "SELECT p.k, p.v FROM (SELECT DISTINCT {k} AS k, src_ip AS v, {SRC_NET_SQL} AS net FROM hunt_pairs) AS p \
                 JOIN (SELECT {k} AS k, {SRC_NET_SQL} AS net, min(t) AS t FROM hunt_pairs GROUP BY 1, 2) AS n \
                 ON n.k = p.k AND n.net = p.net \
                 JOIN {first} AS f ON f.k = p.k WHERE n.t >= f.t + {BASELINE_MS}"
            ),
        };
        sql.push_str(&format!(", {} AS ({pairs})\n", flag(i)));
    }
    sql
}

/// `ev` with one flag per kind, as a relation to select from. Kinds read
/// from the same columns (a new IP and a new network: actor and source
/// IP) share one lookup, so each event is probed once per pair of columns.
pub(super) fn flagged_events(kinds: &[NewSighting]) -> String {
    if kinds.is_empty() {
        return "ev".into();
    }
    let mut groups: Vec<((&str, &str), Vec<usize>)> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let columns = (subject_column(kind.subject), sighting_column(kind.value));
        match groups.iter_mut().find(|(c, _)| *c == columns) {
            Some((_, members)) => members.push(i),
            None => groups.push((columns, vec![i])),
        }
    }
    let mut flags = Vec::new();
    let mut joins = String::new();
    for (n, ((k, v), members)) in groups.iter().enumerate() {
        let union: Vec<String> = members
            .iter()
            .map(|i| format!("SELECT k, v, {i} AS kind FROM {}", flag(*i)))
            .collect();
        let any: Vec<String> = members
            .iter()
            .map(|i| format!("bool_or(kind = {i}) AS {}", flag(*i)))
            .collect();
        for i in members {
            flags.push(format!("coalesce(g{n}.{name}, false) AS {name}", name = flag(*i)));
        }
        joins.push_str(&format!(
            " LEFT JOIN (SELECT k, v, {} FROM ({}) GROUP BY k, v) AS g{n} ON g{n}.k = ev.{k} AND g{n}.v = ev.{v}",
            any.join(", "),
            union.join(" UNION ALL ")
        ));
    }
    format!("(SELECT ev.*, {} FROM ev{joins}) AS ev", flags.join(", "))
}
