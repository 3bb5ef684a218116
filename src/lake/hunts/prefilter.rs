//! One cheap test every tagged event passes: the union, per column, of
//! the single-column tests each hunt's rules already require (their
//! operations, else error codes, services or actor types), the first-
//! sighting flags, and whole conditions only for hunts with no such test.
//! A scan evaluates it before the hunts' full conditions, so the two dozen
//! of them run on the few events it keeps instead of on every event.

use std::collections::{BTreeMap, BTreeSet};

use super::format::{Hunt, NewSighting, Rule};
use super::sightings;
use crate::lake::scope::Filter;

/// The column and values a rule requires one of, if any: the most
/// selective of its lists.
fn required(rule: &Rule) -> Option<(&'static str, &[String])> {
    [
        ("operation", &rule.operations),
        ("error_code", &rule.error_codes),
        ("service", &rule.services),
        ("actor_type", &rule.actor_types),
    ]
    .into_iter()
    .find(|(_, values)| !values.is_empty())
    .map(|(column, values)| (column, values.as_slice()))
}

/// The test for `hunts` whose compiled `conditions` are given (a hunt's
/// first-sighting flag is `kinds`' position of its sighting).
pub(super) fn prefilter(hunts: &[Hunt], conditions: &[String], kinds: &[NewSighting], f: &mut Filter) -> String {
    let mut by_column: BTreeMap<&str, BTreeSet<&String>> = BTreeMap::new();
    let mut others: Vec<String> = Vec::new();
    for (hunt, condition) in hunts.iter().zip(conditions) {
        if let Some(kind) = sightings::kind_of(kinds, hunt) {
            let flag = sightings::flag(kind);
            if !others.contains(&flag) {
                others.push(flag);
            }
            continue;
        }
        // A sequence matches nothing itself; a Sigma rule keeps its own test.
        if hunt.sigma.is_none() && hunt.rules.is_empty() {
            continue;
        }
        let lists: Option<Vec<(&str, &[String])>> = match hunt.sigma {
            Some(_) => None,
            None => hunt.rules.iter().map(required).collect(),
        };
        match lists {
            Some(lists) => {
                for (column, values) in lists {
                    by_column.entry(column).or_default().extend(values);
                }
            }
            None => others.push(format!("({condition})")),
        }
    }
    let mut any: Vec<String> = by_column
        .into_iter()
        .map(|(column, values)| {
            let values: Vec<String> = values.into_iter().cloned().collect();
            format!("{column} IN ({})", f.bind_list(&values))
        })
        .collect();
    any.extend(others);
    match any.is_empty() {
        true => "false".into(),
        false => format!("({})", any.join(" OR ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunt(toml: &str) -> Hunt {
        let head = "id = \"h\"\ntitle = \"t\"\ntactic = \"x\"\ntechnique = \"T1098\"\nseverity = \"low\"\ndescription = \"d\"\n";
        Hunt::parse("h.toml", &format!("{head}{toml}")).unwrap()
    }

    #[test]
    fn each_rule_gives_its_most_selective_list_and_a_rule_without_one_its_whole_condition() {
        let hunts = [
            hunt("[[match]]\noperations = [\"A\"]\nactor_types = [\"Root\"]\n[[match]]\nerror_codes = [\"E\"]\n"),
            hunt("[[match]]\noperations = [\"B\", \"A\"]\n"),
            hunt("[[match]]\nactor_matches = \"x\"\n"),
        ];
        let conditions = ["c0".to_string(), "c1".into(), "c2".into()];
        let mut f = Filter::default();
        let sql = prefilter(&hunts, &conditions, &[], &mut f);
        assert_eq!(sql, "(error_code IN ($1) OR operation IN ($2, $3) OR (c2))");
        let values: Vec<String> = f.params().iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(values, ["Text(\"E\")", "Text(\"A\")", "Text(\"B\")"]);
    }
}
