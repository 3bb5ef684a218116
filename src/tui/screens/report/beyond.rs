//! The sections a report gains from the lake's records other than API
//! calls (`Beyond`): the findings naming the subject, its conversations,
//! the names it asked, the names that resolved to it, its HTTP requests.
//! A section is left out only when it is empty: most subjects have only
//! some of these, and a wall of "(none)" would hide the ones that matter.

use super::model::{ReportRow, Section, col, flex, prose};
use crate::lake::{Beyond, DnsRow, FindingRow, FlowRow, HttpRow};
use crate::tui::render::cells::{bytes, direction, port_protocol};
use crate::tui::target::{Subject, Target, short_time};

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        "-".into()
    } else {
        values.join(", ")
    }
}

/// `None` for no rows, so that empty sections drop out of the report.
fn section(title: &str, columns: Vec<super::model::Column>, rows: Vec<ReportRow>) -> Option<Section> {
    (!rows.is_empty()).then(|| Section {
        title: format!("{title} ({})", rows.len()),
        columns,
        rows,
    })
}

/// The finding's title, or its type when it has none.
pub fn headline(f: &FindingRow) -> String {
    f.title
        .clone()
        .or_else(|| f.finding_type.clone())
        .unwrap_or_else(|| "-".into())
}

pub fn findings(rows: &[FindingRow]) -> Option<Section> {
    let rows = rows
        .iter()
        .map(|f| {
            ReportRow::new(
                vec![opt(&f.severity), opt(&f.product), headline(f), short_time(f.time)],
                Some(Target::Finding(f.id.clone())),
            )
        })
        .collect();
    let columns = vec![col("SEVERITY", 8), col("PRODUCT", 12), prose("TITLE"), col("TIME", 19)];
    section("Findings", columns, rows)
}

/// Conversations lead to the peer's own report. Columns that matter most
/// (accepted or rejected, new) come before those a narrow screen drops.
pub fn network(rows: &[FlowRow]) -> Option<Section> {
    let rows = rows
        .iter()
        .map(|f| {
            let peer = opt(&f.peer);
            ReportRow::new(
                vec![
                    peer,
                    port_protocol(f.port, f.protocol),
                    direction(f.direction).to_string(),
                    bytes(f.bytes_out),
                    bytes(f.bytes_in),
                    format!("{}/{}", f.accepted, f.rejected),
                    if f.new { "new" } else { "" }.to_string(),
                    (f.packets_out + f.packets_in).to_string(),
                    short_time(f.first_seen),
                    short_time(f.last_seen),
                ],
                f.peer.clone().map(|p| Target::Open(Subject::Ip(p))),
            )
        })
        .collect();
    let columns = vec![
        flex("PEER"),
        col("PORT", 9),
        col("DIR", 3),
        col("OUT", 8),
        col("IN", 8),
        col("ACC/REJ", 7),
        col("NEW", 3),
        col("PACKETS", 7),
        col("FIRST SEEN", 19),
        col("LAST SEEN", 19),
    ];
    section("Network", columns, rows)
}

fn name_target(row: &DnsRow) -> Option<Target> {
    row.name.clone().map(Target::Name)
}

pub fn dns(rows: &[DnsRow]) -> Option<Section> {
    let rows = rows
        .iter()
        .map(|d| {
            ReportRow::new(
                vec![
                    opt(&d.name),
                    opt(&d.qtype),
                    opt(&d.rcode),
                    list(&d.answers),
                    d.queries.to_string(),
                    if d.new { "new" } else { "" }.to_string(),
                    short_time(d.first_seen),
                ],
                name_target(d),
            )
        })
        .collect();
    let columns = vec![
        flex("NAME"),
        col("TYPE", 5),
        col("RCODE", 8),
        col("ANSWERS", 24),
        col("QUERIES", 7),
        col("NEW", 3),
        col("FIRST SEEN", 19),
    ];
    section("DNS", columns, rows)
}

pub fn resolved_from(rows: &[DnsRow]) -> Option<Section> {
    let rows = rows
        .iter()
        .map(|d| {
            ReportRow::new(
                vec![
                    opt(&d.name),
                    opt(&d.qtype),
                    list(&d.askers),
                    d.queries.to_string(),
                    short_time(d.first_seen),
                    short_time(d.last_seen),
                ],
                name_target(d),
            )
        })
        .collect();
    let columns = vec![
        flex("NAME"),
        col("TYPE", 5),
        col("ASKED BY", 24),
        col("QUERIES", 7),
        col("FIRST SEEN", 19),
        col("LAST SEEN", 19),
    ];
    section("Resolved from", columns, rows)
}

pub fn http(rows: &[HttpRow]) -> Option<Section> {
    let rows = rows
        .iter()
        .map(|h| {
            let url = format!("{}{}", h.host.as_deref().unwrap_or(""), h.path.as_deref().unwrap_or(""));
            ReportRow::new(
                vec![
                    opt(&h.method),
                    if url.is_empty() { "-".into() } else { url },
                    opt(&h.action),
                    opt(&h.rule),
                    h.requests.to_string(),
                    short_time(h.first_seen),
                ],
                None,
            )
        })
        .collect();
    let columns = vec![
        col("METHOD", 7),
        flex("HOST AND PATH"),
        col("ACTION", 7),
        col("RULE", 20),
        col("REQUESTS", 8),
        col("FIRST SEEN", 19),
    ];
    section("HTTP", columns, rows)
}

/// Network, DNS, resolutions and HTTP, in that order (the findings go
/// first in a report, on their own).
pub fn traffic(b: &Beyond) -> Vec<Section> {
    [
        network(&b.network),
        dns(&b.dns),
        resolved_from(&b.resolved_from),
        http(&b.http),
    ]
    .into_iter()
    .flatten()
    .collect()
}
