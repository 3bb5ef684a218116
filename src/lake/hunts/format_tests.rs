use super::*;

const MINIMAL: &str = r#"
id = "x"
title = "X"
tactic = "Discovery"
technique = "T1580"
severity = "low"
description = "why"
[[match]]
operations = ["ListUsers"]
"#;

#[test]
fn a_minimal_hunt_reads() {
    let hunt = Hunt::parse("x.toml", MINIMAL).unwrap();
    assert_eq!(hunt.rules[0].operations, ["ListUsers"]);
    assert_eq!(hunt.rules[0].outcome, Outcome::Any);
}

#[test]
fn mistakes_are_named() {
    let unknown = MINIMAL.replace("operations", "operation");
    assert!(
        Hunt::parse("x.toml", &unknown)
            .unwrap_err()
            .to_string()
            .contains("operation")
    );
    let bad_technique = MINIMAL.replace("T1580", "1580");
    assert!(
        Hunt::parse("x.toml", &bad_technique)
            .unwrap_err()
            .to_string()
            .contains("technique")
    );
    let everything = MINIMAL.replace("operations = [\"ListUsers\"]", "outcome = \"failure\"");
    assert!(
        Hunt::parse("x.toml", &everything)
            .unwrap_err()
            .to_string()
            .contains("needs")
    );
    let burst = format!("{MINIMAL}[burst]\ncount = 5\nwindow = \"5 minutes\"\n");
    assert!(
        Hunt::parse("x.toml", &burst)
            .unwrap_err()
            .to_string()
            .contains("window")
    );
}

#[test]
fn durations_and_severities() {
    assert_eq!(duration_ms("90s"), Some(90_000));
    assert_eq!(duration_ms("1h"), Some(3_600_000));
    assert_eq!(duration_ms("0m"), None);
    assert_eq!(duration_ms("m"), None);
    assert_eq!(Severity::parse("HIGH"), Ok(Severity::High));
    assert!(Severity::parse("hihg").is_err());
    assert!(Severity::Critical > Severity::Medium);
}

#[test]
fn a_sequence_has_its_rules_in_two_steps_or_more() {
    let step = "[[sequence.step]]\nname = \"s\"\n[[sequence.step.match]]\noperations = [\"A\"]\n";
    let head = "id = \"q\"\ntitle = \"Q\"\ntactic = \"Discovery\"\ntechnique = \"T1580\"\nseverity = \"low\"\ndescription = \"why\"\n";
    let two = format!("{head}[sequence]\nwindow = \"1h\"\n{step}{step}");
    let hunt = Hunt::parse("q.toml", &two).unwrap();
    assert_eq!(hunt.sequence.unwrap().steps.len(), 2);
    let one = format!("{head}[sequence]\nwindow = \"1h\"\n{step}");
    assert!(
        Hunt::parse("q.toml", &one)
            .unwrap_err()
            .to_string()
            .contains("at least two")
    );
    let both = format!("{head}[[match]]\noperations = [\"B\"]\n[sequence]\nwindow = \"1h\"\n{step}{step}");
    assert!(
        Hunt::parse("q.toml", &both)
            .unwrap_err()
            .to_string()
            .contains("in its steps")
    );
    let window = format!("{head}[sequence]\nwindow = \"an hour\"\n{step}{step}");
    assert!(
        Hunt::parse("q.toml", &window)
            .unwrap_err()
            .to_string()
            .contains("sequence.window")
    );
}
