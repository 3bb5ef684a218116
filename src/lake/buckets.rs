//! Time buckets for timelines: widths, time zones and bucket edges.
//!
//! Edges are wall-clock aligned in the chosen zone (a day bucket starts at
//! local midnight), so in a zone with daylight saving a day can last 23 or
//! 25 hours and an hour can repeat. The arithmetic is pure; the counting is
//! done by DuckDB (see `timeline.rs`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, FixedOffset, Local, NaiveDateTime, Offset, TimeZone, Timelike, Utc};

use super::error::{LakeError, Result};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The bucket widths a timeline uses, smallest first. Each divides a day,
/// so buckets tile a local day exactly.
pub const WIDTHS: [i64; 12] = [
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// Most buckets one timeline may have (a month of minutes is 43,200).
pub const MAX_BUCKETS: usize = 200_000;

/// A bucket width, in milliseconds: one of [`WIDTHS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct BucketWidth(i64);

impl BucketWidth {
    pub const MINUTE: BucketWidth = BucketWidth(MINUTE);
    pub const HOUR: BucketWidth = BucketWidth(HOUR);
    pub const DAY: BucketWidth = BucketWidth(DAY);

    pub fn ms(self) -> i64 {
        self.0
    }

    /// The smallest width that shows `span_ms` in at most `max_buckets`
    /// buckets (a day when even days are too many).
    pub fn auto(span_ms: i64, max_buckets: usize) -> BucketWidth {
        let max = max_buckets.max(1) as i64;
        let w = WIDTHS
            .iter()
            .copied()
            .find(|w| (span_ms.max(1) + w - 1) / w <= max)
            .unwrap_or(DAY);
        BucketWidth(w)
    }

    /// The next smaller (zoom in) or larger width, if any.
    pub fn step(self, finer: bool) -> Option<BucketWidth> {
        let i = WIDTHS.iter().position(|w| *w == self.0)?;
        let j = if finer { i.checked_sub(1)? } else { i + 1 };
        WIDTHS.get(j).map(|w| BucketWidth(*w))
    }
}

impl fmt::Display for BucketWidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            w if w % DAY == 0 => write!(f, "{}d", w / DAY),
            w if w % HOUR == 0 => write!(f, "{}h", w / HOUR),
            w => write!(f, "{}m", w / MINUTE),
        }
    }
}

impl FromStr for BucketWidth {
    type Err = LakeError;

    /// `5m`, `1h`, `1d` (also `90m`… as long as it is one of [`WIDTHS`]).
    fn from_str(text: &str) -> Result<BucketWidth> {
        let bad = || {
            let allowed: Vec<String> = WIDTHS.iter().map(|w| BucketWidth(*w).to_string()).collect();
            LakeError::InvalidInput {
                what: "bucket",
                detail: format!("{text:?} is not one of {} (1 minute to 1 day)", allowed.join(", ")),
            }
        };
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: i64 = text[..split].parse().map_err(|_| bad())?;
        let unit = match &text[split..] {
            "m" | "min" => MINUTE,
            "h" => HOUR,
            "d" => DAY,
            _ => return Err(bad()),
        };
        let ms = n.checked_mul(unit).ok_or_else(bad)?;
        if WIDTHS.contains(&ms) {
            Ok(BucketWidth(ms))
        } else {
            Err(bad())
        }
    }
}

/// The clock a timeline is drawn in. UTC is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Zone {
    #[default]
    Utc,
    /// The machine's local time (TZ or /etc/localtime), daylight saving included.
    Local,
    /// A fixed offset east of UTC, in seconds.
    Fixed(i32),
    /// A named zone of the IANA database (`Europe/Berlin`), its daylight
    /// saving rules included.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// `UTC`, `local (UTC+02:00)` for the offset in effect at `at_ms`, `UTC+05:30`.
    pub fn label(self, at_ms: i64) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Local => format!(
                "local {}",
                offset_text(Local.offset_from_utc_datetime(&naive_utc(at_ms)).fix())
            ),
            Zone::Fixed(secs) => match FixedOffset::east_opt(secs) {
                Some(o) => offset_text(o),
                None => "UTC".into(),
            },
            Zone::Named(tz) => format!(
                "{} {}",
                tz.name(),
                offset_text(tz.offset_from_utc_datetime(&naive_utc(at_ms)).fix())
            ),
        }
    }

    /// Wall-clock time of an instant in this zone, `YYYY-MM-DD HH:MM`.
    pub fn format(self, ms: i64, pattern: &str) -> String {
        let utc = DateTime::<Utc>::from_naive_utc_and_offset(naive_utc(ms), Utc);
        match self {
            Zone::Utc => utc.format(pattern).to_string(),
            Zone::Local => utc.with_timezone(&Local).format(pattern).to_string(),
            Zone::Fixed(secs) => match FixedOffset::east_opt(secs) {
                Some(o) => utc.with_timezone(&o).format(pattern).to_string(),
                None => utc.format(pattern).to_string(),
            },
            Zone::Named(tz) => utc.with_timezone(&tz).format(pattern).to_string(),
        }
    }
}

