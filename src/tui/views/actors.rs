//! The actors table: sortable, with a live fuzzy filter whose matched
//! characters are kept for highlighting.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::list::ListState;
use crate::lake::ActorRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Events,
    Errors,
    FirstSeen,
    LastSeen,
    Ips,
    Actor,
}

impl SortKey {
    pub const ORDER: [SortKey; 6] = [
        SortKey::Events,
        SortKey::Errors,
        SortKey::FirstSeen,
        SortKey::LastSeen,
        SortKey::Ips,
        SortKey::Actor,
    ];

    pub fn next(self) -> SortKey {
        let i = SortKey::ORDER.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ORDER[(i + 1) % SortKey::ORDER.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Events => "events",
            SortKey::Errors => "errors",
            SortKey::FirstSeen => "first seen",
            SortKey::LastSeen => "last seen",
            SortKey::Ips => "IPs",
            SortKey::Actor => "actor",
        }
    }
}

/// One visible row: which actor, and which characters of its ARN matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub index: usize,
    pub matched: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ActorsView {
    pub rows: Vec<ActorRow>,
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    pub shown: Vec<Shown>,
    pub list: ListState,
}

impl Default for ActorsView {
    fn default() -> Self {
        ActorsView {
            rows: Vec::new(),
            filter: String::new(),
            sort: SortKey::Events,
            descending: true,
            shown: Vec::new(),
            list: ListState::default(),
        }
    }
}

impl ActorsView {
    pub fn set_rows(&mut self, rows: Vec<ActorRow>) {
        self.rows = rows;
        self.refresh();
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.list = ListState::default();
        self.refresh();
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        // Text sorts read best A→Z; counts and times biggest/latest first.
        self.descending = self.sort != SortKey::Actor;
        self.refresh();
    }

    pub fn reverse_sort(&mut self) {
        self.descending = !self.descending;
        self.refresh();
    }

    pub fn selected(&self) -> Option<&ActorRow> {
        self.shown.get(self.list.cursor).and_then(|s| self.rows.get(s.index))
    }

    /// Recompute the visible rows: filter matches best first, else the sort order.
    fn refresh(&mut self) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let key = self.sort;
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.rows[a], &self.rows[b]);
            let o = match key {
                SortKey::Events => a.events.cmp(&b.events),
                SortKey::Errors => a.errors.cmp(&b.errors),
                SortKey::FirstSeen => a.first_seen.cmp(&b.first_seen),
                SortKey::LastSeen => a.last_seen.cmp(&b.last_seen),
                SortKey::Ips => a.ip_count.cmp(&b.ip_count),
                SortKey::Actor => a.arn.cmp(&b.arn),
            };
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| a.arn.cmp(&b.arn))
        });
        let terms: Vec<&str> = self.filter.split_whitespace().collect();
        self.shown = if terms.is_empty() {
            order
                .into_iter()
                .map(|index| Shown {
                    index,
                    matched: Vec::new(),
                })
                .collect()
        } else {
            let matcher = SkimMatcherV2::default().ignore_case();
            let mut scored: Vec<(i64, usize, Shown)> = order
                .into_iter()
                .enumerate()
                .filter_map(|(rank, index)| {
                    let (score, matched) = match_terms(&matcher, &self.rows[index].arn, &terms)?;
                    Some((score, rank, Shown { index, matched }))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            scored.into_iter().map(|(_, _, s)| s).collect()
        };
        self.list.clamp(self.shown.len());
    }
}

/// fzf-like: every term must match; scores add up; matched character
/// positions (char indices) are merged.
pub fn match_terms(matcher: &SkimMatcherV2, text: &str, terms: &[&str]) -> Option<(i64, Vec<usize>)> {
    let mut total = 0;
    let mut all = Vec::new();
    for term in terms {
        let (score, indices) = matcher.fuzzy_indices(text, term)?;
        total += score;
        all.extend(indices);
    }
    all.sort_unstable();
    all.dedup();
    Some((total, all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::Millis;

    fn actor(arn: &str, events: u64) -> ActorRow {
        ActorRow {
            arn: arn.into(),
            actor_type: None,
            account: None,
            events,
            errors: 0,
            first_seen: Some(Millis(events as i64)),
            last_seen: None,
            ip_count: 0,
        }
    }

    #[test]
    fn filter_keeps_matches_best_first_with_positions() {
        let mut view = ActorsView::default();
        view.set_rows(vec![
            actor("arn:aws:iam::1:user/alice", 5),
            actor("arn:aws:iam::1:user/ci-deploy", 3),
        ]);
        assert_eq!(view.shown.len(), 2);
        view.set_filter("cidep");
        assert_eq!(view.shown.len(), 1);
        assert_eq!(view.selected().unwrap().arn, "arn:aws:iam::1:user/ci-deploy");
        let arn: Vec<char> = view.selected().unwrap().arn.chars().collect();
        let picked: String = view.shown[0].matched.iter().map(|&i| arn[i]).collect();
        assert_eq!(picked.to_lowercase(), "cidep");
        view.set_filter("zzz");
        assert!(view.shown.is_empty());
        assert!(view.selected().is_none());
    }

    #[test]
    fn sort_cycles_and_reverses() {
        let mut view = ActorsView::default();
        view.set_rows(vec![actor("b", 1), actor("a", 9)]);
        assert_eq!(view.selected().unwrap().arn, "a");
        view.reverse_sort();
        assert_eq!(view.selected().unwrap().arn, "b");
        view.cycle_sort(); // errors, descending; ties by ARN
        assert_eq!(view.sort, SortKey::Errors);
        assert_eq!(view.selected().unwrap().arn, "a");
    }
}
