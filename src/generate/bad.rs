//! The damaged-input lake (`fixtures/bad`): a few good partitions and raw
//! files, every kind of damage the engine must quarantine, and valid but
//! awkward inputs (a 16 MiB record, terminal escapes, schema drift).

use std::path::Path;

use serde_json::{Value, json};

use super::background::{self, Roster, new_record};
use super::bad_net;
use super::ct::{self, CtPlan};
use super::fsutil::{self, Out, io_err};
use super::ids::{self, DAY_MS, Draw};
use super::ocsf_rows::v1_row;
use super::ocsf_v2::v2_row;
use super::options::{GenerateError, GenerateReport};
use super::parquet::{self, ParquetWriter};
use super::record::{self, Record};
use super::schemas;
use super::trail;
use super::world::{self, DATA, IDENTITY, PROD};

const GOOD_EVENTS: u64 = 100;

fn pq_path(seed: u64, version: &str, region: &str, account: &str, day: &str, tag: &str) -> String {
    let dir = parquet::partition_dir("CLOUD_TRAIL_MGMT", version, region, account, day);
    format!("{dir}/{}.gz.parquet", ids::hex32(&[&seed.to_string(), tag, &dir]))
}

fn raw_path(account: &str, day: &str, stamp: &str, unique: &str) -> String {
    format!(
        "{}/CloudTrail/us-east-1/2024/05/{day}/{account}_CloudTrail_us-east-1_{stamp}_{unique}.json.gz",
        trail::account_prefix(account)
    )
}

/// Fresh events (not in the good partitions) for the schema-drift files.
fn extra_events(seed: u64, account: &str, day_ms: i64, n: u64) -> Vec<Record> {
    let drift_seed = seed ^ 0x5eed_d71f;
    let roster = Roster::new(drift_seed, account, "us-east-1", day_ms);
    let mut v = background::cell_events(drift_seed, &roster, day_ms, account, "us-east-1", 12, n);
    v.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then_with(|| a.event_id.cmp(&b.event_id)));
    v
}

/// Flips 64 bytes of a copy of `good` so that the footer stays intact
/// (`count(*)` works) but reading the column data fails.
fn corrupt_pages(pw: &ParquetWriter, good: &[u8], scratch: &Path) -> Result<Vec<u8>, GenerateError> {
    let probe = scratch.join("probe.parquet");
    let quoted = parquet::sql_quote(&probe.to_string_lossy());
    let mut offset = good.len() / 3;
    while offset + 64 < good.len().saturating_sub(8) {
        let mut bytes = good.to_vec();
        for b in &mut bytes[offset..offset + 64] {
            *b ^= 0xA5;
        }
        std::fs::write(&probe, &bytes).map_err(|e| io_err(&probe, e))?;
        let conn = pw.conn();
        let counted = conn.query_row(&format!("SELECT count(*) FROM read_parquet({quoted})"), [], |r| {
            r.get::<_, i64>(0)
        });
        let read = conn.execute_batch(&format!(
            "CREATE OR REPLACE TEMP TABLE probe AS SELECT * FROM read_parquet({quoted}); DROP TABLE probe;"
        ));
        if counted.is_ok() && read.is_err() {
            return Ok(bytes);
        }
        offset += 97;
    }
    Err(GenerateError::Invalid(
        "could not place a page corruption that keeps the footer readable".into(),
    ))
}

