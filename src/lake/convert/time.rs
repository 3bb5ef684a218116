//! Time text to epoch milliseconds, as DuckDB reads it.
//!
//! The DuckDB conversion computes `epoch_ms(TRY_CAST(text AS TIMESTAMP))`
//! and `try_strptime(text, '%Y%m%dT%H%M%SZ')`; the native converter must
//! give the same value for the same text, odd inputs included (one-digit
//! fields, a missing seconds field, a trailing ` UTC`, an offset, which
//! the cast ignores). This is a port of DuckDB's parsers (`date.cpp`,
//! `time.cpp`, `timestamp.cpp`, `strftime_format.cpp`), kept to the paths
//! that a VARCHAR → TIMESTAMP cast takes.

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MICROS_PER_HOUR: i64 = 3_600_000_000;

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_tz_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'+' | b'-' | b':')
}

/// Days from 1970-01-01 of a proleptic Gregorian date (no validation).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// `Date::TryFromDate`: the day number, or None out of DuckDB's range.
fn date_days(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let in_month = match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > in_month {
        return None;
    }
    // DATE_MIN (-5877641-06-25) and DATE_MAX (5881580-07-10).
    if (year, month, day) < (-5_877_641, 6, 25) || (year, month, day) > (5_881_580, 7, 10) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// `Date::ParseDoubleDigit`: one or two digits.
fn double_digit(s: &[u8], pos: &mut usize) -> Option<i64> {
    let first = *s.get(*pos).filter(|c| c.is_ascii_digit())?;
    *pos += 1;
    let mut value = i64::from(first - b'0');
    if let Some(c) = s.get(*pos).filter(|c| c.is_ascii_digit()) {
        value = value * 10 + i64::from(c - b'0');
        *pos += 1;
    }
    Some(value)
}

/// What a date part parsed to.
enum DatePart {
    Days(i64),
    /// `epoch`, `infinity`, `-infinity`: complete on their own.
    Special(i64),
}

/// `Date::TryConvertDate` (non-strict): the date and where it ended.
fn parse_date(s: &[u8]) -> Option<(DatePart, usize)> {
    let mut pos = 0;
    while pos < s.len() && is_space(s[pos]) {
        pos += 1;
    }
    let negative = s.get(pos) == Some(&b'-');
    if negative {
        pos += 1;
    }
    if !s.get(pos)?.is_ascii_digit() {
        let rest = &s[pos..];
        let special = |word: &[u8], abbr: usize| -> Option<usize> {
            // The whole word, or its abbreviation ending the text ("inf").
            let n = rest
                .iter()
                .zip(word)
                .take_while(|(a, b)| a.to_ascii_lowercase() == **b)
                .count();
            (n == word.len() || (n == abbr && rest.len() == n)).then_some(n)
        };
        let (value, n) = if let Some(n) = special(b"infinity", 3) {
            (if negative { -i64::MAX } else { i64::MAX }, n)
        } else if let Some(n) = special(b"epoch", 5) {
            (0, n)
        } else {
            return None;
        };
        let mut end = pos + n;
        while end < s.len() && is_space(s[end]) {
            end += 1;
        }
        return (end == s.len()).then_some((DatePart::Special(value), end));
    }
    let mut year: i64 = 0;
    while pos < s.len() && s[pos].is_ascii_digit() {
        if year >= 100_000_000 {
            return None;
        }
        year = year * 10 + i64::from(s[pos] - b'0');
        pos += 1;
    }
    if negative {
        year = -year;
    }
    let sep = *s.get(pos)?;
    pos += 1;
    if !matches!(sep, b' ' | b'-' | b'/' | b'\\') {
        return None;
    }
    let month = double_digit(s, &mut pos)?;
    if *s.get(pos)? != sep {
        return None;
    }
    pos += 1;
    let day = double_digit(s, &mut pos)?;
    let rest = &s[pos..];
    if rest.len() >= 5
        && is_space(rest[0])
        && rest[1] == b'('
        && rest[2].eq_ignore_ascii_case(&b'b')
        && rest[3].eq_ignore_ascii_case(&b'c')
        && rest[4] == b')'
    {
        if negative || year == 0 {
            return None;
        }
        year = -year + 1;
        pos += 5;
    }
    if s.get(pos).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((DatePart::Days(date_days(year, month, day)?), pos))
}

/// `Time::TryConvertInternal` (non-strict) over the whole of `s`: micros.
fn parse_time(s: &[u8]) -> Option<i64> {
    let mut pos = 0;
    while pos < s.len() && is_space(s[pos]) {
        pos += 1;
    }
    if !s.get(pos)?.is_ascii_digit() {
        return None;
    }
    let mut hour: i64 = 0;
    let mut digits = 0;
    while pos < s.len() && s[pos].is_ascii_digit() {
        digits += 1;
        if digits > 10 {
            return None;
        }
        hour = hour * 10 + i64::from(s[pos] - b'0');
        pos += 1;
    }
    if *s.get(pos)? != b':' {
        return None;
    }
    pos += 1;
    let min = if pos == s.len() { 0 } else { double_digit(s, &mut pos)? };
    if min >= 60 {
        return None;
    }
    let sec = if pos == s.len() {
        0
    } else {
        if s[pos] != b':' {
            return None;
        }
        pos += 1;
        if pos == s.len() {
            0
        } else {
            let sec = double_digit(s, &mut pos)?;
            if sec >= 60 {
                return None;
            }
            sec
        }
    };
    let mut micros = 0;
    if s.get(pos) == Some(&b'.') {
        pos += 1;
        let mut mult = 100_000;
        while pos < s.len() && s[pos].is_ascii_digit() {
            micros += i64::from(s[pos] - b'0') * mult;
            mult /= 10;
            pos += 1;
        }
    }
    // The caller cut `s` where a suffix may start: all of it must be time.
    if pos != s.len() {
        return None;
    }
    hour.checked_mul(MICROS_PER_HOUR)?
        .checked_add(min * 60_000_000 + sec * 1_000_000 + micros)
}

/// `Timestamp::TryParseUTCOffset` (non-strict): where the offset ends.
fn utc_offset_end(s: &[u8], pos: usize) -> Option<usize> {
    let len = s.len();
    let mut cur = pos;
    if cur + 2 > len {
        return Some(pos);
    }
    if !matches!(s[cur], b'+' | b'-') {
        return None;
    }
    cur += 1;
    if !s[cur].is_ascii_digit() {
        return None;
    }
    cur += 1;
    if s.get(cur).is_some_and(u8::is_ascii_digit) {
        cur += 1;
    }
    if cur >= len {
        return Some(cur);
    }
    let colons = s[cur] == b':';
    if colons {
        cur += 1;
    }
    if cur + 1 > len || !s[cur].is_ascii_digit() {
        return if colons { None } else { Some(cur) };
    }
    cur += 1;
    if s.get(cur).is_some_and(u8::is_ascii_digit) {
        cur += 1;
    }
    if cur >= len || !colons || s[cur] != b':' {
        return Some(cur);
    }
    cur += 1;
    if cur + 1 > len || !s[cur].is_ascii_digit() {
        return None;
    }
    cur += 1;
    if s.get(cur).is_some_and(u8::is_ascii_digit) {
        cur += 1;
    }
    Some(cur)
}

/// `TRY_CAST(text AS TIMESTAMP)` in microseconds (offsets are ignored by
/// that cast; a zone name is accepted and ignored too).
fn cast_timestamp_micros(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    let (date, mut pos) = parse_date(s)?;
    let days = match date {
        DatePart::Special(value) => return Some(value),
        DatePart::Days(days) => days,
    };
    if pos == s.len() {
        return finite(days.checked_mul(MICROS_PER_DAY)?);
    }
    if matches!(s[pos], b' ' | b'T') {
        pos += 1;
    }
    let rest = &s[pos..];
    let mut time_len = 0;
    while time_len < rest.len() && is_space(rest[time_len]) {
        time_len += 1;
    }
    while time_len < rest.len() && !(matches!(rest[time_len], b'Z' | b'+' | b'-') || is_space(rest[time_len])) {
        time_len += 1;
    }
    let time = parse_time(&rest[..time_len])?;
    if time > MICROS_PER_DAY {
        return None;
    }
    pos += time_len;
    let value = finite(days.checked_mul(MICROS_PER_DAY)?.checked_add(time)?)?;
    if pos < s.len() {
        if s[pos] == b'Z' {
            pos += 1;
        } else if let Some(end) = utc_offset_end(s, pos) {
            pos = end;
        } else {
            if s[pos] != b' ' {
                return None;
            }
            pos += 1;
            while pos < s.len() && is_tz_char(s[pos]) {
                pos += 1;
            }
        }
        while pos < s.len() && is_space(s[pos]) {
            pos += 1;
        }
        if pos < s.len() {
            return None;
        }
    }
    Some(value)
}

/// Infinite timestamps are the extremes; a finite one must be strictly inside.
fn finite(micros: i64) -> Option<i64> {
    (micros != i64::MAX && micros != -i64::MAX).then_some(micros)
}

/// Milliseconds of a timestamp as `epoch_ms` gives them: rounded down,
/// and NULL for the infinite timestamps.
fn epoch_ms(micros: i64) -> Option<i64> {
    finite(micros).map(|us| us.div_euclid(1000))
}

/// `epoch_ms(TRY_CAST(text AS TIMESTAMP))`.
pub fn cast_timestamp_ms(text: &str) -> Option<i64> {
    cast_timestamp_micros(text).and_then(epoch_ms)
}

/// `epoch_ms(try_strptime(text, '%Y%m%dT%H%M%SZ'))`, the compact form of
/// `sessionContext.attributes.creationDate` some writers use.
pub fn compact_timestamp_ms(text: &str) -> Option<i64> {
    let s = text
        .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
        .as_bytes();
    if s.len() > 4 && s[0].is_ascii_alphabetic() || s.first() == Some(&b'-') {
        // Specials (`infinity`, `epoch`) parse through the date parser.
        return match parse_date(s)? {
            (DatePart::Special(value), _) => epoch_ms(value),
            _ => None,
        };
    }
    let mut pos = 0;
    let mut number = |width: usize, max: i64, min: i64| -> Option<i64> {
        let start = pos;
        let mut value = 0;
        while pos < s.len() && pos < start + width && s[pos].is_ascii_digit() {
            value = value * 10 + i64::from(s[pos] - b'0');
            pos += 1;
        }
        (pos > start && (min..=max).contains(&value)).then_some(value)
    };
    let year = number(4, 9999, 0)?;
    let month = number(2, 12, 1)?;
    let day = number(2, 31, 1)?;
    let literal = |pos: &mut usize, c: u8| -> Option<()> { (s.get(*pos) == Some(&c)).then(|| *pos += 1) };
    literal(&mut pos, b'T')?;
    let mut number = |width: usize, max: i64| -> Option<i64> {
        let start = pos;
        let mut value = 0;
        while pos < s.len() && pos < start + width && s[pos].is_ascii_digit() {
            value = value * 10 + i64::from(s[pos] - b'0');
            pos += 1;
        }
        (pos > start && value <= max).then_some(value)
    };
    let hour = number(2, 23)?;
    let min = number(2, 59)?;
    let sec = number(2, 59)?;
    literal(&mut pos, b'Z')?;
    while pos < s.len() && is_space(s[pos]) {
        pos += 1;
    }
    if pos != s.len() {
        return None;
    }
    let days = date_days(year, month, day)?;
    Some(days * 86_400_000 + hour * 3_600_000 + min * 60_000 + sec * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_duckdb_accepts() {
        let base = 1_714_557_600_000; // 2024-05-01T10:00:00Z
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01 10:00:00",
            " 2024-05-01T10:00:00Z ",
            "2024-05-01T10:00:00 UTC",
            "2024-05-01T10:00:00+02:00",
            "2024-05-01T10:00:00-0100",
            "2024-05-01T10:00Z",
            "2024-05-01T10:00:00.Z",
        ] {
            assert_eq!(cast_timestamp_ms(text), Some(base), "{text}");
        }
        assert_eq!(cast_timestamp_ms("2024-05-01T10:00:00.1234567Z"), Some(base + 123));
        assert_eq!(cast_timestamp_ms("2024-5-1T1:2:3Z"), Some(1_714_525_323_000));
        assert_eq!(cast_timestamp_ms("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(cast_timestamp_ms("10000-05-01T10:00:00Z"), Some(253_412_791_200_000));
        // Rounded down before 1970, as epoch_ms does.
        assert_eq!(cast_timestamp_ms("1969-12-31T23:59:59.9995Z"), Some(-1));
        assert_eq!(cast_timestamp_ms("infinity"), None);
    }

    #[test]
    fn forms_duckdb_rejects() {
        for text in [
            "20240501T100000Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "2024-05-01T10:00:00z",
            "2024-05-01t10:00:00Z",
            "2024-02-30",
            "",
            "x",
        ] {
            assert_eq!(cast_timestamp_ms(text), None, "{text}");
        }
    }

    #[test]
    fn compact_creation_dates() {
        assert_eq!(compact_timestamp_ms("20240501T100000Z"), Some(1_714_557_600_000));
        assert_eq!(compact_timestamp_ms("20240501T1000Z"), None);
        assert_eq!(compact_timestamp_ms("bad"), None);
    }
}
