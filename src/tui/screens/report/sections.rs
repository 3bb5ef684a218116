//! Engine reports turned into sections of pivotable rows.

use super::beyond;
use super::model::{Report, ReportRow, Section, col, flex};
use crate::lake::EventCriteria;
use crate::lake::{
    ActorUse, Dossier, FirstSeen, IpReport, IpRow, KeyReport, Millis, OperationRow, ResourceReport, SightingKind,
};
use crate::tui::target::{Subject, Target, short_time};

fn seen(first: Option<Millis>, last: Option<Millis>) -> String {
    format!("{} → {}", short_time(first), short_time(last))
}

fn counts(events: u64, errors: u64) -> String {
    format!("{events} ({errors} errors)")
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        "-".into()
    } else {
        values.join(", ")
    }
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn row(cells: Vec<String>, target: Option<Target>) -> ReportRow {
    ReportRow::new(cells, target)
}

fn open(subject: Subject) -> Option<Target> {
    Some(Target::Open(subject))
}

fn actors_section(title: &str, actors: &[ActorUse]) -> Section {
    Section {
        title: format!("{title} ({})", actors.len()),
        columns: vec![
            flex("ACTOR"),
            col("TYPE", 12),
            col("EVENTS", 7),
            col("ERRORS", 6),
            col("FIRST SEEN", 19),
        ],
        rows: actors
            .iter()
            .map(|a| {
                row(
                    vec![
                        a.arn.clone(),
                        opt(&a.actor_type),
                        a.events.to_string(),
                        a.errors.to_string(),
                        short_time(a.first_seen),
                    ],
                    open(Subject::Actor(a.arn.clone())),
                )
            })
            .collect(),
    }
}

fn ips_section(ips: &[IpRow]) -> Section {
    Section {
        title: format!("Source IPs ({})", ips.len()),
        columns: vec![
            flex("IP"),
            col("EVENTS", 7),
            col("FIRST SEEN", 19),
            col("LAST SEEN", 19),
        ],
        rows: ips
            .iter()
            .map(|ip| {
                row(
                    vec![
                        ip.ip.clone(),
                        ip.events.to_string(),
                        short_time(ip.first_seen),
                        short_time(ip.last_seen),
                    ],
                    open(Subject::Ip(ip.ip.clone())),
                )
            })
            .collect(),
    }
}

/// Operations lead to their events within `base` (the entity's events).
fn operations_section(operations: &[OperationRow], base: &EventCriteria) -> Section {
    Section {
        title: format!("Operations ({})", operations.len()),
        columns: vec![
            flex("OPERATION"),
            col("SERVICE", 24),
            col("EVENTS", 7),
            col("ERRORS", 6),
        ],
        rows: operations
            .iter()
            .map(|o| {
                let target = o.operation.as_ref().map(|op| {
                    Target::Events(EventCriteria {
                        operation: Some(op.clone()),
                        ..base.clone()
                    })
                });
                row(
                    vec![
                        opt(&o.operation),
                        opt(&o.service),
                        o.events.to_string(),
                        o.errors.to_string(),
                    ],
                    target,
                )
            })
            .collect(),
    }
}

fn errors_section(operations: &[OperationRow], base: &EventCriteria) -> Section {
    let failing: Vec<&OperationRow> = operations.iter().filter(|o| o.errors > 0).collect();
    Section {
        title: format!("Errors ({} operations)", failing.len()),
        columns: vec![flex("OPERATION"), col("SERVICE", 24), col("ERRORS", 6)],
        rows: failing
            .iter()
            .map(|o| {
                let target = o.operation.as_ref().map(|op| {
                    Target::Events(EventCriteria {
                        operation: Some(op.clone()),
                        errors_only: true,
                        ..base.clone()
                    })
                });
                row(vec![opt(&o.operation), opt(&o.service), o.errors.to_string()], target)
            })
            .collect(),
    }
}

