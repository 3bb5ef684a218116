//! Sequences: a hunt whose steps one actor takes in order within a window
//! (a new network, then denied calls, then an IAM change). Each step runs
//! as a hunt of its own in the same pass (or, when it matches exactly as
//! an earlier hunt does, reads that hunt's tagged events); the chain is
//! then found among the steps' events, and its events become the
//! sequence's hits.

use super::format::{Hunt, duration_ms};

/// A sequence of the run: its index, where each step's events are, its window.
pub(super) struct Chain {
    hunt: usize,
    steps: Vec<StepEvents>,
    window_ms: i64,
}

/// Where a step's events are: its tagged events (`hunt_events`, under the
/// index of the hunt whose tag it shares), or, for a step with a burst,
/// its hits (`hunt_hits`, under its own index).
struct StepEvents {
    table: &'static str,
    hunt: usize,
}

/// The hunts of a run: those asked for, then the steps of each sequence
/// as hunts (`<id>/step-<n>`); the chains to look for; and for each hunt,
/// the hunt whose tag its events carry (itself, or for a step without a
/// burst an earlier hunt that matches exactly the same events, so the pass
/// tags them once).
pub(super) fn expand(hunts: &[Hunt]) -> (Vec<Hunt>, Vec<Chain>, Vec<usize>) {
    let mut all = hunts.to_vec();
    let mut tags: Vec<usize> = (0..hunts.len()).collect();
    let mut chains = Vec::new();
    for (i, hunt) in hunts.iter().enumerate() {
        let Some(seq) = &hunt.sequence else { continue };
        let Some(window_ms) = duration_ms(&seq.window) else {
            continue;
        };
        let mut steps = Vec::new();
        for (n, step) in seq.steps.iter().enumerate() {
            let index = all.len();
            let same = all
                .iter()
                .position(|h| h.sigma.is_none() && !h.rules.is_empty() && h.rules == step.rules && h.new == step.new);
            let tag = match (&step.burst, same) {
                (None, Some(j)) => tags.get(j).copied().unwrap_or(index),
                _ => index,
            };
            tags.push(tag);
            steps.push(match step.burst {
                Some(_) => StepEvents {
                    table: "hunt_hits",
                    hunt: index,
                },
                None => StepEvents {
                    table: "hunt_events",
                    hunt: tag,
                },
            });
            all.push(Hunt {
                id: format!("{}/step-{}", hunt.id, n + 1),
                title: step.name.clone(),
                rules: step.rules.clone(),
                new: step.new,
                burst: step.burst.clone(),
                sequence: None,
                sigma: None,
                ..hunt.clone()
            });
        }
        chains.push(Chain {
            hunt: i,
            steps,
            window_ms,
        });
    }
    (all, chains, tags)
}

/// Statements run on `hunt_hits` once the steps' hits are in it: each
/// sequence's first chain per actor becomes the sequence's hits (each
/// event with its place in the chain, `step`), then the
/// steps' own hits (indices from `visible` on) are dropped.
pub(super) fn chains_sql(chains: &[Chain], visible: usize) -> Vec<String> {
    let mut out: Vec<String> = chains.iter().map(chain_sql).collect();
    out.push(format!("DELETE FROM hunt_hits WHERE hunt >= {visible}"));
    out
}

fn chain_sql(c: &Chain) -> String {
    let w = c.window_ms;
    // Partial chains grow one step at a time, each step joined to the
    // chains so far (few: they start from the first step's hits), never
    // two busy steps to each other: a materialised CTE per step keeps that
    // order. A step's event comes after the step before, within the
    // window of the first, and is another event than every step before.
    let first = &c.steps[0];
    let mut ctes = vec![format!(
        "p0 AS MATERIALIZED (SELECT actor_key AS who, time_ms AS t0, time_ms AS last, \
         [event_uid] AS uids, [time_ms] AS times FROM {} WHERE hunt = {})",
        first.table, first.hunt
    )];
    for (n, step) in c.steps.iter().enumerate().skip(1) {
        ctes.push(format!(
            "p{n} AS MATERIALIZED (SELECT p.who, p.t0, s.time_ms AS last, \
             list_append(p.uids, s.event_uid) AS uids, list_append(p.times, s.time_ms) AS times \
             FROM p{prev} AS p JOIN {table} AS s ON s.hunt = {hunt} AND s.actor_key = p.who \
             AND s.time_ms BETWEEN p.last AND p.t0 + {w} \
             AND coalesce(NOT list_contains(p.uids, s.event_uid), false))",
            prev = n - 1,
            table = step.table,
            hunt = step.hunt,
        ));
    }
    let last = c.steps.len() - 1;
    // Every step's events are among the tagged events, under its tag.
    let tags: Vec<String> = c.steps.iter().map(|s| s.hunt.to_string()).collect();
    // Each actor's first chain (by its steps' times); its events are
    // joined back by actor and id (an equality, so a hash join), each
    // with its place in the chain.
    format!(
        "INSERT INTO hunt_hits SELECT h.* REPLACE ({hunt} AS hunt, chain.step AS step) \
         FROM hunt_events h JOIN (\
         SELECT who, unnest(uids) AS uid, unnest(range(1, len(uids) + 1)) AS step FROM (\
         WITH {ctes} SELECT who, uids FROM p{last} \
         QUALIFY row_number() OVER (PARTITION BY who ORDER BY times) = 1)) AS chain \
         ON h.actor_key = chain.who AND h.event_uid = chain.uid \
         WHERE h.hunt IN ({tags}) \
         QUALIFY row_number() OVER (PARTITION BY h.event_uid, h.time_ms ORDER BY h.hunt) = 1",
        hunt = c.hunt,
        ctes = ctes.join(", "),
        tags = tags.join(", "),
    )
}
