//! The demo lake's intrusion: from the leaked key to every account the
//! attacker reached through the role chain, with pivots only (Enter on rows).

mod tui_support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use tui_support::Harness;

fn demo() -> (std::path::PathBuf, Value) {
    // LAKESCOPE_STORY_LAKE: run the walk on another generated lake (same story).
    let dir = match std::env::var_os("LAKESCOPE_STORY_LAKE") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lake"),
    };
    let truth = std::fs::read_to_string(dir.join("TRUTH.json"))
        .unwrap_or_else(|e| panic!("DEMO LAKE MISSING: {}: {e}", dir.join("TRUTH.json").display()));
    (dir, serde_json::from_str(&truth).unwrap())
}

fn accounts(h: &Harness) -> Vec<String> {
    h.summary("accounts")
        .unwrap_or_default()
        .split(", ")
        .map(String::from)
        .collect()
}

#[test]
fn from_the_leaked_key_through_the_role_chain_by_pivots_only() {
    let (dir, truth) = demo();
    let intrusion = &truth["intrusion"];
    let leaked = intrusion["leaked_key"].as_str().unwrap();
    let intruder = intrusion["intruder_arn"].as_str().unwrap();
    let chain = intrusion["role_chain"].as_array().unwrap();
    let mut h = Harness::open(&dir, 120, 40);
    let mut reached: BTreeSet<String> = BTreeSet::new();

    // Actors → fuzzy filter → the intruder's dossier.
    h.keys("/");
    h.type_text(intruder.rsplit('/').next().unwrap());
    h.keys("enter enter");
    assert_eq!(h.title(), format!("Dossier {intruder}"));
    reached.extend(accounts(&h));

    // Its access keys → the leaked key.
    h.cursor_to(leaked);
    h.keys("enter");
    assert_eq!(h.title(), format!("Key {leaked}"));
    reached.extend(accounts(&h));

    // Each hop: the key minted with the current key, one Enter at a time.
    for hop in chain {
        let next = hop["access_key"].as_str().unwrap();
        let session = hop["session_arn"].as_str().unwrap();
        h.cursor_to(next);
        let row = h.selected_row().unwrap();
        assert!(
            row.iter().any(|c| c == session),
            "the minted row names the session: {row:?}"
        );
        h.keys("enter");
        assert_eq!(h.title(), format!("Key {next}"));
        let here = accounts(&h);
        assert!(here.iter().any(|a| a == hop["account"].as_str().unwrap()), "{here:?}");
        reached.extend(here);
        // The key's owner is the assumed-role session of this hop.
        let screen = h.screen();
        assert!(screen.contains("Used by (1)"), "{screen}");
    }

    for account in intrusion["accounts_reached"].as_array().unwrap() {
        assert!(
            reached.contains(account.as_str().unwrap()),
            "{account} not reached: {reached:?}"
        );
    }

    // And back along the path, each view as it was.
    for hop in chain.iter().rev() {
        assert_eq!(h.title(), format!("Key {}", hop["access_key"].as_str().unwrap()));
        h.keys("backspace");
    }
    assert_eq!(h.title(), format!("Key {leaked}"));
}
