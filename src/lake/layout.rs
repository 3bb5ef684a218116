//! What a file is, judged from its path alone (no data is read here).
//!
//! AWS writes several layouts (see `docs/formats.md#how-files-are-recognised`):
//! Security Lake hive partitions, CloudTrail trail delivery, Config delivery,
//! and flow and Resolver logs delivered to S3. A user may open the lake root,
//! any folder inside it, or a copy of one partition, so classification looks
//! at the whole absolute path.

use std::path::Path;

/// Partition values taken from a path. `day` is `YYYYMMDD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Partition {
    pub account: String,
    pub region: String,
    pub day: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathKind {
    /// `…/<SOURCE>/<VER>/region=/accountId=/eventDay=/<file>.parquet`
    SecurityLake {
        source: String,
        version: Option<String>,
        custom: bool,
        partition: Partition,
    },
    /// A parquet file outside the hive layout (a copied sample, an export).
    LooseParquet,
    /// `AWSLogs/[o-…/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<file>`
    CloudTrail { partition: Partition },
    /// `AWSLogs/<acct>/Config/<region>/Y/M/D/ConfigHistory|ConfigSnapshot/<file>`
    ConfigDelivery { snapshot: bool, partition: Partition },
    /// `AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<file>.log[.gz]`
    VpcFlowLog { partition: Partition },
    /// `AWSLogs/<acct>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/<file>.log[.gz]`
    /// (the path names no region).
    ResolverLog,
    /// JSON (maybe gzip) outside the known layouts: its content decides.
    LooseJson,
    /// Known AWS files that hold no events, with the reason they are skipped.
    Ignored(&'static str),
    /// Anything else.
    Unknown,
}

/// Classify one file by its absolute path.
pub fn classify(path: &Path) -> PathKind {
    let parts: Vec<&str> = path.components().filter_map(|c| c.as_os_str().to_str()).collect();
    let Some(name) = parts.last().copied() else {
        return PathKind::Unknown;
    };
    let lower = name.to_ascii_lowercase();

    if let Some(kind) = classify_aws_logs(&parts, &lower) {
        return kind;
    }
    if lower.ends_with(".parquet") {
        return match hive_partition(&parts) {
            Some((partition, at)) => security_lake(&parts, at, partition),
            None if parts.contains(&"metadata") => PathKind::Ignored("Iceberg metadata"),
            None => PathKind::LooseParquet,
        };
    }
    if lower.ends_with(".metadata.json") || lower.ends_with(".avro") {
        return PathKind::Ignored("Iceberg metadata");
    }
    if is_json_name(&lower) {
        return PathKind::LooseJson;
    }
    PathKind::Unknown
}

fn is_json_name(lower: &str) -> bool {
    [
        ".json",
        ".json.gz",
        ".jsonl",
        ".jsonl.gz",
        ".ndjson",
        ".ndjson.gz",
        ".gz",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Finds `region=`, `accountId=`, `eventDay=` as the three folders above the
/// file. Returns the partition and the index of the `region=` component.
fn hive_partition(parts: &[&str]) -> Option<(Partition, usize)> {
    if parts.len() < 4 {
        return None;
    }
    let at = parts.len() - 4;
    let value = |i: usize, key: &str| -> Option<String> {
        let (k, v) = parts[i].split_once('=')?;
        k.eq_ignore_ascii_case(key).then(|| v.to_string())
    };
    let partition = Partition {
        region: value(at, "region")?,
        account: value(at + 1, "accountId")?,
        day: value(at + 2, "eventDay")?,
    };
    Some((partition, at))
}

fn security_lake(parts: &[&str], region_at: usize, partition: Partition) -> PathKind {
    let before = |n: usize| region_at.checked_sub(n).and_then(|i| parts.get(i).copied());
    let is_version = |s: &str| {
        s == "latest"
            || s.split_once('.').is_some_and(|(a, b)| {
                !a.is_empty() && !b.is_empty() && (a.to_owned() + b).bytes().all(|c| c.is_ascii_digit())
            })
    };
    let (source, version) = match before(1) {
        Some(v) if is_version(v) => (before(2).unwrap_or("UNKNOWN"), Some(v.to_string())),
        Some(s) => (s, None),
        None => ("UNKNOWN", None),
    };
    let custom = parts[..region_at].contains(&"ext");
    PathKind::SecurityLake {
        source: source.to_string(),
        version,
        custom,
        partition,
    }
}

/// Trail and Config delivery under an `AWSLogs` folder.
fn classify_aws_logs(parts: &[&str], lower_name: &str) -> Option<PathKind> {
    let logs = parts.iter().rposition(|p| *p == "AWSLogs")?;
    let mut rest = &parts[logs + 1..];
    if rest.first().is_some_and(|p| p.starts_with("o-")) {
        rest = &rest[1..];
    }
    // rest = [<acct>, <service>, ...]
    let account = rest.first()?.to_string();
    let service = *rest.get(1)?;
    match service {
        "CloudTrail-Digest" => Some(PathKind::Ignored("CloudTrail digest (integrity file, no events)")),
        "CloudTrail-Insight" => Some(PathKind::Ignored("CloudTrail Insights (not activity events)")),
        "CloudTrail" => {
            // [<acct>, CloudTrail, <region>, YYYY, MM, DD, <file>]
            if rest.len() != 7 {
                return Some(PathKind::LooseJson);
            }
            let day = format!("{}{:0>2}{:0>2}", rest[3], rest[4], rest[5]);
            if !(day.len() == 8 && day.bytes().all(|c| c.is_ascii_digit())) {
                return Some(PathKind::LooseJson);
            }
            if !is_json_name(lower_name) {
                return Some(PathKind::Unknown);
            }
            Some(PathKind::CloudTrail {
                partition: Partition {
                    account,
                    region: rest[2].to_string(),
                    day,
                },
            })
        }
        "vpcflowlogs" => Some(match dated(rest, 2) {
            Some(day) => PathKind::VpcFlowLog {
                partition: Partition {
                    account,
                    region: rest[2].to_string(),
                    day,
                },
            },
            None => PathKind::Unknown,
        }),
        "vpcdnsquerylogs" => Some(match dated(rest, 2) {
            Some(_) => PathKind::ResolverLog,
            None => PathKind::Unknown,
        }),
        "Config" => {
            if lower_name == "configwritabilitycheckfile" {
                return Some(PathKind::Ignored("Config writability check"));
            }
            // [<acct>, Config, <region>, Y, M, D, ConfigHistory|ConfigSnapshot, <file>]
            if rest.len() != 8 {
                return Some(PathKind::LooseJson);
            }
            let snapshot = match rest[6] {
                "ConfigSnapshot" => true,
                "ConfigHistory" => false,
                _ => return Some(PathKind::Unknown),
            };
            let day = format!("{}{:0>2}{:0>2}", rest[3], rest[4], rest[5]);
            Some(PathKind::ConfigDelivery {
                snapshot,
                partition: Partition {
                    account,
                    region: rest[2].to_string(),
                    day,
                },
            })
        }
        _ => None,
    }
}

/// `YYYYMMDD` from `[<acct>, <service>, <folder>, YYYY, MM, DD, <file>]`
/// (the folder after the service at `folder`).
fn dated(rest: &[&str], folder: usize) -> Option<String> {
    if rest.len() != folder + 5 {
        return None;
    }
    let day = format!("{}{:0>2}{:0>2}", rest[folder + 1], rest[folder + 2], rest[folder + 3]);
    (day.len() == 8 && day.bytes().all(|c| c.is_ascii_digit())).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(account: &str, region: &str, day: &str) -> Partition {
        Partition {
            account: account.into(),
            region: region.into(),
            day: day.into(),
        }
    }

    #[test]
    fn security_lake_paths_keep_leading_zero_accounts() {
        let kind = classify(Path::new(
            "/x/aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=012345678901/eventDay=20240504/ab.gz.parquet",
        ));
        assert_eq!(
            kind,
            PathKind::SecurityLake {
                source: "CLOUD_TRAIL_MGMT".into(),
                version: Some("2.0".into()),
                custom: false,
                partition: p("012345678901", "us-east-1", "20240504"),
            }
        );
    }

    #[test]
    fn custom_sources_have_no_version() {
        let kind = classify(Path::new(
            "/l/ext/my-src/region=eu-west-1/accountId=1/eventDay=20240101/f.parquet",
        ));
        assert!(
            matches!(kind, PathKind::SecurityLake { custom: true, version: None, ref source, .. } if source == "my-src")
        );
    }

    #[test]
    fn iceberg_metadata_and_loose_parquet() {
        assert_eq!(
            classify(Path::new("/l/aws/EKS_AUDIT/2.0/metadata/00000-x.metadata.json")),
            PathKind::Ignored("Iceberg metadata")
        );
        assert_eq!(
            classify(Path::new(
                "/s/api_activity(general CT events)/UpdateTrail.test.gz.parquet"
            )),
            PathKind::LooseParquet
        );
    }

    #[test]
    fn organization_and_account_trails() {
        let org = classify(Path::new(
            "/l/AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2024/05/04/111122223333_CloudTrail_us-east-1_20240504T1000Z_x.json.gz",
        ));
        assert_eq!(
            org,
            PathKind::CloudTrail {
                partition: p("111122223333", "us-east-1", "20240504")
            }
        );
        let plain = classify(Path::new(
            "/l/AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/04/odd-name.json.gz",
        ));
        assert_eq!(
            plain,
            PathKind::CloudTrail {
                partition: p("444455556666", "eu-west-1", "20240504")
            }
        );
        let digest = classify(Path::new(
            "/l/AWSLogs/1/CloudTrail-Digest/us-east-1/2024/05/04/d.json.gz",
        ));
        assert!(matches!(digest, PathKind::Ignored(_)));
    }

    #[test]
    fn config_days_are_not_zero_padded() {
        let kind = classify(Path::new(
            "/l/AWSLogs/012345678901/Config/us-east-1/2024/5/4/ConfigHistory/012345678901_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_1.json.gz",
        ));
        assert_eq!(
            kind,
            PathKind::ConfigDelivery {
                snapshot: false,
                partition: p("012345678901", "us-east-1", "20240504")
            }
        );
        assert!(matches!(
            classify(Path::new("/l/AWSLogs/1/Config/ConfigWritabilityCheckFile")),
            PathKind::Ignored(_)
        ));
    }

    #[test]
    fn loose_json_is_left_to_content() {
        assert_eq!(classify(Path::new("/s/input/AssumeRole.test.gz")), PathKind::LooseJson);
        assert_eq!(classify(Path::new("/s/README.md")), PathKind::Unknown);
    }
}
