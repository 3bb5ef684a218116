//! The slice of the lake a view looks at, and SQL filters with bound values.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use duckdb::types::Value;

use super::discovery::LakeFile;
use super::error::{LakeError, Result};

/// Accounts, regions and a time range. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Inclusive lower bound, epoch milliseconds.
    pub from_ms: Option<i64>,
    /// Exclusive upper bound, epoch milliseconds.
    pub to_ms: Option<i64>,
}

impl Scope {
    /// Does a file's path partition fall inside the scope? Days are widened
    /// by one on each side: a trail file is filed under its delivery day and
    /// may hold events from just before midnight (`docs/formats.md#duckdb-traps`).
    pub fn admits(&self, file: &LakeFile) -> bool {
        let Some(p) = &file.partition else {
            return true;
        };
        if !self.accounts.is_empty() && !self.accounts.contains(&p.account) {
            return false;
        }
        if !self.regions.is_empty() && !self.regions.contains(&p.region) {
            return false;
        }
        if let Some(from) = self.from_ms.and_then(|ms| day_string(ms, -1))
            && p.day.as_str() < from.as_str()
        {
            return false;
        }
        if let Some(to) = self.to_ms.and_then(|ms| day_string(ms - 1, 1))
            && p.day.as_str() > to.as_str()
        {
            return false;
        }
        true
    }

    /// Add the precise account/region/time conditions to a filter.
    pub fn restrict(&self, filter: &mut Filter) {
        if !self.accounts.is_empty() {
            let list = filter.bind_list(&self.accounts);
            filter.push(format!("account IN ({list})"));
        }
        if !self.regions.is_empty() {
            let list = filter.bind_list(&self.regions);
            filter.push(format!("region IN ({list})"));
        }
        if let Some(from) = self.from_ms {
            let p = filter.bind(Value::BigInt(from));
            filter.push(format!("time_ms >= {p}"));
        }
        if let Some(to) = self.to_ms {
            let p = filter.bind(Value::BigInt(to));
            filter.push(format!("time_ms < {p}"));
        }
    }

    pub fn is_everything(&self) -> bool {
        *self == Scope::default()
    }

    /// `account=… region=… from=… to=…`, as shown in headers.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.accounts.is_empty() {
            parts.push(format!("account={}", self.accounts.join(",")));
        }
        if !self.regions.is_empty() {
            parts.push(format!("region={}", self.regions.join(",")));
        }
        if let Some(ms) = self.from_ms {
            parts.push(format!("from={}", format_ms(ms)));
        }
        if let Some(ms) = self.to_ms {
            parts.push(format!("to={}", format_ms(ms)));
        }
        if parts.is_empty() {
            "whole lake".into()
        } else {
            parts.join(" ")
        }
    }
}

pub(crate) fn day_string(ms: i64, shift: i64) -> Option<String> {
    let t = Utc.timestamp_millis_opt(ms).single()?;
    let d = if shift >= 0 {
        t.date_naive().checked_add_days(Days::new(shift as u64))?
    } else {
        t.date_naive().checked_sub_days(Days::new(shift.unsigned_abs()))?
    };
    Some(d.format("%Y%m%d").to_string())
}

/// RFC 3339 UTC with a `Z`.
pub fn format_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) if ms % 1000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

/// Parse a user's time: `2024-05-04`, `2024-05-04T10:00:00Z` or any RFC 3339
/// offset, `now`, or a time before now (`30m`, `-2h`, `7d`, `2w`, `90s`).
/// A bare date as an upper bound means the end of that day.
pub fn parse_time(text: &str, upper: bool) -> Result<i64> {
    parse_time_at(text, upper, Utc::now().timestamp_millis())
}

/// [`parse_time`] with the clock given (`now_ms`), for relative times.
pub fn parse_time_at(text: &str, upper: bool, now_ms: i64) -> Result<i64> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(now_ms);
    }
    if let Some(ago) = before_now(text) {
        return Ok(now_ms - ago);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc).timestamp_millis());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Ok(t.and_utc().timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let d = if upper {
            d.checked_add_days(Days::new(1)).unwrap_or(d)
        } else {
            d
        };
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or(0));
    }
    Err(LakeError::InvalidInput {
        what: "time",
        detail: format!(
            "{text:?} is neither a date (2024-05-04), an RFC 3339 time (2024-05-04T10:00:00Z), now, \
             nor a time before now (30m, 2h, 7d, 2w)"
        ),
    })
}

/// `30m`, `-30m`, `2h`, `7d`, `2w`, `90s`: how long ago, in milliseconds.
pub fn before_now(text: &str) -> Option<i64> {
    duration_ms(text.strip_prefix('-').unwrap_or(text))
}

/// `90s`, `30m`, `2h`, `7d`, `2w` as milliseconds (never negative).
pub fn duration_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let count: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let ms = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    count.checked_mul(ms).filter(|ms| *ms >= 0)
}

/// A WHERE clause whose values travel as bound parameters (`$1`, `$2`, …).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Value>,
    /// Alternatives of which one must hold (`a OR b`), kept apart: DuckDB
    /// pushes `column = $1` into a parquet scan but not an OR of two, so a
    /// scan can run one branch per alternative instead (see [`Filter::scan`]).
    any_of: Vec<String>,
}

impl Filter {
    /// Bind a value; returns its placeholder.
    pub fn bind(&mut self, value: Value) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    pub fn bind_text(&mut self, text: &str) -> String {
        self.bind(Value::Text(text.to_string()))
    }

    pub fn bind_list(&mut self, values: &[String]) -> String {
        values.iter().map(|v| self.bind_text(v)).collect::<Vec<_>>().join(", ")
    }

