//! A timeline: histogram of events per bucket with a bucket cursor, zoom
//! around the cursor, pan, a range selection and optional lanes.
//!
//! The window is kept as (first bucket start, width) and the number of
//! columns on screen; zooming steps the width through
//! [`crate::lake::buckets::WIDTHS`] and keeps the cursor's time in view.

use crate::lake::buckets::{BucketWidth, Zone};
use crate::lake::{LaneBy, NO_VALUE_LANE, OTHER_LANE, Scope, Timeline, TimelineQuery};

use crate::lake::EventCriteria;
use crate::tui::list::ListState;

/// Busiest lanes drawn; the rest are summed in "(other)".
pub const MAX_LANES: usize = 10;

/// What the buckets cover: `columns` buckets of `width` from `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub width: BucketWidth,
}

#[derive(Debug, Clone)]
pub struct TimelineScreen {
    pub filter: EventCriteria,
    pub lanes: Option<LaneBy>,
    pub zone: Zone,
    /// `None` until the first reply: the whole scope, bucket chosen for it.
    pub window: Option<Window>,
    /// Buckets that fit on screen.
    pub columns: usize,
    /// Bucket under the cursor.
    pub cursor: usize,
    /// Other end of a range selection.
    pub mark: Option<usize>,
    /// A time the cursor should land on when the next reply comes (zoom).
    pub focus: Option<i64>,
    /// A time range to select when the first reply comes (a hunt's hits):
    /// the cursor on its start, the mark on its end.
    pub marked: Option<(i64, i64)>,
    /// Times of a hunt's hits, marked over their buckets.
    pub hits: Vec<i64>,
    pub timeline: Option<Timeline>,
    /// Row 0 is the total, rows 1.. the lanes.
    pub list: ListState,
}

impl TimelineScreen {
    pub fn new(filter: EventCriteria, lanes: Option<LaneBy>, columns: usize) -> TimelineScreen {
        TimelineScreen {
            filter,
            lanes,
            zone: Zone::Utc,
            window: None,
            columns: columns.max(8),
            cursor: 0,
            mark: None,
            focus: None,
            marked: None,
            hits: Vec::new(),
            timeline: None,
            list: ListState::default(),
        }
    }

    pub fn query(&self) -> TimelineQuery {
        TimelineQuery {
            target: self.filter.clone(),
            lanes: self.lanes,
            max_lanes: MAX_LANES,
            width: self.window.map(|w| w.width),
            max_buckets: self.columns,
            zone: self.zone,
            range: self
                .window
                .map(|w| (w.from, w.from + self.columns as i64 * w.width.ms())),
        }
    }

    pub fn set_timeline(&mut self, timeline: Timeline) {
        let n = timeline.bucket_count();
        if let Some((from, _)) = timeline.range {
            self.window = Some(Window {
                from,
                width: timeline.width,
            });
        }
        if let Some(t) = self.focus.take() {
            let starts = timeline.buckets.iter().step_by(timeline.lanes.len().max(1));
            if let Some(i) = starts.clone().position(|b| b.start.0 <= t && t < b.end.0) {
                self.cursor = i;
            }
        }
        if let Some((first, last)) = self.marked.take() {
            let starts = timeline.buckets.iter().step_by(timeline.lanes.len().max(1));
            let at = |t: i64| starts.clone().position(|b| b.start.0 <= t && t < b.end.0);
            if let (Some(a), Some(b)) = (at(first), at(last)) {
                self.cursor = a;
                self.mark = (b != a).then_some(b);
            }
        }
        self.cursor = self.cursor.min(n.saturating_sub(1));
        self.mark = self.mark.filter(|m| *m < n);
        self.list.clamp(timeline.lanes.len() + 1);
        self.timeline = Some(timeline);
    }

    /// Start and end of bucket `i` (of the first lane: all lanes share them).
    pub fn bucket_range(&self, i: usize) -> Option<(i64, i64)> {
        let t = self.timeline.as_ref()?;
        let b = t.buckets.get(i * t.lanes.len().max(1))?;
        Some((b.start.0, b.end.0))
    }

    fn extent(&self) -> Option<(i64, i64)> {
        self.timeline.as_ref().and_then(|t| t.extent.or(t.range))
    }

    /// Zoom one width step finer (`true`) or coarser, the window centred on
    /// the cursor's bucket.
    /// Returns false at the end of the steps (1 minute, 1 day).
    pub fn zoom(&mut self, finer: bool) -> bool {
        let (Some(window), Some((start, end))) = (self.window, self.bucket_range(self.cursor)) else {
            return false;
        };
        let Some(width) = window.width.step(finer) else {
            return false;
        };
        let centre = start + (end - start) / 2;
        let from = centre - (self.columns as i64 / 2) * width.ms();
        self.window = Some(Window {
            from: clamp_from(from, width, self.columns, self.extent()),
            width,
        });
        // The cursor stays on the start of its bucket: zooming in on a
        // burst keeps the burst's first minutes under the cursor.
        self.focus = Some(start);
        self.mark = None;
        true
    }

