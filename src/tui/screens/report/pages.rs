//! The pages shown as reports that are not API-call entities: a finding
//! (what it names, the events around it, its original record) and a
//! hostname (what it resolved to, who asked).

use std::net::IpAddr;

use super::beyond::headline;
use super::model::{Report, ReportRow, Section, col, flex};
use crate::lake::findings::{FindingDetail, around};
use crate::lake::network::NameReport;
use crate::lake::{DnsRow, format_ms};
use crate::tui::screens::inspector::InspectorScreen;
use crate::tui::target::{Subject, Target, describe, short_time};

/// The window of "Events around": an hour either side of the finding.
const AROUND_MS: i64 = 3_600_000;

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

/// Rows naming one kind of subject; `None` when the finding names none.
fn named(
    (title, column): (&str, &'static str),
    values: &[String],
    extra: Option<&[String]>,
    to: fn(String) -> Subject,
) -> Option<Section> {
    if values.is_empty() {
        return None;
    }
    let mut columns = vec![flex(column)];
    if extra.is_some() {
        columns.push(col("TYPE", 24));
    }
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut cells = vec![v.clone()];
            if let Some(extra) = extra {
                cells.push(extra.get(i).cloned().unwrap_or_else(|| "-".into()));
            }
            ReportRow::new(cells, Some(Target::Open(to(v.clone()))))
        })
        .collect();
    Some(Section {
        title: format!("{title} ({})", values.len()),
        columns,
        rows,
    })
}

/// One row per subject the finding names: its events an hour either side.
fn events_around(d: &FindingDetail) -> Option<Section> {
    let (window, criteria) = around(&d.finding, AROUND_MS, AROUND_MS);
    let span = match (window.from_ms, window.to_ms) {
        (Some(from), Some(to)) => format!("{} → {}", format_ms(from), format_ms(to)),
        _ => "-".into(),
    };
    let rows: Vec<ReportRow> = criteria
        .into_iter()
        .map(|c| ReportRow {
            cells: vec![describe(&c), span.clone()],
            target: Some(Target::Events(c)),
            window: Some(window.clone()),
        })
        .collect();
    (!rows.is_empty()).then(|| Section {
        title: format!("Events around (±1h, {})", rows.len()),
        columns: vec![flex("EVENTS OF"), col("WINDOW", 43)],
        rows,
    })
}

/// The record as the inspector lays it out (indented keys, long strings
/// cut), read-only here; its first row opens the foldable inspector.
fn record(d: &FindingDetail) -> Option<Section> {
    if d.record.is_null() {
        return None;
    }
    let title = format!("Finding record {}", d.finding.id);
    let text = serde_json::to_string(&d.record).unwrap_or_default();
    let mut rows = vec![ReportRow::new(
        vec!["open in the inspector (fold, copy)".into()],
        Some(Target::Record(title, text)),
    )];
    let tree = InspectorScreen::new(String::new(), "", d.record.clone());
    rows.extend(tree.nodes().iter().map(|n| {
        let indent = "  ".repeat(n.depth);
        ReportRow::new(vec![format!("{indent}{}: {}", n.key, n.text)], None)
    }));
    Some(Section {
        title: "Original record".into(),
        columns: vec![flex("")],
        rows,
    })
}

pub fn finding(d: &FindingDetail) -> Report {
    let f = &d.finding;
    let place = format!("{} / {}", opt(&f.account), opt(&f.region));
    let severity = match (&f.severity, f.severity_id) {
        (Some(s), Some(id)) => format!("{s} ({id})"),
        (s, _) => opt(s),
    };
    let sections = [
        named(
            ("Resources", "RESOURCE"),
            &f.resources,
            Some(&f.resource_types),
            Subject::Resource,
        ),
        named(("Access keys", "ACCESS KEY"), &f.access_keys, None, Subject::Key),
        named(("Actors", "ACTOR"), &f.actors, None, Subject::Actor),
        named(("IPs", "IP"), &f.ips, None, Subject::Ip),
        events_around(d),
        record(d),
    ];
    Report {
        summary: vec![
            ("finding", f.id.clone()),
            ("title", headline(f)),
            ("type", opt(&f.finding_type)),
            ("product", opt(&f.product)),
            ("class", opt(&f.class)),
            ("severity", severity),
            ("status", opt(&f.status)),
            ("time", short_time(f.time)),
            ("account", place),
            ("records", f.records.to_string()),
            ("file", opt(&f.file)),
        ],
        sections: sections.into_iter().flatten().collect(),
    }
}

/// An answer leads to its IP's report, or to the name it points to (a CNAME).
fn answer_target(answer: &str) -> Target {
    match answer.parse::<IpAddr>() {
        Ok(_) => Target::Open(Subject::Ip(answer.to_string())),
        Err(_) => Target::Name(answer.to_string()),
    }
}

/// One row per answer, so that each leads to one place.
fn resolutions(rows: &[DnsRow]) -> Section {
    let mut out = Vec::new();
    for r in rows {
        let cells = |answer: String| {
            vec![
                answer,
                opt(&r.qtype),
                opt(&r.rcode),
                r.queries.to_string(),
                short_time(r.first_seen),
                short_time(r.last_seen),
            ]
        };
        if r.answers.is_empty() {
            out.push(ReportRow::new(cells("(no answer)".into()), None));
        }
        for a in &r.answers {
            out.push(ReportRow::new(cells(a.clone()), Some(answer_target(a))));
        }
    }
    Section {
        title: format!("Resolutions ({})", out.len()),
        columns: vec![
            flex("ANSWER"),
            col("TYPE", 5),
            col("RCODE", 8),
            col("QUERIES", 7),
            col("FIRST SEEN", 19),
            col("LAST SEEN", 19),
        ],
        rows: out,
    }
}

pub fn name(r: &NameReport) -> Report {
    let askers = Section {
        title: format!("Askers ({})", r.askers.len()),
        columns: vec![
            flex("IP"),
            col("INSTANCE", 19),
            col("VPC", 21),
            col("ACCOUNT", 12),
            col("QUERIES", 7),
            col("FIRST SEEN", 19),
            col("LAST SEEN", 19),
        ],
        rows: r
            .askers
            .iter()
            .map(|a| {
                ReportRow::new(
                    vec![
                        opt(&a.ip),
                        opt(&a.instance),
                        opt(&a.vpc),
                        opt(&a.account),
                        a.queries.to_string(),
                        short_time(a.first_seen),
                        short_time(a.last_seen),
                    ],
                    a.ip.clone().map(|ip| Target::Open(Subject::Ip(ip))),
                )
            })
            .collect(),
    };
    Report {
        summary: vec![
            ("name", r.name.clone()),
            ("queries", r.queries.to_string()),
            (
                "seen",
                format!("{} → {}", short_time(r.first_seen), short_time(r.last_seen)),
            ),
        ],
        sections: vec![resolutions(&r.resolutions), askers],
    }
}
