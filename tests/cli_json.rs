//! Golden output of every headless command on the committed lakes: stdout
//! byte for byte, with the exit code and stderr, as the binary prints them.
//! The reshaping of issue 12 must leave every one of these unchanged.
//!
//! Every run gets a clean environment (no user cache, TZ fixed) and a cache
//! directory that is fresh for each run of this test binary, so the answers
//! are compared whether the event store is being written or read; the test
//! `cold_warm_and_uncached_answers_are_the_same_bytes` checks that directly.
//! The only rewrite of the output is the repository's own path, which the
//! lake's file names start with and which differs between checkouts.

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use common::truth;
use serde_json::Value;

/// The demo lake as every golden command names it (relative to the repository).
const DEMO: &str = "fixtures/lake";
const BAD: &str = "fixtures/bad";

/// One cache for the whole run, fresh each run.
fn shared_cache() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary cache"))
        .path()
}

/// `lakescope ARGS` in the repository with nothing from the caller's
/// environment: the user cache is `cache`, times are UTC unless `tz`.
fn run_in(cache: &Path, tz: &str, args: &[&str]) -> Output {
    common::lakescope()
        .env_clear()
        .current_dir(common::repo())
        .env("HOME", cache)
        .env("XDG_CACHE_HOME", cache)
        .env("TZ", tz)
        .args(args)
        .output()
        .expect("run lakescope")
}

/// `[repo]/…` up to the end of its word becomes `[repo]/…`.
fn clip_repo_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[repo]") {
        out.push_str(&rest[..at]);
        out.push_str("[repo]/…");
        let tail = &rest[at..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// What the snapshot holds: the command, its exit code, stderr and stdout,
/// each stream ending where the binary ended it (`--- end` keeps a missing
/// or extra final newline visible, which insta would otherwise trim).
fn transcript(args: &[&str], tz: &str, out: &Output) -> String {
    let repo = common::repo().canonicalize().expect("the repository");
    let repo = repo.to_str().expect("a UTF-8 repository path");
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains([' ', '\'', '"']) || a.is_empty() {
                format!("{a:?}")
            } else {
                a.to_string()
            }
        })
        .collect();
    // A table clips its last column (a file's path) at a fixed width, so
    // how much of the path shows depends on where the repository is.
    let table = args.windows(2).any(|w| w == ["--format", "table"]);
    let text = |bytes: &[u8]| {
        let text = String::from_utf8(bytes.to_vec())
            .expect("UTF-8 output")
            .replace(repo, "[repo]");
        match table {
            true => clip_repo_paths(&text),
            false => text,
        }
    };
    format!(
        "$ TZ={tz} lakescope {}\nexit: {}\n--- stderr\n{}--- stdout\n{}--- end\n",
        shown.join(" "),
        out.status.code().map_or("signal".to_string(), |c| c.to_string()),
        text(&out.stderr),
        text(&out.stdout)
    )
}

fn golden_tz(name: &str, tz: &str, args: &[&str]) {
    let out = run_in(shared_cache(), tz, args);
    insta::assert_snapshot!(name, transcript(args, tz, &out));
}

/// `lakescope --lake fixtures/lake --format json ARGS`, in UTC.
fn golden(name: &str, args: &[&str]) {
    let mut all = vec!["--lake", DEMO, "--format", "json"];
    all.extend_from_slice(args);
    golden_tz(name, "UTC", &all);
}

