//! Untrusted text made safe to show: every string in a lake may carry
//! attacker-supplied terminal escape sequences (`docs/formats.md#untrusted-text`).

use std::fmt::Write;

use unicode_width::UnicodeWidthChar;

/// Escape C0/C1 controls, DEL and bidi overrides so that nothing in the data
/// can move the cursor, recolour the terminal or reorder what is shown.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Quoted for a POSIX shell when it needs to be ('…', a ' as '\'').
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    match plain {
        true => text.to_string(),
        false => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

/// Is this character unsafe to send to a terminal as is?
pub fn is_dangerous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Display width in terminal cells.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Cut to at most `max` cells, ending with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_control_sequences() {
        assert_eq!(
            sanitize("evil\u{1b}[31mRED\u{1b}[0m\u{7}"),
            "evil\\e[31mRED\\e[0m\\u{7}"
        );
        assert_eq!(sanitize("a\u{202e}b\u{8}c\u{9b}"), "a\\u{202e}b\\u{8}c\\u{9b}");
        assert_eq!(sanitize("アカウント"), "アカウント");
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("アカウント", 5), "アカ…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(width("アカ"), 4);
    }
}

const EIGHTHS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, height relative to the largest; zero is a
/// space, so that empty buckets show as gaps.
pub fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| match *v {
            0 => ' ',
            v => EIGHTHS[((v * 8).div_ceil(max) as usize).clamp(1, 8) - 1],
        })
        .collect()
}

/// A horizontal bar `cells` wide at most, in eighths of a cell.
pub fn bar(value: u64, max: u64, cells: usize) -> String {
    const PARTS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if value == 0 || max == 0 {
        return String::new();
    }
    let eighths = ((value as u128 * cells as u128 * 8).div_ceil(max as u128)).max(1) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn sparkline_shows_gaps_and_scales_to_the_max() {
        assert_eq!(sparkline(&[0, 1, 4, 8]), " ▁▄█");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[0, 0]), "  ");
        // A tiny non-zero value is still visible.
        assert_eq!(sparkline(&[1, 1000]), "▁█");
    }

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 1000, 4), "▏");
        assert_eq!(bar(0, 10, 4), "");
    }
}
