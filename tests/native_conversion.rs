//! The native raw CloudTrail converter writes the same flat entries as
//! the DuckDB conversion: same entry files, same schema, same rows (every
//! column), and the same damaged files set aside. Lakes: the demo lake,
//! the bad lake, the real published samples (never skipped: without
//! `../shared/data/real` these tests fail and say so) and a lake of odd
//! records written here.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{demo, real, repo};
use lakescope::lake::convert::{Converted, Converter, convert_lake};

/// Both conversions of `root`, checked equal; returns the native result.
fn both_ways_equal(root: &Path) -> Converted {
    let duck_dir = tempfile::tempdir().expect("temp dir");
    let native_dir = tempfile::tempdir().expect("temp dir");
    let before = files_in(root);
    let duck = convert_lake(root, duck_dir.path(), Converter::DuckDb).expect("DuckDB conversion");
    let native = convert_lake(root, native_dir.path(), Converter::Native).expect("native conversion");
    assert_eq!(files_in(root), before, "nothing written into the lake");
    assert!(!duck.files.is_empty(), "{} has no raw trail files", root.display());
    let named = |c: &Converted| -> Vec<PathBuf> { c.problems.iter().map(|p| p.path.clone()).collect() };
    assert_eq!(named(&native), named(&duck), "the same files set aside both ways");
    for problem in &native.problems {
        assert!(
            problem.problem.contains(&problem.path.display().to_string()),
            "the reason names the file: {problem:?}"
        );
    }
    assert_eq!(
        entries(duck_dir.path()),
        entries(native_dir.path()),
        "the same entries (one per folder, named by its converted files)"
    );
    compare_rows(duck_dir.path(), native_dir.path());
    native
}

/// Every file under `dir` with its size.
fn files_in(dir: &Path) -> BTreeSet<(PathBuf, u64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), e.metadata().expect("metadata").len()))
        .collect()
}

/// The entry files of a cache, relative to it.
fn entries(cache: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .map(|e| e.expect("walk the cache").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|p| p.strip_prefix(cache).expect("inside").to_path_buf())
        .collect()
}

fn compare_rows(duck: &Path, native: &Path) {
    let conn = duckdb::Connection::open_in_memory().expect("duckdb");
    let glob = |dir: &Path| format!("read_parquet('{}/**/*.parquet')", dir.display());
    conn.execute_batch(&format!(
        "CREATE VIEW duck AS SELECT * FROM {}; CREATE VIEW native AS SELECT * FROM {};",
        glob(duck),
        glob(native)
    ))
    .expect("views over both caches");
    let describe = |view: &str| -> Vec<(String, String)> {
        let mut st = conn
            .prepare(&format!(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {view})"
            ))
            .expect("describe");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("describe")
            .map(|r| r.expect("row"))
            .collect()
    };
    assert_eq!(describe("native"), describe("duck"), "same columns, order and types");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let rows = count("SELECT count(*) FROM duck");
    assert_eq!(count("SELECT count(*) FROM native"), rows, "same row count");
    for (from, minus) in [("duck", "native"), ("native", "duck")] {
        let sql = format!("SELECT * FROM {from} EXCEPT ALL SELECT * FROM {minus}");
        let missing = count(&format!("SELECT count(*) FROM ({sql})"));
        if missing > 0 {
            let mut st = conn
                .prepare(&format!("SELECT CAST(columns(*) AS VARCHAR) FROM ({sql}) LIMIT 5"))
                .expect("sample");
            let sample: Vec<String> = st
                .query_map([], |r| {
                    let n = r.as_ref().column_count();
                    let cells: Vec<String> = (0..n)
                        .map(|i| {
                            r.get::<_, Option<String>>(i)
                                .map(|v| v.unwrap_or_else(|| "NULL".into()))
                        })
                        .collect::<Result<_, _>>()?;
                    Ok(cells.join(" | "))
                })
                .expect("sample")
                .map(|r| r.expect("row"))
                .collect();
            panic!(
                "{missing} rows of {from} are not in {minus}, e.g.:\n{}",
                sample.join("\n")
            );
        }
    }
}