fn text(v: &'static Value) -> &'static str {
    v.as_str()
        .unwrap_or_else(|| panic!("TRUTH.json: expected a string, got {v}"))
}

/// The planted intrusion's subjects (see src/generate/story.rs).
struct Story {
    intruder: &'static str,
    leaked_key: &'static str,
    known_ip: &'static str,
    new_ip: &'static str,
    first_role: &'static str,
    first_session: &'static str,
    first_session_key: &'static str,
    second_session: &'static str,
    second_session_key: &'static str,
    minted_key: &'static str,
    console_user: &'static str,
    console_event: &'static str,
    group: &'static str,
    group_change_time: &'static str,
    group_capture_time: &'static str,
    bucket: &'static str,
    bucket_arn: &'static str,
}

fn story() -> Story {
    let t = &truth()["intrusion"];
    let (first, second) = (&t["role_chain"][0], &t["role_chain"][1]);
    Story {
        intruder: text(&t["intruder_arn"]),
        leaked_key: text(&t["leaked_key"]),
        known_ip: text(&t["known_ips"][0]),
        new_ip: text(&t["new_ip"]),
        first_role: text(&first["role_arn"]),
        first_session: text(&first["session_arn"]),
        first_session_key: text(&first["access_key"]),
        second_session: text(&second["session_arn"]),
        second_session_key: text(&second["access_key"]),
        minted_key: text(&t["minted_user_key"]),
        console_user: text(&t["console_login"]["actor_arn"]),
        console_event: text(&t["console_login"]["event_id"]),
        group: text(&t["security_group_change"]["group_id"]),
        group_change_time: text(&t["security_group_change"]["event_time"]),
        group_capture_time: text(&t["security_group_change"]["config_capture_time"]),
        bucket: text(&t["bucket_policy_change"]["bucket"]),
        bucket_arn: text(&t["bucket_policy_change"]["arn"]),
    }
}

#[test]
fn sources_partitions_summary_and_check() {
    golden("sources", &["sources"]);
    golden("sources_account", &["--account", "111122223333", "sources"]);
    golden(
        "sources_region_days",
        &[
            "--region",
            "eu-west-1,us-east-1",
            "--from",
            "2024-05-03",
            "--to",
            "2024-05-04",
            "sources",
        ],
    );
    golden("partitions", &["partitions"]);
    golden(
        "partitions_scoped",
        &[
            "--account",
            "444455556666",
            "--region",
            "us-east-1",
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "partitions",
        ],
    );
    golden("summary", &["summary"]);
    golden(
        "summary_scoped",
        &["--account", "111122223333", "--from", "2024-05-05", "summary"],
    );
    golden("check", &["check"]);
    golden(
        "check_scoped",
        &["--account", "012345678901", "--to", "2024-05-02", "check"],
    );
}

#[test]
fn actors() {
    golden("actors", &["actors"]);
    golden("actors_search", &["actors", "--search", "ci-deploy"]);
    golden("actors_search_fuzzy", &["actors", "--search", "dataadm maint"]);
    golden("actors_search_service", &["actors", "--search", "AWSService"]);
    golden("actors_search_nothing", &["actors", "--search", "zzzz-no-such-actor"]);
    golden(
        "actors_account_region",
        &["--account", "444455556666", "--region", "us-east-1", "actors"],
    );
    golden("actors_day", &["--from", "2024-05-05", "--to", "2024-05-05", "actors"]);
    golden(
        "actors_minutes",
        &[
            "--from",
            "2024-05-05T02:10:00Z",
            "--to",
            "2024-05-05T02:40:00Z",
            "actors",
        ],
    );
}

#[test]
fn actor_dossiers() {
    let st = story();
    golden("actor_intruder", &["actor", st.intruder]);
    golden("actor_role_with_its_sessions", &["actor", st.first_role]);
    golden("actor_first_session", &["actor", st.first_session]);
    golden("actor_second_session", &["actor", st.second_session]);
    golden("actor_console_user", &["actor", st.console_user]);
    golden(
        "actor_intruder_that_day",
        &["--from", "2024-05-05", "--to", "2024-05-05", "actor", st.intruder],
    );
    golden(
        "actor_intruder_one_account",
        &["--account", "012345678901", "actor", st.intruder],
    );
    golden("actor_unknown", &["actor", "arn:aws:iam::999999999999:user/nobody"]);
}

#[test]
fn ip_key_and_resource_pivots() {
    let st = story();
    golden("ip_new", &["ip", st.new_ip]);
    golden("ip_known", &["ip", st.known_ip]);
    golden("ip_new_one_account", &["--account", "444455556666", "ip", st.new_ip]);
    golden("ip_unknown", &["ip", "192.0.2.1"]);
    golden("key_leaked", &["key", st.leaked_key]);
    golden("key_first_session", &["key", st.first_session_key]);
    golden("key_second_session", &["key", st.second_session_key]);
    golden("key_minted", &["key", st.minted_key]);
    golden("key_unknown", &["key", "AKIAAAAAAAAAAAAAAAAA"]);
    golden("resource_group", &["resource", st.group]);
    golden("resource_bucket", &["resource", st.bucket]);
    golden("resource_bucket_arn", &["resource", st.bucket_arn]);
    golden("resource_role", &["resource", st.first_role]);
    golden("resource_unknown", &["resource", "'); DROP TABLE ev; --"]);
}

#[test]
fn events_by_each_criterion() {
    let st = story();
    golden("events", &["events"]);
    golden("events_actor", &["events", "--actor", st.intruder, "--limit", "30"]);
    golden("events_role", &["events", "--actor", st.first_role]);
    golden("events_ip", &["events", "--ip", st.new_ip]);
    golden("events_key", &["events", "--key", st.second_session_key]);
    golden("events_resource", &["events", "--resource", st.group]);
    golden("events_resource_arn", &["events", "--resource", st.bucket_arn]);
    golden("events_operation_any_case", &["events", "--operation", "consolelogin"]);
    golden("events_source_eks", &["events", "--source", "eks", "--limit", "20"]);
    golden("events_source_vpc", &["events", "--source", "VPC_flow", "--limit", "5"]);
    golden(
        "events_source_cloudtrail",
        &["events", "--source", "cloudtrail", "--limit", "5"],
    );
    golden("events_source_findings", &["events", "--source", "sh", "--limit", "5"]);
    golden("events_errors", &["events", "--errors", "--limit", "40"]);
    golden(
        "events_all_criteria",
        &[
            "events",
            "--actor",
            st.intruder,
            "--ip",
            st.new_ip,
            "--key",
            st.leaked_key,
            "--errors",
            "--operation",
            "CreateUser",
        ],
    );
    golden(
        "events_paging",
        &["events", "--key", st.leaked_key, "--limit", "7", "--offset", "20"],
    );
    golden(
        "events_past_the_end",
        &["events", "--ip", st.new_ip, "--offset", "1000"],
    );
    golden("events_limit_zero", &["events", "--limit", "0"]);
    golden(
        "events_scoped",
        &[
            "--account",
            "444455556666",
            "--from",
            "2024-05-05T02:20:00Z",
            "--to",
            "2024-05-05T02:40:00Z",
            "events",
            "--limit",
            "1000",
        ],
    );
    golden("events_quotes_are_data", &["events", "--actor", "x' OR '1'='1"]);
    golden(
        "events_console_login",
        &["events", "--actor", st.console_user, "--ip", st.new_ip],
    );
}

#[test]
fn timelines() {
    let st = story();
    golden("timeline", &["timeline"]);
    golden("timeline_hours", &["timeline", "--bucket", "1h"]);
    golden(
        "timeline_days_by_account",
        &["timeline", "--bucket", "1d", "--by", "account"],
    );
    golden("timeline_by_region", &["timeline", "--bucket", "6h", "--by", "region"]);
    golden(
        "timeline_by_operation_few_lanes",
        &["timeline", "--bucket", "12h", "--by", "operation", "--lanes", "4"],
    );
    golden(
        "timeline_minutes_by_ip",
        &[
            "--from",
            "2024-05-05T02:00:00Z",
            "--to",
            "2024-05-05T02:45:00Z",
            "timeline",
            "--bucket",
            "1m",
            "--by",
            "ip",
        ],
    );
    golden(
        "timeline_actor_by_ip",
        &["timeline", "--actor", st.intruder, "--bucket", "1d", "--by", "ip"],
    );
    golden(
        "timeline_key_by_session",
        &[
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "timeline",
            "--key",
            st.first_session_key,
            "--by",
            "session",
        ],
    );
    golden(
        "timeline_role_by_key",
        &[
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-05",
            "timeline",
            "--actor",
            st.first_role,
            "--bucket",
            "5m",
            "--by",
            "key",
        ],
    );
    golden(
        "timeline_ip_by_actor",
        &["timeline", "--ip", st.new_ip, "--bucket", "2m", "--by", "actor"],
    );
    golden(
        "timeline_errors",
        &["timeline", "--errors", "--source", "cloudtrail", "--bucket", "1d"],
    );
    golden(
        "timeline_operation",
        &[
            "timeline",
            "--operation",
            "AssumeRole",
            "--resource",
            st.first_role,
            "--bucket",
            "1d",
        ],
    );
    golden(
        "timeline_offset_zone",
        &["timeline", "--bucket", "1d", "--tz", "+05:30"],
    );
    golden(
        "timeline_nothing",
        &["timeline", "--actor", "arn:aws:iam::999999999999:user/nobody"],
    );
    golden_tz(
        "timeline_local_zone",
        "America/New_York",
        &[
            "--lake", DEMO, "--format", "json", "timeline", "--bucket", "1d", "--tz", "local",
        ],
    );
    golden("timeline_bad_bucket", &["timeline", "--bucket", "7m"]);
    golden("timeline_bad_lane", &["timeline", "--by", "colour"]);
    golden("timeline_bad_zone", &["timeline", "--tz", "Mars/Olympus"]);
    golden(
        "timeline_too_many_buckets",
        &[
            "--from",
            "2020-01-01",
            "--to",
            "2024-01-01",
            "timeline",
            "--bucket",
            "1m",
        ],
    );
}

#[test]
fn config_histories() {
    let st = story();
    let day = &st.group_capture_time[..10];
    golden("config_list", &["config", "list"]);
    golden("config_group", &["config", st.group]);
    golden(
        "config_group_at_the_change",
        &["config", st.group, "--at", st.group_change_time],
    );
    golden("config_group_at_a_day", &["config", st.group, "--at", "2024-05-02"]);
    golden("config_group_diff", &["config", st.group, "--diff"]);
    golden("config_group_events", &["config", st.group, "--events"]);
    golden(
        "config_group_events_short_window",
        &["config", st.group, "--events", "--window", "1"],
    );
    golden(
        "config_group_everything",
        &["config", st.group, "--events", "--diff", "--related", "2"],
    );
    golden(
        "config_group_that_day",
        &["--from", day, "--to", day, "config", st.group, "--diff", "--events"],
    );
    golden(
        "config_group_before",
        &["--to", "2024-05-01", "config", st.group, "--diff", "--events"],
    );
    golden("config_bucket", &["config", st.bucket, "--events", "--diff"]);
    golden("config_bucket_arn", &["config", st.bucket_arn]);
    golden("config_role_by_name", &["config", "DataAdmin", "--related", "1"]);
    golden(
        "config_instance_related",
        &["config", "i-0a1b2c3d4e5f67890", "--related", "3"],
    );
    golden(
        "config_deleted_group",
        &["config", "sg-0f9e8d7c6b5a43210", "--diff", "--events"],
    );
    golden("config_unknown", &["config", "sg-does-not-exist"]);
}

#[test]
fn sql() {
    let st = story();
    golden(
        "sql_counts",
        &[
            "sql",
            "SELECT source_kind, event_type, count(*) AS events, count(error_code) AS errors FROM ev GROUP BY ALL ORDER BY ALL",
        ],
    );
    let one = format!("SELECT * FROM ev WHERE event_uid = '{}'", st.console_event);
    golden("sql_every_column", &["sql", &one]);
    golden(
        "sql_first_rows",
        &["sql", "SELECT * FROM ev ORDER BY time_ms, event_uid LIMIT 3"],
    );
    golden(
        "sql_scoped",
        &[
            "--account",
            "012345678901",
            "--from",
            "2024-05-05",
            "--to",
            "2024-05-06",
            "sql",
            "SELECT account, region, count(*) AS n FROM ev GROUP BY ALL ORDER BY ALL",
        ],
    );
    golden("sql_empty", &["sql", "SELECT * FROM ev WHERE false"]);
    golden("sql_syntax_error", &["sql", "SELEC nonsense"]);
    golden("sql_unknown_column", &["sql", "SELECT no_such_column FROM ev"]);
}

/// Usage errors (exit 2, clap's message) and failures (exit 1, one line).
#[test]
fn errors_and_exit_codes() {
    golden("error_unknown_flag", &["actors", "--no-such-flag"]);
    golden("error_bad_number", &["events", "--limit", "many"]);
    golden("error_missing_argument", &["actor"]);
    golden("error_bad_time", &["--from", "last tuesday", "actors"]);
    golden_tz(
        "error_no_lake",
        "UTC",
        &["--lake", "/nonexistent/lake", "--format", "json", "actors"],
    );
    golden_tz(
        "error_unknown_format",
        "UTC",
        &["--lake", DEMO, "--format", "yaml", "actors"],
    );
}

/// The damaged-input lake: stdout stays JSON, each bad file is named.
#[test]
fn bad_lake() {
    let bad = |name: &str, args: &[&str]| {
        let mut all = vec!["--lake", BAD, "--format", "json"];
        all.extend_from_slice(args);
        golden_tz(name, "UTC", &all);
    };
    bad("bad_check", &["check"]);
    bad("bad_sources", &["sources"]);
    bad("bad_summary", &["summary"]);
}

/// The other formats share the JSON's values; a few of each keep their
/// layout (tables, sparklines, CSV sections) fixed too.
#[test]
fn table_and_csv() {
    let st = story();
    let with = |name: &str, format: &str, args: &[&str]| {
        let mut all = vec!["--lake", DEMO, "--format", format];
        all.extend_from_slice(args);
        golden_tz(name, "UTC", &all);
    };
    with("table_sources", "table", &["sources"]);
    with("table_summary", "table", &["summary"]);
    with("table_actor", "table", &["actor", st.intruder]);
    with("table_events", "table", &["events", "--ip", st.new_ip, "--limit", "5"]);
    with(
        "table_timeline_lanes",
        "table",
        &["timeline", "--bucket", "1d", "--by", "account"],
    );
    with(
        "table_timeline_firsts",
        "table",
        &[
            "--from",
            "2024-05-05T02:00:00Z",
            "--to",
            "2024-05-05T02:40:00Z",
            "timeline",
            "--actor",
            st.intruder,
            "--by",
            "ip",
        ],
    );
    with("table_config", "table", &["config", st.bucket, "--events"]);
    with("csv_events", "csv", &["events", "--limit", "5"]);
    with("csv_actor", "csv", &["actor", st.second_session]);
    with("csv_config_diff", "csv", &["config", st.bucket, "--diff"]);
    with("csv_timeline", "csv", &["timeline", "--bucket", "1d", "--by", "region"]);
}

/// The same bytes whether the event store is written by this command, read
/// from an earlier one, or not used at all (no cache directory). Raw
/// CloudTrail is converted once for the whole test; each question then
/// writes the event store again before reading it.
#[test]
fn cold_warm_and_uncached_answers_are_the_same_bytes() {
    let st = story();
    let questions: [(&[&str], bool); 6] = [
        (&["summary"], true),
        (&["actor", st.intruder], false),
        (&["events", "--ip", st.new_ip], false),
        (&["timeline", "--bucket", "1h", "--by", "ip"], false),
        (&["config", st.group, "--events"], false),
        (
            &["sql", "SELECT count(*) AS n, count(DISTINCT event_uid) AS uids FROM ev"],
            true,
        ),
    ];
    let cache = tempfile::tempdir().expect("a temporary cache");
    let store = cache.path().join("lakescope").join(lakescope::lake::STORE_VERSION);
    for (question, uncached_too) in questions {
        let mut args = vec!["--lake", DEMO, "--format", "json"];
        args.extend_from_slice(question);
        if store.exists() {
            std::fs::remove_dir_all(&store).expect("remove the event store");
        }
        let cold = transcript(&args, "UTC", &run_in(cache.path(), "UTC", &args));
        assert!(cold.contains("exit: 0\n"), "{cold}");
        let written = std::fs::read_dir(&store).map(|d| d.flatten().count()).unwrap_or(0);
        assert!(
            written > 0,
            "{question:?}: no event store was written in {}",
            store.display()
        );
        let warm = transcript(&args, "UTC", &run_in(cache.path(), "UTC", &args));
        assert_eq!(warm, cold, "{question:?}: read from the store differs from writing it");
        if uncached_too {
            // Slow (every query reads the raw files); tests/event_store.rs
            // compares the pivots this way, these two are the others.
            let out = common::lakescope()
                .env_clear()
                .current_dir(common::repo())
                .env("HOME", cache.path())
                .env("XDG_CACHE_HOME", cache.path())
                .env("LAKESCOPE_CACHE_DIR", "/dev/null/lakescope-no-cache")
                .env("TZ", "UTC")
                .args(&args)
                .output()
                .expect("run lakescope");
            assert_eq!(
                transcript(&args, "UTC", &out),
                cold,
                "{question:?}: without a cache differs"
            );
        }
    }
}
