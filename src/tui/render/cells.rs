//! Cell text: every string from the lake is escaped (`text::sanitize`)
//! and cut to its cell width here, before it can reach the terminal.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::text::{sanitize, truncate, width};

/// Escaped, cut to `cells` and padded to exactly `cells` wide.
pub fn fit(text: &str, cells: usize) -> String {
    let cut = truncate(&sanitize(text), cells);
    let pad = cells.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

/// Escaped and cut, not padded.
pub fn clip(text: &str, cells: usize) -> String {
    truncate(&sanitize(text), cells)
}

/// Escaped and padded to `cells`; a long text loses its middle, not its
/// end (an ARN's account and its session name both stay visible).
pub fn fit_middle(text: &str, cells: usize) -> String {
    let pieces: Vec<(String, usize)> = text
        .chars()
        .map(|c| {
            let p = sanitize(&c.to_string());
            let w = width(&p);
            (p, w)
        })
        .collect();
    let spans = middle_cut(&pieces, cells, None, |_| Style::new());
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    let pad = cells.saturating_sub(width(&text));
    format!("{text}{}", " ".repeat(pad))
}

/// A cell whose characters at `matched` (char indices of the raw text) are
/// highlighted; cut in the middle like [`fit_middle`]. Escaping happens per
/// character so that the indices stay right.
pub fn highlighted(text: &str, matched: &[usize], cells: usize, base: Style, hit: Style) -> Vec<Span<'static>> {
    let pieces: Vec<(String, usize)> = text
        .chars()
        .map(|c| {
            let p = sanitize(&c.to_string());
            let w = width(&p);
            (p, w)
        })
        .collect();
    let focus = matched.first().copied();
    let mut spans = middle_cut(&pieces, cells, focus, |i| {
        if matched.binary_search(&i).is_ok() { hit } else { base }
    });
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::styled(" ".repeat(cells.saturating_sub(used)), base));
    spans
}

/// Keep the head and tail of `pieces` within `cells`, with `…` between;
/// when a `focus` character (a filter match) would be cut, keep a short
/// head and the text from just before the focus instead.
fn middle_cut(
    pieces: &[(String, usize)],
    cells: usize,
    focus: Option<usize>,
    style: impl Fn(usize) -> Style,
) -> Vec<Span<'static>> {
    let total: usize = pieces.iter().map(|p| p.1).sum();
    let mut keep = vec![total <= cells; pieces.len()];
    if total > cells {
        let room = cells.saturating_sub(1);
        let head_end = fill(pieces, &mut keep, 0..pieces.len(), room * 2 / 5);
        let used: usize = pieces[..head_end].iter().map(|p| p.1).sum();
        fill(pieces, &mut keep, (head_end..pieces.len()).rev(), room - used);
        if let Some(f) = focus.filter(|f| *f < pieces.len() && !keep[*f]) {
            // Room for two ellipses around the window.
            let room = cells.saturating_sub(2);
            keep.iter_mut().for_each(|k| *k = false);
            let head_end = fill(pieces, &mut keep, 0..pieces.len(), (room / 5).min(f));
            let used: usize = pieces[..head_end].iter().map(|p| p.1).sum();
            let start = f.saturating_sub(2).max(head_end);
            fill(pieces, &mut keep, start..pieces.len(), room - used);
        }
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (i, (piece, _)) in pieces.iter().enumerate() {
        if !keep[i] {
            if i > 0 && keep[i - 1] || i == 0 {
                spans.push(Span::styled("…", style(usize::MAX)));
            }
            continue;
        }
        let s = style(i);
        match spans.last_mut() {
            Some(last) if last.style == s && last.content != "…" => last.content.to_mut().push_str(piece),
            _ => spans.push(Span::styled(piece.clone(), s)),
        }
    }
    // Ellipses take one cell each: drop the last kept pieces if they overflow.
    while spans.iter().map(|s| width(&s.content)).sum::<usize>() > cells {
        let Some(last) = spans.last_mut() else { break };
        if last.content.chars().count() <= 1 {
            spans.pop();
        } else {
            let mut text = last.content.to_string();
            text.pop();
            last.content = text.into();
        }
    }
    spans
}

/// Mark pieces (in `order`) as kept while they fit in `room` cells; returns
/// the index after the last piece kept when walking forward.
fn fill(pieces: &[(String, usize)], keep: &mut [bool], order: impl Iterator<Item = usize>, room: usize) -> usize {
    let mut used = 0;
    let mut end = 0;
    for i in order {
        if keep[i] || used + pieces[i].1 > room {
            break;
        }
        used += pieces[i].1;
        keep[i] = true;
        end = i + 1;
    }
    end
}

/// Widths for columns of fixed width (Some) around one flexible column
/// (None); trailing columns are dropped while the flexible one would be
/// narrower than `min_flex`. One space separates columns.
pub fn widths(fixed: &[Option<u16>], total: u16, min_flex: usize) -> Vec<usize> {
    let total = total as usize;
    let mut keep = fixed.len();
    loop {
        let used: usize = fixed[..keep].iter().map(|w| w.unwrap_or(0) as usize).sum::<usize>() + keep.saturating_sub(1);
        let flex = total.saturating_sub(used);
        if flex >= min_flex || keep <= 1 {
            return fixed[..keep].iter().map(|w| w.map_or(flex, |w| w as usize)).collect();
        }
        keep -= 1;
    }
}

/// A service port and its protocol as people read them: `443/tcp`
/// (IANA protocol numbers named).
pub fn port_protocol(port: Option<i32>, protocol: Option<i32>) -> String {
    let protocol = match protocol {
        Some(1) => "icmp".into(),
        Some(6) => "tcp".into(),
        Some(17) => "udp".into(),
        Some(58) => "icmp6".into(),
        Some(n) => n.to_string(),
        None => "-".into(),
    };
    match port {
        Some(p) => format!("{p}/{protocol}"),
        None => protocol,
    }
}

/// A flow's direction in three cells: `out` when the subject opened the
/// conversation, `in` when the peer did.
pub fn direction(text: &str) -> &str {
    match text {
        "outbound" => "out",
        "inbound" => "in",
        other => other,
    }
}

/// `1.2 MB` style sizes.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cells_are_escaped_and_cut() {
        assert_eq!(fit("a\u{1b}[31mb", 20), "a\\e[31mb            ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit_middle("arn:aws:iam::1:role/x/session", 16), "arn:aw…x/session");
        let spans = highlighted("ci\u{7}x", &[0, 3], 10, Style::new(), Style::new().bold());
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "ci\\u{7}x  ");
        assert_eq!(spans[0].content, "c");
        let cut = highlighted("abcdefghij", &[9], 6, Style::new(), Style::new().bold());
        let text: String = cut.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "ab…hij");
        assert_eq!(
            cut.iter().find(|s| s.content == "j").map(|s| s.style),
            Some(Style::new().bold())
        );
        assert_eq!(widths(&[None, Some(10), Some(10)], 30, 8), vec![8, 10, 10]);
        assert_eq!(widths(&[None, Some(10), Some(10)], 25, 8), vec![14, 10]);
        assert_eq!(bytes(419_328), "419.3 KB");
    }
}