#[test]
fn demo_lake_converts_identically() {
    let native = both_ways_equal(&demo());
    assert!(native.problems.is_empty(), "{:#?}", native.problems);
}

#[test]
fn bad_lake_sets_the_same_files_aside() {
    let native = both_ways_equal(&repo().join("fixtures/bad"));
    let names: Vec<String> = native
        .problems
        .iter()
        .map(|p| p.path.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    for damaged in ["TRUNCATED0000001", "INVALIDJSON00001", "PLAINTEXT0000001"] {
        assert!(
            names.iter().any(|n| n.contains(damaged)),
            "{damaged} set aside: {names:?}"
        );
    }
    // The record over 16 MiB is converted, not rejected.
    assert!(!names.iter().any(|n| n.contains("HUGERECORD")), "{names:?}");
}

#[test]
fn one_folder_read_by_several_threads_sets_the_same_files_aside() {
    // A lone folder: its files are read in parallel (one thread per core).
    let day = repo().join("fixtures/bad/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05/02");
    let native = both_ways_equal(&day);
    assert_eq!(native.problems.len(), 2, "{:#?}", native.problems);
}

#[test]
fn real_samples_convert_identically() {
    for sample in ["invictus-aws", "asl-ocsf-validation"] {
        both_ways_equal(&real(sample));
    }
}

/// Records that exercise every rule of the projection: time forms, number
/// and string printing, missing and mistyped fields, resources lists,
/// Insights, non-object records.
const ODD_RECORDS: &str = r#"{"Records":[
{"eventID":"a1","eventTime":"2024-05-01T10:00:00Z","requestParameters":{"b":1.0,"a":1.5,"c":1e30,"d":1e-7,"e":0.1,"f":123456789012345678901234567890,"g":-0.0,"h":1E2,"i":12345678901234567,"j":-5,"k":100000000000000000000.0,"l":1e21,"n":0.000001,"o":1.7976931348623157e308,"p":3.14159265358979323846,"q":-0,"r":5e-324,"s":-1.25e-10,"t":123.456e5},"responseElements":{"s":"\u00e9\u2028\u0001\u001f\u007f\/\\\"\t\n\r\b\f tab","u":"\ud83d\ude00","t":true,"n":null,"arr":[ 1 , {"x" : [] }, {} ], "dup":1, "dup":2}},
{"eventID":"a2","eventTime":"2024-05-01 10:00:00","requestParameters":null,"responseElements":"str\u00e9","resources":[{"ARN":"x","type":"T"},{"type":"T2"},{"ARN":null,"type":5},{"ARN":7},"loose",{"ARN":{"k":[1,2]}}]},
{"eventID":3,"eventTime":"2024-05-01T10:00:00.123456789+02:00","resources":{"ARN":"o"},"userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"mfaAuthenticated":true,"creationDate":"20240501T100000Z"}}},"sourceIPAddress":"1.2.3.4"},
{"eventID":true,"eventTime":"2024-05-01","resources":[],"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2024-05-01T10:00:00Z"}}},"sourceIPAddress":"ec2.amazonaws.com"},
{"eventID":{"x":1},"eventTime":"20240501T100000Z","resources":null,"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"TRUE","creationDate":"bad"}}},"sourceIPAddress":"::1"},
{"eventID":["a"],"eventTime":"2024-05-01T10:00:00.5","@timestamp":"2024-05-02T00:00:00Z","sourceIPAddress":"AWS Internal"},
{"eventID":null,"@timestamp":"2024-05-02T00:00:00.000Z","sourceIPAddress":"","userIdentity":{"accessKeyId":""}},
{"eventID":1.5,"eventTime":"2024-13-01T00:00:00Z","sourceIPAddress":"1.2.3.4.5","userIdentity":{"accessKeyId":"AK","onBehalfOf":{"userId":"u1"},"invokedBy":"s3.amazonaws.com"}},
{"eventID":1e400,"eventTime":" 2024-05-01T10:00:00Z ","sourceIPAddress":"fe80::1%eth0","recipientAccountId":"999988887777","awsRegion":"eu-west-3"},
{"eventID":"z","eventTime":"2024-05-01T10:00:00+0530","eventType":"AwsCloudTrailInsight"},
{"eventID":"z2","eventTime":"2024-05-01T10:00:00+0530","eventType":"AwsApiCall"},
{"eventID":"y","eventTime":"2024-05-01T10:00:00 UTC"},
{"eventID":"y2","eventTime":"2024-05-01T10:00:00 Europe/Paris"},
{"eventID":"y3","eventTime":"2024-05-01T10:00:00 (BC)"},
{"eventID":"y4","eventTime":"infinity"},
{"eventID":"y5","eventTime":"-infinity"},
{"eventID":"y6","eventTime":"epoch"},
{"eventID":"y7","eventTime":"1969-12-31T23:59:59.9995Z"},
{"eventID":"y8","eventTime":"2024/05/01 10:00:00"},
{"eventID":"y9","eventTime":"2024-05-01T24:00:00Z"},
{"eventID":"w","eventTime":"2024-05-01T25:00:00Z"},
{"eventID":"x9","eventTime":"10000-05-01T10:00:00Z"},
{"eventID":"x8","eventTime":"2024-05-01T10:00Z"},
{"eventID":"x7","eventTime":"2024-5-1T1:2:3Z"},
{"eventID":"x6","eventTime":"2024-05-01T10:00:00.1234567Z"},
{"eventID":"x5","eventTime":"2024-05-01T10:00:00-01:00"},
{"eventID":"x4","eventTime":"2024-05-01T10:00:00Z","userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r"},"attributes":{"creationDate":"20240501T1000Z"}}}},
{"eventID":"x3","eventTime":"2024-05-01T10:00:00z"},
{"eventID":"x2","eventTime":"2024-05-01t10:00:00Z"},
{"eventID":"x1","eventTime":"2024-05-01T10:00:00.Z"},
{"eventID":"dup","eventID":"second","eventTime":"2024-02-29T10:00:00Z","userIdentity":"not an object"},
{"eventID":"feb","eventTime":"2023-02-29T10:00:00Z","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root","userName":"r","principalId":"p","accountId":"1"}},
{"eventID":"esc\"aped\u0000","eventTime":"2024-05-01T10:00:00Z","userAgent":"a\u001b[31mred","errorCode":"AccessDenied","errorMessage":"no","eventSource":"s3.amazonaws.com","eventName":"GetObject"},
null,
"a string record",
{}
]}"#;

