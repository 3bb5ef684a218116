//! JSON for a terminal or a file someone will `cat`: serde_json escapes
//! only `"`, `\` and C0 controls, so DEL, C1 controls and bidi overrides
//! from the lake would reach the terminal raw. They are written as `\uXXXX`
//! escapes here — the same string for any JSON reader, inert on a screen.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::text::is_dangerous;

/// A formatter that escapes what [`is_dangerous`] names, around another.
struct Inert<F>(F);

impl<F: Formatter> Formatter for Inert<F> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_dangerous(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

fn write<T: Serialize + ?Sized, F: Formatter>(value: &T, formatter: F, out: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Inert(formatter));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// Indented JSON.
pub fn pretty<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    write(value, PrettyFormatter::new(), out)
}

/// JSON on one line.
pub fn compact<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    write(value, CompactFormatter, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_the_value_is_unchanged() {
        let value = serde_json::json!({"k": "a\u{7f}b\u{9b}31m\u{202e}c\u{1b}d", "n": [1, "é"]});
        let mut out = Vec::new();
        compact(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, r#"{"k":"a\u007fb\u009b31m\u202ec\u001bd","n":[1,"é"]}"#);
        assert!(!text.chars().any(is_dangerous));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let mut out = Vec::new();
        pretty(&value, &mut out).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, value);
        assert!(String::from_utf8(out).unwrap().contains("\n  \"k\""));
    }
}
