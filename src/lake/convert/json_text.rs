//! JSON values as DuckDB prints them.
//!
//! DuckDB parses trail files with yyjson and prints a JSON value minified:
//! keys in document order (duplicates kept), strings re-escaped (only `"`,
//! `\` and control characters; `/` and non-ASCII stay as they are),
//! integers as written, other numbers as the shortest text that reads back
//! to the same double (`1.0`, `1e30`, `0.000001`, `1e-7`), and numbers too
//! large for an integer or a double as written. `request_json` and
//! `json_extract_string` values must match that byte for byte.

use std::borrow::Cow;
use std::fmt::Write;

/// What went wrong re-printing a value (only input serde_json accepted
/// but yyjson would not: a lone UTF-16 surrogate escape).
#[derive(Debug, thiserror::Error)]
#[error("invalid \\u escape in a JSON string")]
pub struct BadEscape;

/// `json_extract_string` of one value given as its JSON text: strings
/// unescaped, `null` as None, anything else as DuckDB prints it.
pub fn extract_string(raw: &str) -> Result<Option<Cow<'_, str>>, BadEscape> {
    let raw = raw.trim_ascii();
    match raw.as_bytes().first() {
        None | Some(b'n') => Ok(None),
        Some(b'"') => unescape(&raw[1..raw.len() - 1]).map(Some),
        Some(b't' | b'f') => Ok(Some(Cow::Borrowed(raw))),
        Some(b'{' | b'[') => {
            let mut out = String::with_capacity(raw.len());
            minify_into(raw, &mut out)?;
            Ok(Some(Cow::Owned(out)))
        }
        Some(_) => Ok(Some(number(raw))),
    }
}

/// `CAST(json AS VARCHAR)`: the value minified, `null` as None.
pub fn printed(raw: &str, out: &mut String) -> Result<bool, BadEscape> {
    let raw = raw.trim_ascii();
    if raw == "null" {
        return Ok(false);
    }
    minify_into(raw, out)?;
    Ok(true)
}

/// A JSON number token as yyjson prints it back.
fn number(token: &str) -> Cow<'_, str> {
    let real = token.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if !real {
        // Integers are written back as read (-0 is the integer 0);
        // integers out of 64-bit range are kept as raw text.
        return if token == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(token)
        };
    }
    match token.parse::<f64>() {
        Ok(value) if value.is_finite() => Cow::Owned(format_double(value)),
        // Too large for a double: yyjson keeps the text (BIGNUM_AS_RAW).
        _ => Cow::Borrowed(token),
    }
}

/// yyjson's `write_f64_raw`: shortest round-trip digits, laid out in
/// decimal when the point falls within (-6, 21], else as `d.ddde±x`.
fn format_double(value: f64) -> String {
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0.0");
    }
    // `{:e}` gives the shortest round-trip digits: "1.5e30", "1e-7".
    let sci = format!("{:e}", value.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let dot = exp + 1;
    let mut out = String::with_capacity(digits.len() + 24);
    out.push_str(sign);
    if -6 < dot && dot <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dot) as usize));
        out.push_str(&digits);
    } else if 0 < dot && dot <= 21 {
        let dot = dot as usize;
        if digits.len() <= dot {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', dot - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..dot]);
            out.push('.');
            out.push_str(&digits[dot..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{exp}");
    }
    out
}

/// The text of a JSON string body (between its quotes), escapes decoded.
fn unescape(body: &str) -> Result<Cow<'_, str>, BadEscape> {
    if !body.contains('\\') {
        return Ok(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    decode_into(body, &mut out)?;
    Ok(Cow::Owned(out))
}

fn decode_into(body: &str, out: &mut String) -> Result<(), BadEscape> {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut plain = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&body[plain..i]);
        let c = bytes.get(i + 1).copied().ok_or(BadEscape)?;
        i += 2;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let hi = hex4(bytes, i)?;
                i += 4;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if bytes.get(i) != Some(&b'\\') || bytes.get(i + 1) != Some(&b'u') {
                        return Err(BadEscape);
                    }
                    let lo = hex4(bytes, i + 2)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(BadEscape);
                    }
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                out.push(char::from_u32(code).ok_or(BadEscape)?);
            }
            _ => return Err(BadEscape),
        }
        plain = i;
    }
    out.push_str(&body[plain..]);
    Ok(())
}

