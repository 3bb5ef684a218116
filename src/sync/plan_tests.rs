use super::*;

fn seg(path: &str) -> Vec<&str> {
    path.split('/').collect()
}

fn filter(sources: &[&str], accounts: &[&str], regions: &[&str], days: (Option<u32>, Option<u32>)) -> Filter {
    Filter {
        sources: sources.iter().map(|s| s.to_string()).collect(),
        accounts: accounts.iter().map(|s| s.to_string()).collect(),
        regions: regions.iter().map(|s| s.to_string()).collect(),
        from_day: days.0,
        to_day: days.1,
    }
}

#[test]
fn without_filters_each_layout_is_listed_in_one_go_and_the_rest_is_skipped() {
    let all = Filter::default();
    assert_eq!(step(&[], &all), Step::Descend);
    assert_eq!(step(&seg("aws"), &all), Step::All);
    assert_eq!(step(&seg("ext"), &all), Step::All);
    assert_eq!(step(&seg("AWSLogs"), &all), Step::All);
    assert_eq!(step(&seg("config-api"), &all), Step::Skip);
    assert!(!selects("TRUTH.json", &all));
    assert!(selects(
        "aws/VPC_FLOW/2.0/region=us-east-1/accountId=012345678901/eventDay=20240501/a.gz.parquet",
        &all
    ));
}

#[test]
fn security_lake_filters_prune_at_their_own_level() {
    let f = filter(
        &["cloud_trail_mgmt"],
        &["111122223333"],
        &["us-east-1"],
        (Some(20240502), Some(20240503)),
    );
    assert_eq!(step(&seg("aws"), &f), Step::Descend);
    assert_eq!(step(&seg("aws/VPC_FLOW"), &f), Step::Skip);
    assert_eq!(step(&seg("aws/CLOUD_TRAIL_MGMT"), &f), Step::Descend);
    assert_eq!(step(&seg("aws/CLOUD_TRAIL_MGMT/2.0/metadata"), &f), Step::All);
    assert_eq!(step(&seg("aws/CLOUD_TRAIL_MGMT/2.0/region=eu-west-1"), &f), Step::Skip);
    let base = "aws/CLOUD_TRAIL_MGMT/1.0/region=us-east-1";
    assert_eq!(step(&seg(base), &f), Step::Descend);
    assert_eq!(step(&seg(&format!("{base}/accountId=012345678901")), &f), Step::Skip);
    let acct = format!("{base}/accountId=111122223333");
    assert_eq!(step(&seg(&acct), &f), Step::Descend);
    assert_eq!(step(&seg(&format!("{acct}/eventDay=20240501")), &f), Step::Skip);
    assert_eq!(step(&seg(&format!("{acct}/eventDay=20240502")), &f), Step::All);
    assert_eq!(step(&seg(&format!("{acct}/eventDay=20240503")), &f), Step::All);
    assert_eq!(step(&seg(&format!("{acct}/eventDay=20240504")), &f), Step::Skip);
}

#[test]
fn a_filter_satisfied_early_lists_everything_below() {
    let f = filter(&[], &["012345678901"], &[], (None, None));
    assert_eq!(
        step(&seg("aws/SH_FINDINGS/2.0/region=us-east-1/accountId=012345678901"), &f),
        Step::All
    );
    assert_eq!(step(&seg("AWSLogs/o-a1b2c3d4e5/012345678901"), &f), Step::All);
    assert_eq!(step(&seg("AWSLogs/o-a1b2c3d4e5/111122223333"), &f), Step::Skip);
    assert_eq!(step(&seg("AWSLogs/012345678901"), &f), Step::All);
    // Custom sources may lack the version folder.
    let g = filter(&["my_source"], &[], &["eu-west-1"], (None, None));
    assert_eq!(step(&seg("ext/my_source/region=eu-west-1"), &g), Step::All);
    assert_eq!(step(&seg("ext/other/region=eu-west-1"), &g), Step::Skip);
}

