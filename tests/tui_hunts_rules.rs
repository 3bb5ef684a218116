//! Rules named on the command line (`--rules DIR`, chosen for the whole
//! process) reach the workbench: its Hunts page runs them beside the
//! built-in hunts, and the dossier of the rule's actor lists its hit. Its
//! own test binary: the choice holds for the process.

mod tui_support;

use lakescope::lake::hunts::library;
use lakescope::tui::screens::hunts::HuntsScreen;
use tui_support::{Harness, demo, truth};

#[test]
fn the_hunts_page_and_dossiers_run_the_rules_given_by_rules() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("sg-open.yml"),
        "title: SSH open to the world\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  \
         selection:\n    eventName: AuthorizeSecurityGroupIngress\n    requestParameters|contains: 0.0.0.0/0\n  \
         condition: selection\nlevel: high\ntags:\n  - attack.t1562.007\n",
    )
    .unwrap();
    let no_hunts = tempfile::tempdir().unwrap();
    library::choose_dirs(Some(no_hunts.path().to_path_buf()), Some(rules.path().to_path_buf()));

    let t = truth();
    let sg = &t["intrusion"]["security_group_change"];
    let mut h = Harness::open(&demo(), 120, 40);
    h.keys("h");
    let page = h.app.screen::<HuntsScreen>().unwrap();
    let ids: Vec<&str> = page
        .report
        .as_ref()
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id.as_str())
        .collect();
    assert!(ids.contains(&"sigma-sg-open"), "{ids:?}");
    h.cursor_to_hunt("SSH open to the world");
    h.keys("a");
    assert_eq!(h.title(), format!("Dossier {}", sg["actor_arn"].as_str().unwrap()));
    let screen = h.screen();
    assert!(screen.contains("SSH open to the world"), "{screen}");
}
