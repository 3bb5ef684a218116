//! Sequences: a hunt whose steps one actor takes in order within a window
//! (a new network, then denied calls, then an IAM change). Each step runs
//! as a hunt of its own in the same pass; the chain is then found among
//! the steps' hits, and its events become the sequence's hits.

use super::format::{Hunt, duration_ms};

/// A sequence of the run: its index, its steps' indices, its window.
pub(super) struct Chain {
    hunt: usize,
    steps: Vec<usize>,
    window_ms: i64,
}

/// `hunts`, then the steps of each sequence as hunts (`<id>/step-<n>`),
/// and the chains to look for.
pub(super) fn expand(hunts: &[Hunt]) -> (Vec<Hunt>, Vec<Chain>) {
    let mut all = hunts.to_vec();
    let mut chains = Vec::new();
    for (i, hunt) in hunts.iter().enumerate() {
        let Some(seq) = &hunt.sequence else { continue };
        let Some(window_ms) = duration_ms(&seq.window) else {
            continue;
        };
        let mut steps = Vec::new();
        for (n, step) in seq.steps.iter().enumerate() {
            steps.push(all.len());
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
    (all, chains)
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
    let mut joins = String::new();
    for (n, step) in c.steps.iter().enumerate().skip(1) {
        // After the step before, within the window of the first, and
        // another event than every step before.
        let distinct: Vec<String> = (0..n)
            .map(|m| format!("s{n}.event_uid IS DISTINCT FROM s{m}.event_uid"))
            .collect();
        joins.push_str(&format!(
            " JOIN hunt_hits s{n} ON s{n}.hunt = {step} AND s{n}.actor_key = s0.actor_key \
             AND s{n}.time_ms BETWEEN s{prev}.time_ms AND s0.time_ms + {w} AND {}",
            distinct.join(" AND "),
            prev = n - 1
        ));
    }
    let n = c.steps.len();
    let uids: Vec<String> = (0..n).map(|m| format!("s{m}.event_uid")).collect();
    let order: Vec<String> = (0..n).map(|m| format!("s{m}.time_ms")).collect();
    let steps: Vec<String> = c.steps.iter().map(usize::to_string).collect();
    format!(
        "INSERT INTO hunt_hits SELECT h.* REPLACE ({hunt} AS hunt, list_position(chain.uids, h.event_uid) AS step) \
         FROM hunt_hits h JOIN (\
         SELECT s0.actor_key AS who, [{uids}] AS uids FROM hunt_hits s0{joins} WHERE s0.hunt = {first} \
         QUALIFY row_number() OVER (PARTITION BY s0.actor_key ORDER BY {order}) = 1) AS chain \
         ON h.actor_key = chain.who AND list_contains(chain.uids, h.event_uid) \
         WHERE h.hunt IN ({steps}) \
         QUALIFY row_number() OVER (PARTITION BY h.event_uid, h.time_ms ORDER BY h.hunt) = 1",
        hunt = c.hunt,
        uids = uids.join(", "),
        first = c.steps[0],
        order = order.join(", "),
        steps = steps.join(", "),
    )
}