#[test]
fn trail_dates_compare_numerically_whether_padded_or_not() {
    let f = filter(&[], &[], &[], (Some(20240509), Some(20240510)));
    let ct = "AWSLogs/o-a1b2c3d4e5/012345678901/CloudTrail/us-east-1";
    assert_eq!(step(&seg(ct), &f), Step::Descend);
    assert_eq!(step(&seg(&format!("{ct}/2023")), &f), Step::Skip);
    assert_eq!(step(&seg(&format!("{ct}/2024")), &f), Step::Descend);
    assert_eq!(step(&seg(&format!("{ct}/2024/04")), &f), Step::Skip);
    assert_eq!(step(&seg(&format!("{ct}/2024/05")), &f), Step::Descend);
    assert_eq!(step(&seg(&format!("{ct}/2024/05/08")), &f), Step::Skip);
    assert_eq!(step(&seg(&format!("{ct}/2024/05/09")), &f), Step::All);
    // Config does not pad month and day: 2024/5/10 is inside, 2024/5/1 is not.
    let cfg = "AWSLogs/444455556666/Config/us-east-1";
    assert_eq!(step(&seg(&format!("{cfg}/2024/5/10")), &f), Step::All);
    assert_eq!(step(&seg(&format!("{cfg}/2024/5/1")), &f), Step::Skip);
    assert!(selects(&format!("{cfg}/2024/5/10/ConfigHistory/x.json.gz"), &f));
    assert!(!selects(&format!("{cfg}/2024/5/11/ConfigHistory/x.json.gz"), &f));
    // The writability check file sits beside the regions, not in a day.
    assert!(selects("AWSLogs/444455556666/Config/ConfigWritabilityCheckFile", &f));
}

#[test]
fn trail_sources_and_unknown_folders() {
    let f = filter(&["CloudTrail"], &[], &[], (None, None));
    assert_eq!(step(&seg("AWSLogs/444455556666/CloudTrail"), &f), Step::All);
    assert_eq!(step(&seg("AWSLogs/444455556666/CloudTrail-Digest"), &f), Step::Skip);
    assert_eq!(step(&seg("AWSLogs/444455556666/Config"), &f), Step::Skip);
    assert_eq!(step(&seg("AWSLogs/not-an-account"), &f), Step::Skip);
    assert_eq!(step(&seg("aws/CLOUD_TRAIL_MGMT"), &f), Step::Skip);
}

#[test]
fn loose_objects_count_only_inside_a_source_or_account() {
    let all = Filter::default();
    assert!(!keep_loose(&[]));
    assert!(!keep_loose(&seg("aws")));
    assert!(keep_loose(&seg("AWSLogs/o-a1b2c3d4e5")));
    assert!(!selects("README", &all));
}

#[test]
fn keys_that_could_escape_the_directory_are_refused() {
    assert_eq!(
        local_relative_path("aws/X/a.parquet"),
        Some(PathBuf::from("aws").join("X").join("a.parquet"))
    );
    for bad in [
        "../etc/passwd",
        "aws/../../x",
        "aws//x",
        "aws/./x",
        "/abs",
        "aws/x/",
        ".lakescope-sync/manifest.jsonl",
        "a\0b",
    ] {
        assert_eq!(local_relative_path(bad), None, "{bad:?}");
    }
}

#[test]
fn s3_urls_and_days_parse() {
    assert_eq!(parse_s3_url("s3://bucket").ok(), Some(("bucket".into(), String::new())));
    assert_eq!(
        parse_s3_url("s3://bucket/").ok(),
        Some(("bucket".into(), String::new()))
    );
    assert_eq!(
        parse_s3_url("s3://bucket/a/b/").ok(),
        Some(("bucket".into(), "a/b/".into()))
    );
    assert!(parse_s3_url("bucket/a").is_err());
    assert!(parse_s3_url("s3:///a").is_err());
    assert_eq!(parse_day("2024-05-01").ok(), Some(20240501));
    assert_eq!(parse_day("20240501").ok(), Some(20240501));
    assert!(parse_day("2024-13-01").is_err());
    assert!(parse_day("yesterday").is_err());
}