fn gz(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
    let file = std::fs::File::create(path).expect("create");
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("write");
    gz.finish().expect("finish");
}

#[test]
fn odd_records_convert_identically() {
    let lake = tempfile::tempdir().expect("temp dir");
    let day = lake.path().join("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01");
    gz(
        &day.join("123456789012_CloudTrail_us-east-1_20240501T1000Z_odd.json.gz"),
        ODD_RECORDS,
    );
    gz(
        &day.join("123456789012_CloudTrail_us-east-1_20240501T1100Z_empty.json.gz"),
        r#"{"Records":[]}"#,
    );
    // Several documents in one file, and documents in a list.
    gz(
        &day.join("123456789012_CloudTrail_us-east-1_20240501T1200Z_multi.json.gz"),
        "{\"Records\":[{\"eventID\":\"m1\"}]}\n{\"Records\":[{\"eventID\":\"m2\"}], \"Other\": 1}\n",
    );
    gz(
        &day.join("123456789012_CloudTrail_us-east-1_20240501T1300Z_list.json.gz"),
        "[{\"Records\":[{\"eventID\":\"t1\"}]}, {\"Records\":null}]",
    );
    // Outside the delivery layout: account and region come from the records.
    gz(&lake.path().join("loose/trail.json.gz"), ODD_RECORDS);
    let native = both_ways_equal(lake.path());
    assert!(native.problems.is_empty(), "{:#?}", native.problems);
}