    /// Shift the window by a quarter of its columns (at least one bucket).
    pub fn pan(&mut self, forward: bool) -> bool {
        let Some(window) = self.window else { return false };
        let step = (self.columns as i64 / 4).max(1) * window.width.ms();
        let from = window.from + if forward { step } else { -step };
        let from = clamp_from(from, window.width, self.columns, self.extent());
        if from == window.from {
            return false;
        }
        self.window = Some(Window { from, ..window });
        self.focus = self.bucket_range(self.cursor).map(|(s, _)| s);
        true
    }

    /// Move the cursor; past either end the window pans. Returns whether a
    /// new query is needed.
    pub fn move_cursor(&mut self, delta: isize) -> bool {
        let n = self.timeline.as_ref().map_or(0, Timeline::bucket_count);
        let target = self.cursor as isize + delta;
        if (target < 0 || target >= n as isize) && self.pan(target >= 0) {
            self.focus = self
                .bucket_range(self.cursor)
                .map(|(s, e)| if target < 0 { s - 1 } else { e });
            return true;
        }
        self.cursor = target.clamp(0, n.saturating_sub(1) as isize) as usize;
        false
    }

    pub fn toggle_mark(&mut self) {
        self.mark = match self.mark {
            Some(_) => None,
            None => Some(self.cursor),
        };
    }

    /// `[from, to)` of the selected range, else of the cursor's bucket.
    pub fn selection(&self) -> Option<(i64, i64)> {
        let (a, b) = match self.mark {
            Some(m) => (m.min(self.cursor), m.max(self.cursor)),
            None => (self.cursor, self.cursor),
        };
        Some((self.bucket_range(a)?.0, self.bucket_range(b)?.1))
    }

    /// The lane on the selected row, if it names real events.
    pub fn selected_lane(&self) -> Option<&str> {
        let t = self.timeline.as_ref()?;
        let lane = t.lanes.get(self.list.cursor.checked_sub(1)?)?;
        lane.name.as_deref().filter(|n| *n != OTHER_LANE && *n != NO_VALUE_LANE)
    }

    /// The scope and filter for the events of the selection (and lane).
    pub fn events_of_selection(&self, scope: &Scope) -> Option<(Scope, EventCriteria)> {
        let (from, to) = self.selection()?;
        let mut scope = scope.clone();
        scope.from_ms = Some(scope.from_ms.map_or(from, |f| f.max(from)));
        scope.to_ms = Some(scope.to_ms.map_or(to, |t| t.min(to)));
        let mut filter = self.filter.clone();
        if let (Some(by), Some(lane)) = (self.lanes, self.selected_lane()) {
            let value = Some(lane.to_string());
            match by {
                LaneBy::Ip => filter.ip = value,
                LaneBy::Key => filter.key = value,
                LaneBy::Operation => filter.operation = value,
                LaneBy::Session | LaneBy::Actor => filter.actor = value,
                LaneBy::Account => scope.accounts = vec![lane.to_string()],
                LaneBy::Region => scope.regions = vec![lane.to_string()],
                // Only the API-call lane has events; the window still applies.
                LaneBy::Source => {}
            }
        }
        Some((scope, filter))
    }
}

