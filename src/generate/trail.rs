//! Raw CloudTrail S3 delivery: hourly `{"Records":[...]}` files, daily
//! digest files (no `Records`) and one Insights file.

use serde_json::{Value, json};

use super::fsutil::Out;
use super::ids::{self, DAY_MS, HOUR_MS, MIXED_ALNUM, hash128};
use super::options::GenerateError;
use super::record::Record;
use super::story::Story;
use super::world::{DATA, IDENTITY, ORG_ID};

pub const ORG_BUCKET: &str = "acme-org-cloudtrail-logs";
pub const DATA_BUCKET: &str = "acme-data-cloudtrail-logs";

/// The data account runs its own trail (no organization prefix).
pub fn account_prefix(account: &str) -> String {
    if account == DATA {
        format!("AWSLogs/{account}")
    } else {
        format!("AWSLogs/{ORG_ID}/{account}")
    }
}

fn trail_name(account: &str) -> &'static str {
    if account == DATA { "data-trail" } else { "org-trail" }
}

fn unique16(parts: &[&str]) -> String {
    let mut h = hash128(parts);
    (0..16)
        .map(|_| {
            let c = MIXED_ALNUM[(h % MIXED_ALNUM.len() as u128) as usize];
            h /= MIXED_ALNUM.len() as u128;
            char::from(c)
        })
        .collect()
}

fn date_dirs(ms: i64) -> String {
    let c = ids::civil(ms);
    format!("{:04}/{:02}/{:02}", c.y, c.mo, c.d)
}

/// Path of the file delivering the records of one hour; it is named and
/// filed by its delivery time (the end of the hour), so the 23:xx file of a
/// day lands in the next day's folder.
pub fn hour_file(seed: u64, account: &str, region: &str, hour_ms: i64) -> String {
    let delivered = hour_ms + HOUR_MS;
    let unique = unique16(&[&seed.to_string(), "trail", account, region, &hour_ms.to_string()]);
    format!(
        "{}/CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}_{unique}.json.gz",
        account_prefix(account),
        date_dirs(delivered),
        ids::stamp_min(delivered)
    )
}

/// Writes `{"Records":[...]}` (minified, or pretty-printed for one file).
pub fn write_records(out: &mut Out, rel: &str, records: &[Record], pretty: bool) -> Result<(), GenerateError> {
    out.write_gz_with(rel, |w| {
        if pretty {
            w.write_all(b"{\n  \"Records\": [\n")?;
        } else {
            w.write_all(b"{\"Records\":[")?;
        }
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                w.write_all(if pretty { b",\n" } else { b"," })?;
            }
            if pretty {
                serde_json::to_writer_pretty(&mut *w, r)?;
            } else {
                serde_json::to_writer(&mut *w, r)?;
            }
        }
        w.write_all(if pretty { b"\n  ]\n}\n" } else { b"]}" })
    })
}

/// One log file as listed in a digest.
pub struct Delivered {
    pub rel: String,
    pub oldest: i64,
    pub newest: i64,
}

fn digest_rel(account: &str, day_ms: i64) -> String {
    let end = day_ms + DAY_MS;
    format!(
        "{}/CloudTrail-Digest/us-east-1/{}/{account}_CloudTrail-Digest_us-east-1_{}_us-east-1_{}.json.gz",
        account_prefix(account),
        date_dirs(end),
        trail_name(account),
        ids::stamp_sec(end)
    )
}

/// A daily digest for one account listing that day's log files.
pub fn write_digest(
    out: &mut Out,
    seed: u64,
    account: &str,
    day_ms: i64,
    first_day_ms: i64,
    files: &[Delivered],
) -> Result<(), GenerateError> {
    let bucket = if account == DATA { DATA_BUCKET } else { ORG_BUCKET };
    let rel = digest_rel(account, day_ms);
    let hash = |s: &str| {
        format!(
            "{:032x}{:032x}",
            hash128(&[&seed.to_string(), "sha", s]),
            hash128(&[s, "sha2"])
        )
    };
    let prev = (day_ms > first_day_ms).then(|| digest_rel(account, day_ms - DAY_MS));
    let newest = files.iter().map(|f| f.newest).max();
    let oldest = files.iter().map(|f| f.oldest).min();
    let doc = json!({
        "awsAccountId": account,
        "digestStartTime": ids::iso_s(day_ms),
        "digestEndTime": ids::iso_s(day_ms + DAY_MS),
        "digestS3Bucket": bucket,
        "digestS3Object": rel,
        "digestPublicKeyFingerprint": format!("{:032x}", hash128(&[&seed.to_string(), "fingerprint"])),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": newest.map(ids::iso_s),
        "oldestEventTime": oldest.map(ids::iso_s),
        "previousDigestS3Bucket": prev.as_ref().map(|_| bucket),
        "previousDigestS3Object": prev,
        "previousDigestHashValue": prev.as_ref().map(|p| hash(p)),
        "previousDigestHashAlgorithm": prev.as_ref().map(|_| "SHA-256"),
        "previousDigestSignature": prev.as_ref().map(|p| hash(&format!("sig/{p}"))),
        "logFiles": files.iter().map(|f| json!({
            "s3Bucket": bucket,
            "s3Object": f.rel,
            "hashValue": hash(&f.rel),
            "hashAlgorithm": "SHA-256",
            "newestEventTime": ids::iso_s(f.newest),
            "oldestEventTime": ids::iso_s(f.oldest),
        })).collect::<Vec<Value>>(),
    });
    out.write_gz(&rel, doc.to_string().as_bytes())
}

/// One CloudTrail Insights file (start/end of an error-rate anomaly during
/// the AccessDenied burst); readers must not count these as activity.
pub fn write_insight(out: &mut Out, seed: u64, story: &Story) -> Result<(), GenerateError> {
    let start = story.burst.0 - story.burst.0.rem_euclid(60_000);
    let end = start + 5 * 60_000;
    let delivered = start - start.rem_euclid(HOUR_MS) + HOUR_MS;
    let shared = ids::label_uuid(seed, "insight-shared");
    let record = |state: &str, t: i64, n: &str| {
        json!({
            "eventVersion": "1.08",
            "eventTime": ids::iso_s(t),
            "awsRegion": "us-east-1",
            "eventID": ids::label_uuid(seed, &format!("insight-{n}")),
            "eventType": "AwsCloudTrailInsight",
            "recipientAccountId": IDENTITY,
            "sharedEventID": shared,
            "insightDetails": {
                "state": state,
                "eventSource": "secretsmanager.amazonaws.com",
                "eventName": "ListSecrets",
                "insightType": "ApiErrorRateInsight",
                "errorCode": "AccessDenied",
                "insightContext": {"statistics": {
                    "baseline": {"average": 0.0},
                    "insight": {"average": 3.0},
                    "insightDuration": 5,
                    "baselineDuration": 10079,
                }},
            },
            "eventCategory": "Insight",
        })
    };
    let doc = json!({"Records": [record("Start", start, "start"), record("End", end, "end")]});
    let rel = format!(
        "{}/CloudTrail-Insight/us-east-1/{}/{IDENTITY}_CloudTrail-Insight_us-east-1_{}_{}.json.gz",
        account_prefix(IDENTITY),
        date_dirs(delivered),
        ids::stamp_min(delivered),
        unique16(&[&seed.to_string(), "insight"])
    );
    out.write_gz(&rel, doc.to_string().as_bytes())
}