fn hex4(bytes: &[u8], at: usize) -> Result<u32, BadEscape> {
    let text = bytes.get(at..at + 4).ok_or(BadEscape)?;
    let text = std::str::from_utf8(text).map_err(|_| BadEscape)?;
    u32::from_str_radix(text, 16).map_err(|_| BadEscape)
}

/// A string re-escaped the way yyjson writes it.
fn escape_into(text: &str, out: &mut String) {
    out.push('"');
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        if short.is_empty() {
            let _ = write!(out, "\\u{b:04X}");
        } else {
            out.push_str(short);
        }
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// Minify JSON text that serde_json has already validated.
fn minify_into(raw: &str, out: &mut String) -> Result<(), BadEscape> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut scratch = String::new();
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                while bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        escaped = true;
                        j += 1;
                    }
                    j += 1;
                }
                let body = &raw[start..j];
                if escaped {
                    scratch.clear();
                    decode_into(body, &mut scratch)?;
                    escape_into(&scratch, out);
                } else {
                    // Control characters cannot appear unescaped in valid JSON.
                    out.push('"');
                    out.push_str(body);
                    out.push('"');
                }
                i = j + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                out.push_str(&number(&raw[start..i]));
            }
            _ => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'-' | b'0'..=b'9') {
                    i += 1;
                }
                out.push_str(&raw[start..i]);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(raw: &str) -> String {
        let mut out = String::new();
        minify_into(raw, &mut out).expect("valid");
        out
    }

    #[test]
    fn numbers_print_as_duckdb_does() {
        // Each pair was printed by DuckDB (CAST(json AS VARCHAR)).
        let cases = [
            ("1.0", "1.0"),
            ("1.5", "1.5"),
            ("1e30", "1e30"),
            ("1e-7", "1e-7"),
            ("0.1", "0.1"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("-0.0", "-0.0"),
            ("-0", "0"),
            ("1E2", "100.0"),
            ("12345678901234567", "12345678901234567"),
            ("100000000000000000000.0", "100000000000000000000.0"),
            ("1e21", "1e21"),
            ("1e22", "1e22"),
            ("0.000001", "0.000001"),
            ("1.7976931348623157e308", "1.7976931348623157e308"),
            ("3.14159265358979323846", "3.141592653589793"),
            ("1e400", "1e400"),
        ];
        for (input, printed) in cases {
            assert_eq!(min(input), printed, "{input}");
        }
    }

    #[test]
    fn strings_and_structure() {
        assert_eq!(
            min(
                r#"{ "s" : "\u00e9\u2028\u0001\u001f\u007f\/\\\"\t\n\r\b\f" , "a":[ 1 , {"x" : [] }, {} ],"d":1,"d":2}"#
            ),
            "{\"s\":\"é\u{2028}\\u0001\\u001F\u{7f}/\\\\\\\"\\t\\n\\r\\b\\f\",\"a\":[1,{\"x\":[]},{}],\"d\":1,\"d\":2}"
        );
        assert_eq!(min(r#""\ud83d\ude00""#), "\"😀\"");
        assert!(minify_into(r#""\ud83d""#, &mut String::new()).is_err());
    }

    #[test]
    fn extracted_strings() {
        assert_eq!(extract_string(r#""a\nb""#).expect("ok").as_deref(), Some("a\nb"));
        assert_eq!(extract_string("null").expect("ok"), None);
        assert_eq!(extract_string("true").expect("ok").as_deref(), Some("true"));
        assert_eq!(extract_string("1.50").expect("ok").as_deref(), Some("1.5"));
        assert_eq!(
            extract_string(r#"{"x": 1}"#).expect("ok").as_deref(),
            Some(r#"{"x":1}"#)
        );
    }
}