fn events_section(what: &str, events: u64, errors: u64, base: &EventCriteria) -> Section {
    let mut rows = vec![row(
        vec![format!("all {events} events of this {what}")],
        Some(Target::Events(base.clone())),
    )];
    if errors > 0 {
        let only = EventCriteria {
            errors_only: true,
            ..base.clone()
        };
        rows.push(row(
            vec![format!("only its {errors} failed calls")],
            Some(Target::Events(only)),
        ));
    }
    Section {
        title: "Events".into(),
        columns: vec![flex("")],
        rows,
    }
}

pub fn dossier(d: &Dossier) -> Report {
    let base = Subject::Actor(d.arn.clone()).events();
    let sessions = Section {
        title: format!("Sessions ({})", d.sessions.len()),
        columns: vec![
            flex("SESSION"),
            col("RELATION", 8),
            col("ACCESS KEY", 20),
            col("EVENTS", 7),
            col("ACCOUNTS", 14),
        ],
        rows: d
            .sessions
            .iter()
            .map(|s| {
                row(
                    vec![
                        s.name.clone(),
                        s.relation.to_string(),
                        opt(&s.access_key),
                        s.events.to_string(),
                        list(&s.accounts),
                    ],
                    open(Subject::Actor(s.name.clone())),
                )
            })
            .collect(),
    };
    let keys = Section {
        title: format!("Access keys ({})", d.access_keys.len()),
        columns: vec![
            flex("ACCESS KEY"),
            col("KIND", 9),
            col("EVENTS", 7),
            col("FIRST SEEN", 19),
            col("LAST SEEN", 19),
        ],
        rows: d
            .access_keys
            .iter()
            .map(|k| {
                row(
                    vec![
                        k.id.clone(),
                        k.kind.to_string(),
                        k.events.to_string(),
                        short_time(k.first_seen),
                        short_time(k.last_seen),
                    ],
                    open(Subject::Key(k.id.clone())),
                )
            })
            .collect(),
    };
    let resources = Section {
        title: format!("Resources ({})", d.resources.len()),
        columns: vec![
            flex("RESOURCE"),
            col("TYPE", 18),
            col("EVENTS", 7),
            col("OPERATIONS", 24),
        ],
        rows: d
            .resources
            .iter()
            .map(|r| {
                row(
                    vec![
                        r.id.clone(),
                        opt(&r.resource_type),
                        r.events.to_string(),
                        r.operations.join(", "),
                    ],
                    open(Subject::Resource(r.id.clone())),
                )
            })
            .collect(),
    };
    // Shown only when there is something new: it is where to look first.
    let sightings = (!d.new_sightings.is_empty()).then(|| sightings_section(&d.new_sightings, &base));
    Report {
        summary: vec![
            ("actor", d.arn.clone()),
            ("type", opt(&d.actor_type)),
            ("accounts", list(&d.accounts)),
            ("events", counts(d.totals.events, d.totals.errors)),
            ("seen", seen(d.totals.first_seen, d.totals.last_seen)),
        ],
        sections: sightings
            .into_iter()
            .chain(beyond::findings(&d.beyond.findings))
            .chain([sessions, keys, ips_section(&d.source_ips)])
            .chain(beyond::traffic(&d.beyond))
            .chain([
                resources,
                operations_section(&d.operations, &base),
                errors_section(&d.operations, &base),
                events_section("actor", d.totals.events, d.totals.errors, &base),
            ])
            .collect(),
    }
}

/// First sightings after the actor's first day: a new IP, region or
/// operation is where an investigation often starts.
fn sightings_section(sightings: &[FirstSeen], base: &EventCriteria) -> Section {
    Section {
        title: format!("New since its first day ({})", sightings.len()),
        columns: vec![col("FIRST SEEN", 19), col("KIND", 9), flex("VALUE")],
        rows: sightings
            .iter()
            .map(|f| {
                let target = match f.kind {
                    SightingKind::Ip => open(Subject::Ip(f.value.clone())),
                    SightingKind::Operation => Some(Target::Events(EventCriteria {
                        operation: Some(f.value.clone()),
                        ..base.clone()
                    })),
                    SightingKind::Region => None,
                };
                row(
                    vec![short_time(Some(f.time)), f.kind.to_string(), f.value.clone()],
                    target,
                )
            })
            .collect(),
    }
}

