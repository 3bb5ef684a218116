//! The case as a Markdown report: the marked events as a timeline, the
//! actors and indicators with first and last sight, the notes, and for
//! every marked event its lake file, that file's SHA-256 and the original
//! record — so a reader can check each line against the evidence.

use std::io::Write;

use super::MarkKind;
use super::export::{CaseExport, iso};

/// Text from the lake on one line: controls (line breaks too) written as
/// escapes, no pipe to end a table cell.
fn one_line(text: &str) -> String {
    crate::text::sanitize(text).replace('|', "\\|")
}

/// A table cell or line of text: also no HTML, which a renderer would run
/// (values come from the lake, and an attacker writes some of them).
fn cell(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A code span that shows `text` as it is, backticks included: fenced by
/// one backtick more than the longest run inside it.
fn code(text: &str) -> String {
    let text = one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    match longest {
        0 => format!("{fence}{text}{fence}"),
        _ => format!("{fence} {text} {fence}"),
    }
}

fn opt(text: &Option<String>) -> String {
    cell(text.as_deref().unwrap_or(""))
}

pub fn markdown(export: &CaseExport, exported_at: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let case = &export.case;
    writeln!(out, "# Case {}\n", cell(&case.name))?;
    writeln!(out, "- Lake: {}", code(&case.lake))?;
    writeln!(out, "- Created: {} · exported: {exported_at}", case.created_at)?;
    writeln!(out, "- Marks: {} ({} events)\n", case.marks.len(), export.events.len())?;

    writeln!(out, "## Timeline (UTC)\n")?;
    writeln!(
        out,
        "| Time | Operation | Actor | Source IP | Account | Region | Error | Tag |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for e in &export.events {
        let ev = &e.event;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            iso(ev.time),
            opt(&ev.operation),
            cell(&ev.actor),
            opt(&ev.source_ip),
            opt(&ev.account),
            opt(&ev.region),
            opt(&ev.error_code),
            opt(&e.mark.tag)
        )?;
    }
    for id in &export.missing {
        writeln!(out, "\nMarked event {} is not in the lake any more.", code(id))?;
    }

    for (title, kinds) in [
        ("Actors", &[MarkKind::Actor][..]),
        (
            "Indicators",
            &[MarkKind::Ip, MarkKind::Key, MarkKind::Name, MarkKind::Resource][..],
        ),
    ] {
        writeln!(out, "\n## {title}\n")?;
        // Events: the API calls naming it (a name: its DNS queries).
        writeln!(out, "| Kind | Value | Events | First seen | Last seen | Tag |")?;
        writeln!(out, "|---|---|---:|---|---|---|")?;
        for i in export.indicators.iter().filter(|i| kinds.contains(&i.kind)) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                i.kind.label(),
                cell(&i.value),
                i.events,
                iso(i.first),
                iso(i.last),
                opt(&i.tag)
            )?;
        }
    }

    let noted: Vec<_> = case
        .in_time_order()
        .into_iter()
        .filter(|m| !m.notes.is_empty())
        .collect();
    if !noted.is_empty() {
        writeln!(out, "\n## Notes\n")?;
        for m in noted {
            for note in &m.notes {
                writeln!(out, "- {} {}: {}", m.kind.label(), code(&m.value), cell(note))?;
            }
        }
    }

    let paths: Vec<_> = case
        .in_time_order()
        .into_iter()
        .filter(|m| !m.path.is_empty())
        .collect();
    if !paths.is_empty() {
        writeln!(out, "\n## How each mark was reached\n")?;
        for m in paths {
            writeln!(out, "- {} {}:", m.kind.label(), code(&m.value))?;
            for step in &m.path {
                writeln!(out, "  - {}: {}", cell(&step.title), code(&step.command))?;
            }
        }
    }

    writeln!(out, "\n## Evidence\n")?;
    for e in &export.events {
        writeln!(out, "### {} {}\n", iso(e.event.time), code(&e.mark.value))?;
        writeln!(out, "- Lake file: {}", code(&e.file))?;
        writeln!(out, "- SHA-256: `{}`", e.sha256)?;
        match &e.manifest_sha256 {
            Some(h) if *h == e.sha256 => {
                writeln!(out, "- Sync manifest: the same SHA-256 recorded when it was fetched")?
            }
            Some(h) => writeln!(
                out,
                "- Sync manifest: **recorded {h} when fetched — the file changed since**"
            )?,
            None => writeln!(out, "- Sync manifest: none (hash computed at export)")?,
        }
        // serde_json escapes controls inside strings; bidi overrides and a
        // fence that would close the block are what remain to defuse.
        let record = serde_json::to_string_pretty(&e.record).unwrap_or_default();
        let lines: Vec<String> = record.lines().map(crate::text::sanitize).collect();
        writeln!(
            out,
            "\n```json\n{}\n```\n",
            lines.join("\n").replace("```", "`\\u0060`")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lake_text_cannot_break_the_report() {
        assert_eq!(cell("a|b\nc"), "a\\|b\\nc");
        assert_eq!(
            cell("<img src=x onerror=alert(1)> & co"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; co"
        );
        assert_eq!(cell("\u{1b}[31mred"), "\\e[31mred");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x``y"), "``` x``y ```");
    }
}