fn offset_text(o: FixedOffset) -> String {
    let secs = o.local_minus_utc();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}

impl FromStr for Zone {
    type Err = LakeError;

    /// `utc`, `local`, an offset such as `+02:00`, `-0530`, `+5`, or an
    /// IANA zone name such as `Europe/Berlin`.
    fn from_str(text: &str) -> Result<Zone> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "utc" | "z" | "" => return Ok(Zone::Utc),
            "local" => return Ok(Zone::Local),
            _ => {}
        }
        let bad = || LakeError::InvalidInput {
            what: "time zone",
            detail: format!("{text:?}: use utc, local, an offset like +02:00 or a zone like Europe/Berlin"),
        };
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return t.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.as_str(), "0"),
            3 | 4 => digits.split_at(digits.len() - 2),
            _ => return Err(bad()),
        };
        let h: i32 = h.parse().map_err(|_| bad())?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if h > 14 || m > 59 {
            return Err(bad());
        }
        Ok(Zone::Fixed(sign * (h * 3600 + m * 60)))
    }
}

fn naive_utc(ms: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .naive_utc()
}

/// Bucket edges covering `[from_ms, to_ms)`: `edges[i]..edges[i+1]` is one
/// bucket. The first edge is at or before `from_ms`, the last at or after
/// `to_ms`.
pub fn edges(zone: Zone, from_ms: i64, to_ms: i64, width: BucketWidth) -> Result<Vec<i64>> {
    let to_ms = to_ms.max(from_ms + 1);
    let estimate = (to_ms - from_ms) / width.ms() + 2;
    if estimate > MAX_BUCKETS as i64 {
        return Err(LakeError::InvalidInput {
            what: "timeline",
            detail: format!(
                "{estimate} buckets of {width} are too many (at most {MAX_BUCKETS}): choose a larger bucket or a shorter range"
            ),
        });
    }
    Ok(match zone {
        Zone::Utc => grid(&Utc, from_ms, to_ms, width),
        Zone::Local => grid(&Local, from_ms, to_ms, width),
        Zone::Fixed(secs) => grid(&FixedOffset::east_opt(secs).unwrap_or(Utc.fix()), from_ms, to_ms, width),
        Zone::Named(tz) => grid(&tz, from_ms, to_ms, width),
    })
}