pub fn ip(r: &IpReport) -> Report {
    let base = Subject::Ip(r.ip.clone()).events();
    let agents = Section {
        title: format!("User agents ({})", r.user_agents.len()),
        columns: vec![flex("USER AGENT"), col("EVENTS", 7)],
        rows: r
            .user_agents
            .iter()
            .map(|u| row(vec![u.user_agent.clone(), u.events.to_string()], None))
            .collect(),
    };
    Report {
        summary: vec![
            ("ip", r.ip.clone()),
            ("accounts", list(&r.accounts)),
            ("events", counts(r.totals.events, r.totals.errors)),
            ("seen", seen(r.totals.first_seen, r.totals.last_seen)),
        ],
        sections: beyond::findings(&r.beyond.findings)
            .into_iter()
            .chain([actors_section("Actors", &r.actors)])
            .chain(beyond::traffic(&r.beyond))
            .chain([
                operations_section(&r.operations, &base),
                agents,
                events_section("IP", r.totals.events, r.totals.errors, &base),
            ])
            .collect(),
    }
}

pub fn key(r: &KeyReport) -> Report {
    let base = Subject::Key(r.id.clone()).events();
    let minted_by = Section {
        title: "Minted by".into(),
        columns: vec![
            flex("CALLER"),
            col("WITH KEY", 20),
            col("OPERATION", 16),
            col("TIME", 19),
        ],
        rows: r
            .minted_by
            .iter()
            .map(|m| {
                let target = match &m.parent_key {
                    Some(k) => open(Subject::Key(k.clone())),
                    None => open(Subject::Actor(m.parent_actor.clone())),
                };
                row(
                    vec![
                        m.parent_actor.clone(),
                        opt(&m.parent_key),
                        opt(&m.operation),
                        short_time(m.time),
                    ],
                    target,
                )
            })
            .collect(),
    };
    let minted = Section {
        title: format!("Keys minted with this key ({})", r.minted.len()),
        columns: vec![flex("SESSION"), col("NEW KEY", 20), col("ACCOUNT", 12), col("TIME", 19)],
        rows: r
            .minted
            .iter()
            .map(|m| {
                let session = m
                    .session_arn
                    .clone()
                    .or_else(|| m.role_arn.clone())
                    .unwrap_or_else(|| "-".into());
                row(
                    vec![session, m.child_key.clone(), opt(&m.account), short_time(m.time)],
                    open(Subject::Key(m.child_key.clone())),
                )
            })
            .collect(),
    };
    Report {
        summary: vec![
            ("key", format!("{} ({})", r.id, r.kind)),
            ("accounts", list(&r.accounts)),
            ("events", counts(r.totals.events, r.totals.errors)),
            ("seen", seen(r.totals.first_seen, r.totals.last_seen)),
        ],
        sections: beyond::findings(&r.beyond.findings)
            .into_iter()
            .chain([
                actors_section("Used by", &r.owners),
                minted_by,
                minted,
                ips_section(&r.source_ips),
            ])
            .chain(beyond::traffic(&r.beyond))
            .chain([
                operations_section(&r.operations, &base),
                events_section("key", r.totals.events, r.totals.errors, &base),
            ])
            .collect(),
    }
}

pub fn resource(r: &ResourceReport) -> Report {
    let base = Subject::Resource(r.id.clone()).events();
    Report {
        summary: vec![
            ("resource", r.id.clone()),
            ("accounts", list(&r.accounts)),
            ("events", counts(r.totals.events, r.totals.errors)),
            ("seen", seen(r.totals.first_seen, r.totals.last_seen)),
        ],
        sections: beyond::findings(&r.beyond.findings)
            .into_iter()
            .chain([actors_section("Actors", &r.actors)])
            .chain(beyond::traffic(&r.beyond))
            .chain([
                operations_section(&r.operations, &base),
                events_section("resource", r.totals.events, r.totals.errors, &base),
            ])
            .collect(),
    }
}