pub fn generate_bad_lake(out: &Path, seed: u64) -> Result<GenerateReport, GenerateError> {
    let mut o = Out::create(out)?;
    let (y, m, d) = world::FIRST_DAY;
    let first = ids::at(y, m, d, 0, 0, 0);
    let day2 = first + DAY_MS;
    let mut pw = ParquetWriter::new()?;
    let plan = CtPlan {
        seed,
        first_day_ms: first,
        days: 2,
        accounts: &[IDENTITY, PROD],
        regions: &["us-east-1"],
        events: GOOD_EVENTS,
        v1_last: Some(0),
        v2_first: Some(1),
        specials: false,
        story: None,
        mismatch: None,
        pretty: None,
        split_rows: u64::MAX,
        digests: false,
    };
    let good = ct::write_cloudtrail(&mut o, &plan, &[])?;
    let mut bad: Vec<Value> = Vec::new();
    let mut special: Vec<Value> = Vec::new();
    let mut rng = ids::rng_for(seed, &["bad"]);
    let read = |o: &Out, rel: &str| -> Result<Vec<u8>, GenerateError> {
        let p = o.root().join(rel);
        std::fs::read(&p).map_err(|e| io_err(&p, e))
    };
    let v1_good = good
        .parquet_files
        .iter()
        .find(|p| p.contains("/1.0/"))
        .cloned()
        .unwrap_or_default();
    let v2_good = good
        .parquet_files
        .iter()
        .find(|p| p.contains("/2.0/"))
        .cloned()
        .unwrap_or_default();

    // Damaged Parquet.
    let p = pq_path(seed, "1.0", "us-east-1", IDENTITY, "20240502", "random");
    let noise: Vec<u8> = (0..4096).map(|_| rng.below(256) as u8).collect();
    o.write(&p, &noise)?;
    bad.push(json!({"path": p, "damage": "parquet_random_bytes"}));
    let p = pq_path(seed, "1.0", "us-east-1", PROD, "20240502", "empty");
    o.write(&p, b"")?;
    bad.push(json!({"path": p, "damage": "parquet_zero_bytes"}));
    let bytes = read(&o, &v2_good)?;
    let p = pq_path(seed, "2.0", "eu-west-1", IDENTITY, "20240502", "truncated");
    o.write(&p, &bytes[..bytes.len() / 2])?;
    bad.push(json!({"path": p, "damage": "parquet_truncated"}));
    let bytes = read(&o, &v1_good)?;
    let scratch = fsutil::Scratch::new("bad")?;
    let flipped = corrupt_pages(&pw, &bytes, &scratch.dir)?;
    let p = pq_path(seed, "1.0", "eu-west-1", PROD, "20240501", "pages");
    o.write(&p, &flipped)?;
    bad.push(json!({"path": p, "damage": "parquet_corrupt_data_page_footer_intact"}));

    // Damaged raw CloudTrail.
    let source = good.raw_files.first().cloned().unwrap_or_default();
    let bytes = read(&o, &source)?;
    let p = raw_path(IDENTITY, "02", "20240502T1200Z", "TRUNCATED0000001");
    o.write(&p, &bytes[..bytes.len() / 2])?;
    bad.push(json!({"path": p, "damage": "gzip_truncated"}));
    let p = raw_path(IDENTITY, "02", "20240502T1205Z", "INVALIDJSON00001");
    o.write_gz(
        &p,
        b"{\"Records\":[{\"eventVersion\":\"1.09\",\"eventTime\":\"2024-05-02T12:01:00Z\",, \"eventName\": }]",
    )?;
    bad.push(json!({"path": p, "damage": "gzip_of_malformed_json"}));
    let p = raw_path(PROD, "02", "20240502T1210Z", "PLAINTEXT0000001");
    o.write(&p, b"{\"Records\":[]}\n")?;
    bad.push(json!({"path": p, "damage": "not_gzip_plain_text"}));

    // Valid but awkward raw files.
    let ident = record::iam_user(seed, IDENTITY, "terraform");
    let mut big = new_record(
        ident,
        day2 + 13 * 3_600_000 + 4 * 60_000,
        "iam.amazonaws.com",
        "PutRolePolicy",
        "us-east-1",
        PROD,
    );
    big.request_parameters =
        json!({"roleName": "app-logging-role", "policyName": "padded", "padding": "A".repeat(17 * 1024 * 1024)});
    big.source_ip = world::TF_IP.into();
    big.user_agent = "terraform".into();
    big.request_id = rng.uuid();
    big.event_id = rng.uuid();
    let p = raw_path(PROD, "02", "20240502T1305Z", "HUGERECORD000001");
    trail::write_records(&mut o, &p, std::slice::from_ref(&big), false)?;
    special.push(json!({"path": p, "kind": "record_over_16mib_inflated", "events": 1}));

    let esc_ua = "curl/8.4.0 \u{1b}[31mRED\u{1b}[0m\u{7}\r\u{8}\u{8}\u{202e}fdp.exe";
    let esc_name = "evil\u{1b}[2J\u{1b}[31mroot\u{1b}[0m\u{7}\r\u{8}\u{202e}nimda";
    let carol = record::iam_user(seed, IDENTITY, "carol");
    let mut esc = Vec::new();
    for (i, (name, err)) in [("ListUsers", false), ("CreateUser", false), ("DeleteUser", true)]
        .into_iter()
        .enumerate()
    {
        let mut r = new_record(
            carol.clone(),
            day2 + 14 * 3_600_000 + (i as i64) * 61_000,
            "iam.amazonaws.com",
            name,
            "us-east-1",
            IDENTITY,
        );
        r.source_ip = "198.51.100.77".into();
        r.user_agent = esc_ua.into();
        r.read_only = name == "ListUsers";
        if name != "ListUsers" {
            r.request_parameters = json!({"userName": esc_name});
        }
        if err {
            r.error_code = Some("AccessDenied".into());
            r.error_message = Some(format!(
                "User: arn:aws:iam::{IDENTITY}:user/carol is not authorized\u{1b}[8m hidden\u{1b}[0m\r\u{8}\u{7} \u{202e}deined"
            ));
        }
        r.request_id = rng.uuid();
        r.event_id = rng.uuid();
        esc.push(r);
    }
    let p = raw_path(IDENTITY, "02", "20240502T1500Z", "ESCAPESEQUENCES1");
    trail::write_records(&mut o, &p, &esc, false)?;
    special.push(json!({"path": p, "kind": "terminal_escape_sequences", "events": esc.len()}));

    // Schema drift: a different v1 field set, and a v2-shaped file under 1.0.
    let drift = extra_events(seed, PROD, day2, 5);
    let mut cols: Vec<(&str, &str)> = schemas::CLOUDTRAIL_V1.to_vec();
    for c in &mut cols {
        if c.0 == "actor" {
            c.1 = "STRUCT(\"user\" STRUCT(type VARCHAR, name VARCHAR, uid VARCHAR, uuid VARCHAR, credential_uid VARCHAR), session STRUCT(created_time BIGINT, mfa BOOLEAN, issuer VARCHAR), invoked_by VARCHAR, idp STRUCT(name VARCHAR))";
        }
    }
    cols.push(("raw_data", "VARCHAR"));
    let mut staged = pw.stage()?;
    for r in &drift {
        let mut row = serde_json::to_value(v1_row(r)).map_err(|e| GenerateError::Json {
            path: o.root().to_path_buf(),
            source: e,
        })?;
        if let Some(m) = row.as_object_mut() {
            m.insert(
                "raw_data".into(),
                Value::String(serde_json::to_string(r).unwrap_or_default()),
            );
        }
        staged.push(&row)?;
    }
    let p = pq_path(seed, "1.0", "us-east-1", PROD, "20240502", "drift");
    pw.finish(&mut o, staged, &cols, &p)?;
    special
        .push(json!({"path": p, "kind": "schema_drift_v1_without_account_uid_plus_raw_data", "events": drift.len()}));

    let v2_in_v1 = extra_events(seed, DATA, day2, 5);
    let mut staged = pw.stage()?;
    for r in &v2_in_v1 {
        staged.push(&v2_row(r, None))?;
    }
    let p = pq_path(seed, "1.0", "us-east-1", DATA, "20240502", "v2shape");
    pw.finish(&mut o, staged, schemas::CLOUDTRAIL_V2, &p)?;
    special.push(json!({"path": p, "kind": "v2_shape_in_1.0_folder", "events": v2_in_v1.len()}));

    let other_sources = bad_net::write_all(&mut o, &mut pw, seed, day2)?;

    let parquet_events = good.truth.events + (drift.len() + v2_in_v1.len()) as u64;
    let raw_events = good.truth.events + 1 + esc.len() as u64;
    let expected = json!({
        "generator": {"seed": seed, "kind": "bad", "good_events": GOOD_EVENTS},
        "good": {
            "cloudtrail_events": good.truth.events + 1 + (esc.len() + drift.len() + v2_in_v1.len()) as u64,
            "security_lake_events": parquet_events,
            "raw_cloudtrail_events": raw_events,
            "errors_in_good_partitions": good.truth.errors,
            "security_lake_files": good.parquet_files,
            "raw_files": good.raw_files.len(),
        },
        "bad_files": bad,
        "valid_special_files": special,
        "other_sources": other_sources,
    });
    let mut text = serde_json::to_string_pretty(&expected).map_err(|e| GenerateError::Json {
        path: o.root().join("EXPECTED.json"),
        source: e,
    })?;
    text.push('\n');
    o.write("EXPECTED.json", text.as_bytes())?;
    Ok(GenerateReport {
        files: o.files,
        bytes: o.bytes,
        events: good.truth.events,
    })
}