    pub fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// Require one of `alternatives`. Only the first such group is kept
    /// apart for [`Filter::scan`]; later ones become a plain OR.
    pub fn push_any(&mut self, alternatives: Vec<String>) {
        if self.any_of.is_empty() {
            self.any_of = alternatives;
        } else {
            self.push(alternatives.join(" OR "));
        }
    }

    pub fn sql(&self) -> String {
        let any = (!self.any_of.is_empty()).then(|| self.any_of.join(" OR "));
        and(self.clauses.iter().chain(any.as_ref()))
    }

    /// `SELECT * FROM {from}` rows that pass the filter: one branch per
    /// alternative, each excluding the rows of the branches before it, so
    /// that every branch has a condition DuckDB can push into the scan.
    pub fn scan(&self, from: &str) -> String {
        if self.any_of.len() < 2 {
            return format!("SELECT * FROM {from} WHERE {}", self.sql());
        }
        let branches: Vec<String> = self
            .any_of
            .iter()
            .enumerate()
            .map(|(i, alt)| {
                let before: Vec<String> = self.any_of[..i].iter().map(|a| format!("({a}) IS NOT TRUE")).collect();
                let conditions = and(self.clauses.iter().chain([alt]).chain(&before));
                format!("SELECT * FROM {from} WHERE {conditions}")
            })
            .collect();
        branches.join("\nUNION ALL\n")
    }

    pub fn params(&self) -> &[Value] {
        &self.params
    }
}

/// `(a) AND (b)…`, or `true` for none.
fn and<'a>(clauses: impl IntoIterator<Item = &'a String>) -> String {
    let parts: Vec<String> = clauses.into_iter().map(|c| format!("({c})")).collect();
    if parts.is_empty() {
        "true".into()
    } else {
        parts.join(" AND ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_count_back_from_the_clock_given() {
        let now = parse_time("2024-05-05T12:00:00Z", false).unwrap();
        let at = |t: &str| parse_time_at(t, false, now).unwrap();
        assert_eq!(at("now"), now);
        assert_eq!(at("NOW"), now);
        assert_eq!(at("30m"), now - 30 * 60_000);
        assert_eq!(at("-30m"), at("30m"));
        assert_eq!(at("2h"), parse_time("2024-05-05T10:00:00Z", false).unwrap());
        assert_eq!(at("7d"), parse_time("2024-04-28T12:00:00Z", false).unwrap());
        assert_eq!(at("2w"), at("14d"));
        assert_eq!(at("90s"), now - 90_000);
        // Absolute times are not moved by the clock.
        assert_eq!(at("2024-05-01"), parse_time("2024-05-01", false).unwrap());
        for bad in ["2y", "h", "-", "1.5h", "d2", "99999999999999999w"] {
            assert!(parse_time_at(bad, false, now).is_err(), "{bad}");
        }
    }
    use crate::lake::discovery::SourceKind;
    use crate::lake::layout::Partition;

    fn file(day: &str) -> LakeFile {
        LakeFile {
            path: "/x".into(),
            size: 0,
            kind: SourceKind::CloudTrailJson,
            partition: Some(Partition {
                account: "012345678901".into(),
                region: "us-east-1".into(),
                day: day.into(),
            }),
        }
    }

    #[test]
    fn day_pruning_is_widened_by_one_day() {
        let scope = Scope {
            from_ms: Some(parse_time("2024-05-04", false).unwrap()),
            to_ms: Some(parse_time("2024-05-04", true).unwrap()),
            ..Scope::default()
        };
        assert!(!scope.admits(&file("20240502")));
        assert!(scope.admits(&file("20240503")));
        assert!(scope.admits(&file("20240504")));
        assert!(scope.admits(&file("20240505")));
        assert!(!scope.admits(&file("20240506")));
    }

    #[test]
    fn accounts_compare_as_text() {
        let scope = Scope {
            accounts: vec!["012345678901".into()],
            ..Scope::default()
        };
        assert!(scope.admits(&file("20240504")));
        let other = Scope {
            accounts: vec!["12345678901".into()],
            ..Scope::default()
        };
        assert!(!other.admits(&file("20240504")));
    }

    #[test]
    fn times_parse_and_format_in_utc() {
        assert_eq!(
            parse_time("2024-05-04T10:00:00+09:00", false).unwrap(),
            1_714_784_400_000
        );
        assert_eq!(format_ms(1_714_784_400_000), "2024-05-04T01:00:00Z");
        assert_eq!(
            parse_time("2024-05-04", true).unwrap() - parse_time("2024-05-04", false).unwrap(),
            86_400_000
        );
        assert!(parse_time("yesterday", false).is_err());
    }

    #[test]
    fn alternatives_become_branches_that_exclude_earlier_ones() {
        let mut f = Filter::default();
        f.push("time_ms >= $1".into());
        f.push_any(vec!["a = $2".into(), "b = $2".into()]);
        assert_eq!(f.sql(), "(time_ms >= $1) AND (a = $2 OR b = $2)");
        assert_eq!(
            f.scan("t"),
            "SELECT * FROM t WHERE (time_ms >= $1) AND (a = $2)\nUNION ALL\n\
             SELECT * FROM t WHERE (time_ms >= $1) AND (b = $2) AND ((a = $2) IS NOT TRUE)"
        );
        f.push_any(vec!["c".into(), "d".into()]);
        assert!(f.sql().contains("(c OR d)"));
    }

    #[test]
    fn filters_bind_values_instead_of_splicing() {
        let mut f = Filter::default();
        let p = f.bind_text("arn:aws:iam::1:user/o'brien");
        f.push(format!("actor_key = {p}"));
        assert_eq!(f.sql(), "(actor_key = $1)");
        assert_eq!(f.params().len(), 1);
    }
}
