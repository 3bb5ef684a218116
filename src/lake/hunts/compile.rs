//! A hunt's rules as a SQL condition over one flat event. Every value
//! from a hunt file (operations, paths, patterns) is bound as a parameter:
//! hunt files are data, and a user's own hunts come from their folder.

use super::format::{FieldTest, Hunt, Outcome, Rule, SightingValue, Subject};
use crate::lake::scope::Filter;

/// The source IP's network: /24 for IPv4, the first three groups (/48
/// when written in full) for IPv6.
pub(super) const SRC_NET_SQL: &str = "CASE WHEN contains(src_ip, ':') \
 THEN array_to_string(string_split(src_ip, ':')[1:3], ':') || '::/48' \
 ELSE regexp_extract(src_ip, '^([0-9]+\\.[0-9]+\\.[0-9]+)\\.', 1) || '.0/24' END";

/// The condition an event meets when one of the hunt's rules matches it.
pub(super) fn condition(hunt: &Hunt, f: &mut Filter) -> String {
    if let Some(sigma) = &hunt.sigma {
        return sigma.sql(f);
    }
    // A sequence matches no event itself: its steps do.
    if hunt.rules.is_empty() {
        return "false".into();
    }
    let rules: Vec<String> = hunt.rules.iter().map(|r| format!("({})", rule(r, f))).collect();
    rules.join(" OR ")
}

fn rule(r: &Rule, f: &mut Filter) -> String {
    let mut all = Vec::new();
    for (column, values) in [
        ("operation", &r.operations),
        ("service", &r.services),
        ("actor_type", &r.actor_types),
        ("error_code", &r.error_codes),
    ] {
        if !values.is_empty() {
            all.push(format!("{column} IN ({})", f.bind_list(values)));
        }
    }
    if !r.not_actor_types.is_empty() {
        all.push(format!(
            "coalesce(actor_type, '') NOT IN ({})",
            f.bind_list(&r.not_actor_types)
        ));
    }
    match r.outcome {
        Outcome::Any => {}
        Outcome::Success => all.push("error_code IS NULL".into()),
        Outcome::Failure => all.push("error_code IS NOT NULL".into()),
    }
    if let Some(pattern) = &r.actor_matches {
        all.push(format!("regexp_matches(actor_key, {})", f.bind_text(pattern)));
    }
    match r.mfa {
        Some(true) => all.push("session_mfa IS TRUE".into()),
        Some(false) => all.push("session_mfa IS NOT TRUE".into()),
        None => {}
    }
    for test in &r.request {
        all.push(field(test, "request_json", f));
    }
    for test in &r.response {
        all.push(field(test, "response_json", f));
    }
    all.join(" AND ")
}

fn field(t: &FieldTest, column: &str, f: &mut Filter) -> String {
    // Not every source's request is JSON (EKS audit keeps a URL path):
    // what does not parse has no fields.
    let v = if t.path == "$" {
        column.to_string()
    } else {
        format!("(TRY_CAST({column} AS JSON) ->> {})", f.bind_text(&t.path))
    };
    let mut all = Vec::new();
    if !t.equals.is_empty() {
        all.push(format!("{v} IN ({})", f.bind_list(&t.equals)));
    }
    if !t.contains.is_empty() {
        let any: Vec<String> = t
            .contains
            .iter()
            .map(|c| format!("contains({v}, {})", f.bind_text(c)))
            .collect();
        all.push(format!("({})", any.join(" OR ")));
    }
    if let Some(pattern) = &t.matches {
        all.push(format!("regexp_matches({v}, {})", f.bind_text(pattern)));
    }
    match t.present {
        Some(true) => all.push(format!("coalesce({v}, '') <> ''")),
        Some(false) => all.push(format!("coalesce({v}, '') = ''")),
        None => {}
    }
    if t.other_than_actor {
        // A user's own name is in `actor_name`; a session's is the last
        // part of its ARN.
        all.push(format!(
            "coalesce({v}, '') <> '' AND {v} <> coalesce(nullif(actor_name, ''), regexp_extract(actor_key, '[^/:]+$'))"
        ));
    }
    if t.other_account {
        all.push(format!(
            "{v} LIKE 'arn:%' AND split_part({v}, ':', 5) <> \
             coalesce(nullif(actor_account, ''), nullif(split_part(actor_arn, ':', 5), ''), account)"
        ));
    }
    format!("({})", all.join(" AND "))
}

/// The flat column a first sighting's value is read from (a network is
/// computed from the source IP).
pub(super) fn sighting_column(value: SightingValue) -> &'static str {
    match value {
        SightingValue::SrcIp | SightingValue::SrcNet => "src_ip",
        SightingValue::Region => "region",
    }
}

pub(super) fn subject_column(subject: Subject) -> &'static str {
    match subject {
        Subject::Actor => "actor_key",
        Subject::Account => "account",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunt_values_are_bound_never_spliced() {
        let rule = Rule {
            operations: vec!["It's".into()],
            request: vec![FieldTest {
                path: "$.userName".into(),
                contains: vec!["x'; DROP".into()],
                ..FieldTest::default()
            }],
            ..Rule::default()
        };
        let mut f = Filter::default();
        let sql = super::rule(&rule, &mut f);
        assert!(
            !sql.contains("It's") && !sql.contains("DROP") && !sql.contains("userName"),
            "{sql}"
        );
        assert_eq!(f.params().len(), 3);
    }
}