/// Walk the wall clock in steps of `width` and convert each step back to an
/// instant: a repeated hour gives both instants, a skipped one the instant
/// of the jump.
fn grid<Tz: TimeZone>(tz: &Tz, from_ms: i64, to_ms: i64, width: BucketWidth) -> Vec<i64> {
    let w = width.ms();
    let local_from = tz.from_utc_datetime(&naive_utc(from_ms)).naive_local();
    let midnight = local_from.date().and_hms_opt(0, 0, 0).unwrap_or(local_from);
    let since = (local_from - midnight).num_milliseconds();
    let mut wall = midnight + Duration::milliseconds(since / w * w);
    let mut out: Vec<i64> = Vec::new();
    loop {
        let instants = match tz.from_local_datetime(&wall) {
            chrono::LocalResult::Single(t) => vec![t.timestamp_millis()],
            chrono::LocalResult::Ambiguous(a, b) => vec![a.timestamp_millis(), b.timestamp_millis()],
            chrono::LocalResult::None => {
                // In a spring-forward gap: the wall time read with the offset
                // in force before the jump is the instant of the jump.
                let before = tz.offset_from_utc_datetime(&(wall - Duration::days(1))).fix();
                vec![
                    (wall - Duration::seconds(before.local_minus_utc() as i64))
                        .and_utc()
                        .timestamp_millis(),
                ]
            }
        };
        for t in instants {
            if out.last().is_none_or(|last| t > *last) {
                out.push(t);
            }
        }
        if out.last().is_some_and(|last| *last >= to_ms) && out.len() >= 2 {
            break;
        }
        wall += Duration::milliseconds(w);
        // Day buckets stay on midnight whatever the day's length.
        if w % DAY == 0 {
            wall = wall.with_hour(0).unwrap_or(wall);
        }
    }
    // A first edge after `from_ms` can only come from a gap at the start.
    if out.first().is_some_and(|first| *first > from_ms) {
        out.insert(0, from_ms);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
    }

    #[test]
    fn widths_parse_and_print() {
        for w in WIDTHS {
            let b = BucketWidth(w);
            assert_eq!(b.to_string().parse::<BucketWidth>().unwrap(), b);
        }
        assert_eq!("60m".parse::<BucketWidth>().unwrap(), BucketWidth::HOUR);
        assert!("7m".parse::<BucketWidth>().is_err());
        assert!("2d".parse::<BucketWidth>().is_err());
        assert!("h".parse::<BucketWidth>().is_err());
        assert!("99999999999999999d".parse::<BucketWidth>().is_err());
    }

    #[test]
    fn auto_width_picks_the_smallest_that_fits() {
        // 7 days in 100 columns: 2h gives 84 buckets, 1h would give 168.
        assert_eq!(BucketWidth::auto(7 * DAY, 100).to_string(), "2h");
        assert_eq!(BucketWidth::auto(7 * DAY, 168).to_string(), "1h");
        assert_eq!(BucketWidth::auto(7 * DAY, 167).to_string(), "2h");
        // Exactly fitting and one minute over.
        assert_eq!(BucketWidth::auto(60 * MINUTE, 60), BucketWidth::MINUTE);
        assert_eq!(BucketWidth::auto(61 * MINUTE, 60).to_string(), "2m");
        // Never below a minute, never above a day.
        assert_eq!(BucketWidth::auto(0, 80), BucketWidth::MINUTE);
        assert_eq!(BucketWidth::auto(3650 * DAY, 10), BucketWidth::DAY);
        assert_eq!(BucketWidth::auto(DAY, 0), BucketWidth::DAY);
    }

    #[test]
    fn steps_stop_at_the_ends() {
        assert_eq!(BucketWidth::MINUTE.step(true), None);
        assert_eq!(BucketWidth::DAY.step(false), None);
        assert_eq!(BucketWidth::HOUR.step(true).unwrap().to_string(), "30m");
        assert_eq!(BucketWidth::HOUR.step(false).unwrap().to_string(), "2h");
    }

    #[test]
    fn utc_edges_are_aligned_and_cover_the_range() {
        let e = edges(
            Zone::Utc,
            at("2024-05-05T02:13:07Z"),
            at("2024-05-05T02:20:16Z"),
            BucketWidth::MINUTE,
        )
        .unwrap();
        assert_eq!(e.first(), Some(&at("2024-05-05T02:13:00Z")));
        assert_eq!(e.last(), Some(&at("2024-05-05T02:21:00Z")));
        assert_eq!(e.len(), 9);
        // A range ending exactly on an edge does not get an empty extra bucket.
        let e = edges(
            Zone::Utc,
            at("2024-05-01T00:00:00Z"),
            at("2024-05-08T00:00:00Z"),
            BucketWidth::DAY,
        )
        .unwrap();
        assert_eq!(e.len(), 8);
        // Leap day.
        let e = edges(
            Zone::Utc,
            at("2024-02-28T12:00:00Z"),
            at("2024-03-01T01:00:00Z"),
            BucketWidth::DAY,
        )
        .unwrap();
        assert_eq!(
            e,
            vec![
                at("2024-02-28T00:00:00Z"),
                at("2024-02-29T00:00:00Z"),
                at("2024-03-01T00:00:00Z"),
                at("2024-03-02T00:00:00Z")
            ]
        );
    }

    #[test]
    fn an_empty_range_still_has_one_bucket() {
        let t = at("2024-05-05T02:13:07Z");
        let e = edges(Zone::Utc, t, t, BucketWidth::HOUR).unwrap();
        assert_eq!(e, vec![at("2024-05-05T02:00:00Z"), at("2024-05-05T03:00:00Z")]);
    }

    #[test]
    fn too_many_buckets_is_refused() {
        let err = edges(Zone::Utc, 0, 365 * DAY, BucketWidth::MINUTE).unwrap_err();
        assert!(err.to_string().contains("too many"), "{err}");
    }

    #[test]
    fn fixed_offsets_align_days_on_their_midnight() {
        let zone: Zone = "+05:30".parse().unwrap();
        assert_eq!(zone, Zone::Fixed(5 * 3600 + 30 * 60));
        let e = edges(
            zone,
            at("2024-05-05T02:13:07Z"),
            at("2024-05-06T00:00:00Z"),
            BucketWidth::DAY,
        )
        .unwrap();
        // 02:13Z is 07:43 in +05:30; that day began at 18:30Z the day before.
        assert_eq!(
            e,
            vec![
                at("2024-05-04T18:30:00Z"),
                at("2024-05-05T18:30:00Z"),
                at("2024-05-06T18:30:00Z")
            ]
        );
        assert_eq!(zone.label(0), "UTC+05:30");
        assert_eq!("-0800".parse::<Zone>().unwrap(), Zone::Fixed(-8 * 3600));
        assert_eq!("+2".parse::<Zone>().unwrap(), Zone::Fixed(2 * 3600));
        assert!("+25:00".parse::<Zone>().is_err());
        assert!("Mars/Olympus".parse::<Zone>().is_err());
    }

    #[test]
    fn daylight_saving_days_last_23_and_25_hours() {
        let tz = tz_new_york();
        let spring = grid(
            &tz,
            at("2024-03-09T12:00:00Z"),
            at("2024-03-11T12:00:00Z"),
            BucketWidth::DAY,
        );
        let lengths: Vec<i64> = spring.windows(2).map(|w| (w[1] - w[0]) / HOUR).collect();
        assert_eq!(lengths, vec![24, 23, 24]);
        assert_eq!(spring[1], at("2024-03-10T05:00:00Z"));
        let autumn = grid(
            &tz,
            at("2024-11-02T12:00:00Z"),
            at("2024-11-04T12:00:00Z"),
            BucketWidth::DAY,
        );
        let lengths: Vec<i64> = autumn.windows(2).map(|w| (w[1] - w[0]) / HOUR).collect();
        assert_eq!(lengths, vec![24, 25, 24]);
    }

    #[test]
    fn daylight_saving_hours_skip_and_repeat() {
        let tz = tz_new_york();
        // Spring: 01:00 EST, then 03:00 EDT one hour later (02:00 never happens).
        let e = grid(
            &tz,
            at("2024-03-10T06:00:00Z"),
            at("2024-03-10T09:00:00Z"),
            BucketWidth::HOUR,
        );
        assert_eq!(
            e,
            vec![
                at("2024-03-10T06:00:00Z"),
                at("2024-03-10T07:00:00Z"),
                at("2024-03-10T08:00:00Z"),
                at("2024-03-10T09:00:00Z")
            ]
        );
        // Autumn: 01:00 EDT and 01:00 EST are both edges, an hour apart.
        let e = grid(
            &tz,
            at("2024-11-03T04:30:00Z"),
            at("2024-11-03T07:30:00Z"),
            BucketWidth::HOUR,
        );
        assert_eq!(
            e,
            vec![
                at("2024-11-03T04:00:00Z"),
                at("2024-11-03T05:00:00Z"),
                at("2024-11-03T06:00:00Z"),
                at("2024-11-03T07:00:00Z"),
                at("2024-11-03T08:00:00Z"),
            ]
        );
    }

    fn tz_new_york() -> chrono_tz::Tz {
        chrono_tz::America::New_York
    }

    #[test]
    fn named_zones_follow_their_daylight_saving_rules() {
        let zone: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(zone, Zone::Named(chrono_tz::Europe::Berlin));
        assert_eq!(zone.label(at("2024-05-05T02:13:07Z")), "Europe/Berlin UTC+02:00");
        assert_eq!(zone.label(at("2024-01-05T02:13:07Z")), "Europe/Berlin UTC+01:00");
        assert_eq!(zone.format(at("2024-05-05T02:13:07Z"), "%H:%M"), "04:13");
        // Clocks went forward on 2024-03-31: that day has 23 hours.
        let e = edges(
            zone,
            at("2024-03-30T12:00:00Z"),
            at("2024-04-01T12:00:00Z"),
            BucketWidth::DAY,
        )
        .unwrap();
        let lengths: Vec<i64> = e.windows(2).map(|w| (w[1] - w[0]) / HOUR).collect();
        assert_eq!(lengths, vec![24, 23, 24]);
        assert_eq!(e[1], at("2024-03-30T23:00:00Z"));
    }
}