/// Keep a window of `columns` buckets over the data: never starting more
/// than one bucket before the first event nor ending more than one after
/// the last, unless the data is narrower than the window.
pub fn clamp_from(from: i64, width: BucketWidth, columns: usize, extent: Option<(i64, i64)>) -> i64 {
    let Some((first, last)) = extent else { return from };
    let span = columns as i64 * width.ms();
    let lo = first - width.ms();
    let hi = last + width.ms() - span;
    if hi <= lo {
        // The data fits in the window: centre it.
        return first - (span - (last - first)) / 2;
    }
    from.clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::{Bucket, Lane, Millis};

    const H: i64 = 3_600_000;

    /// A fake reply: `n` buckets of `width` from `from`, one lane, given extent.
    fn reply(from: i64, width: BucketWidth, n: usize, extent: (i64, i64)) -> Timeline {
        Timeline {
            width,
            zone: Zone::Utc,
            range: Some((from, from + n as i64 * width.ms())),
            extent: Some(extent),
            lanes: vec![Lane {
                name: None,
                events: 0,
                errors: 0,
                first_seen: None,
            }],
            buckets: (0..n as i64)
                .map(|i| Bucket {
                    start: Millis(from + i * width.ms()),
                    end: Millis(from + (i + 1) * width.ms()),
                    lane: None,
                    events: 1,
                    errors: 0,
                })
                .collect(),
            firsts: vec![],
        }
    }

    fn view_of(t: Timeline, columns: usize) -> TimelineScreen {
        let mut v = TimelineScreen::new(EventCriteria::default(), None, columns);
        v.set_timeline(t);
        v
    }

    #[test]
    fn zooming_in_keeps_the_cursor_time_in_the_middle() {
        // 7 days of 2h buckets, cursor on day 5 at 02:00–04:00.
        let mut v = view_of(reply(0, "2h".parse().unwrap(), 84, (0, 7 * 24 * H)), 84);
        v.cursor = 4 * 12 + 1;
        assert!(v.zoom(true));
        let w = v.window.unwrap();
        assert_eq!(w.width.to_string(), "1h");
        let centre = (4 * 24 + 3) * H;
        assert_eq!(w.from, centre - 42 * H);
        assert_eq!(v.focus, Some(centre - H));
        // The reply puts the cursor on the first half of the old bucket.
        v.set_timeline(reply(w.from, w.width, 84, (0, 7 * 24 * H)));
        assert_eq!(v.bucket_range(v.cursor), Some((centre - H, centre)));
    }

    #[test]
    fn zoom_stops_at_one_minute_and_one_day() {
        let mut v = view_of(reply(0, BucketWidth::MINUTE, 60, (0, H)), 60);
        assert!(!v.zoom(true));
        let mut v = view_of(reply(0, BucketWidth::DAY, 7, (0, 7 * 24 * H)), 60);
        assert!(!v.zoom(false));
    }

    #[test]
    fn zooming_in_at_the_first_bucket_does_not_run_off_the_data() {
        let mut v = view_of(reply(0, "2h".parse().unwrap(), 84, (0, 7 * 24 * H)), 84);
        v.cursor = 0;
        assert!(v.zoom(true));
        // Centred on 01:00 the window would start 41 h before the data;
        // it starts one bucket before the first event instead.
        assert_eq!(v.window.unwrap().from, -H);
        v.cursor = 83;
        let mut v2 = v.clone();
        v2.window = Some(Window {
            from: 0,
            width: "2h".parse().unwrap(),
        });
        assert!(v2.zoom(true));
        assert_eq!(
            v2.window.unwrap().from + 84 * H,
            7 * 24 * H + H,
            "ends one bucket after the last event"
        );
    }

    #[test]
    fn zooming_out_past_the_data_centres_it() {
        // One hour of data in minutes; a 60-column window of 2 minutes is
        // twice as wide as the data: it is centred.
        let mut v = view_of(reply(0, BucketWidth::MINUTE, 60, (0, H)), 60);
        v.cursor = 10;
        assert!(v.zoom(false));
        assert_eq!(v.window.unwrap().from, -H / 2);
    }

    #[test]
    fn panning_stops_at_the_edges_and_the_cursor_pans_past_them() {
        let mut v = view_of(reply(0, BucketWidth::HOUR, 24, (0, 7 * 24 * H)), 24);
        assert!(v.move_cursor(-1), "past the left edge: pan");
        assert_eq!(
            v.window.unwrap().from,
            -H,
            "one bucket of margin before the first event"
        );
        assert_eq!(v.focus, Some(-1), "the cursor goes to the bucket before");
        let mut v = view_of(reply(0, BucketWidth::HOUR, 24, (0, 7 * 24 * H)), 24);
        v.cursor = 23;
        assert!(v.move_cursor(1), "past the right edge: pan");
        assert_eq!(v.window.unwrap().from, 6 * H);
        assert_eq!(v.focus, Some(24 * H), "the cursor goes to the next bucket");
        // At the end of the data panning further does nothing.
        v.window = Some(Window {
            from: 7 * 24 * H + H - 24 * H,
            width: BucketWidth::HOUR,
        });
        assert!(!v.pan(true));
    }

    #[test]
    fn a_range_selection_covers_both_ends() {
        let mut v = view_of(reply(0, BucketWidth::HOUR, 24, (0, 24 * H)), 24);
        v.cursor = 5;
        v.toggle_mark();
        v.cursor = 2;
        assert_eq!(v.selection(), Some((2 * H, 6 * H)));
        let (scope, _) = v.events_of_selection(&Scope::default()).unwrap();
        assert_eq!((scope.from_ms, scope.to_ms), (Some(2 * H), Some(6 * H)));
        // A narrower scope is kept.
        let narrow = Scope {
            from_ms: Some(3 * H),
            ..Scope::default()
        };
        let (scope, _) = v.events_of_selection(&narrow).unwrap();
        assert_eq!(scope.from_ms, Some(3 * H));
        v.toggle_mark();
        assert_eq!(v.selection(), Some((2 * H, 3 * H)));
    }
}
