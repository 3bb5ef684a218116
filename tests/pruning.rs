//! Scope filters prune files by their path partitions before DuckDB opens them.

mod common;

use lakescope::lake::{Lake, Scope, parse_time};
use lakescope::lake::{events, pivots};

#[test]
fn account_region_and_day_select_only_matching_partitions() {
    let lake = Lake::open(&common::demo()).unwrap();
    let session = lake.session().unwrap();
    let all = session.scan_files(&Scope::default()).unwrap();
    let scope = Scope {
        accounts: vec!["012345678901".into()],
        regions: vec!["eu-west-1".into()],
        from_ms: Some(parse_time("2024-05-03", false).unwrap()),
        to_ms: Some(parse_time("2024-05-03", true).unwrap()),
    };
    let some = session.scan_files(&scope).unwrap();
    assert!(!some.is_empty());
    assert!(some.len() * 5 < all.len(), "{} of {} files", some.len(), all.len());
    for path in &some {
        let file = lake.files().iter().find(|f| &f.path == path).unwrap();
        let p = file.partition.as_ref().expect("partitioned");
        assert_eq!(p.account, "012345678901");
        assert_eq!(p.region, "eu-west-1");
        // One day of slack on each side: trail files are filed by delivery time.
        assert!(
            ("20240502"..="20240504").contains(&p.day.as_str()),
            "{}",
            path.display()
        );
    }
    // The answer is the same as filtering everything, but read from fewer files.
    let pruned = pivots::actors(&session, &scope, None).unwrap();
    let mut wide_scope = scope.clone();
    wide_scope.accounts.clear();
    wide_scope.regions.clear();
    let wide: Vec<_> = events::sql(
        &session,
        &wide_scope,
        "SELECT count(*) AS n FROM ev WHERE account = '012345678901' AND region = 'eu-west-1'",
    )
    .unwrap();
    assert_eq!(
        pruned.iter().map(|a| a.events).sum::<u64>(),
        wide[0]["n"].as_u64().unwrap()
    );
}

#[test]
fn queries_never_read_files_outside_the_scope() {
    // fixtures/bad holds unreadable files. Opening the lake reads parquet
    // footers (to group files by schema) and reports the footer-damaged ones;
    // a query whose scope excludes the other bad files must not meet them.
    let dir = common::repo().join("fixtures/bad");
    let lake = Lake::open(&dir).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("EXPECTED.json")).unwrap()).unwrap();
    let bad_paths: Vec<String> = expected["bad_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap().to_string())
        .collect();
    let account = ["012345678901", "111122223333", "444455556666"]
        .into_iter()
        .find(|a| bad_paths.iter().all(|p| !p.contains(a)))
        .expect("an account without bad files");
    let before = lake.problems().len();
    let scope = Scope {
        accounts: vec![account.into()],
        ..Scope::default()
    };
    let actors = pivots::actors(&lake.session().unwrap(), &scope, None).unwrap();
    assert!(!actors.is_empty());
    assert_eq!(lake.problems().len(), before, "{:#?}", lake.problems());
}
