//! The engine on real, published AWS samples from `../shared/data/real`.
//! These tests never skip: without the folder they fail and say why.

mod common;

use common::real;
use lakescope::lake::{EventCriteria, EventRow, Lake, Page, Scope, SourceKind};
use lakescope::lake::{catalog, events, pivots};

fn all_events(lake: &Lake) -> Vec<EventRow> {
    let page = Page {
        limit: 1_000_000,
        offset: 0,
    };
    events::events(
        &lake.session().unwrap(),
        &Scope::default(),
        &EventCriteria::default(),
        page,
    )
    .unwrap()
}

#[test]
fn every_security_lake_sample_opens_and_is_counted() {
    let dir = real("asl-ocsf-validation/samples");
    let lake = Lake::open(&dir).unwrap();
    let parquet: Vec<_> = lake.files().iter().filter(|f| f.kind.is_parquet()).collect();
    // 34 OCSF files + 4 raw VPC-flow inputs (PROVENANCE.md).
    assert_eq!(parquet.len(), 38, "{parquet:#?}");
    assert!(lake.problems().is_empty(), "{:#?}", lake.problems());
    let sources = catalog::sources(&lake.session().unwrap(), &Scope::default()).unwrap();
    // Loose parquet is listed by what it is read as: activity, flows, DNS,
    // findings, and the raw VPC-flow inputs (not OCSF: counted, not searched).
    let loose: Vec<_> = sources
        .iter()
        .filter(|s| s.source.starts_with("OCSF parquet") || s.source == "Parquet of another shape")
        .collect();
    let labels: Vec<&str> = loose.iter().map(|s| s.source.as_str()).collect();
    assert_eq!(
        labels,
        [
            "OCSF parquet",
            "OCSF parquet (dns)",
            "OCSF parquet (findings)",
            "OCSF parquet (flows)",
            "Parquet of another shape"
        ]
    );
    assert_eq!(loose.iter().map(|s| s.files).sum::<u64>(), 38);
    // One row per OCSF file, one per raw VPC input.
    assert_eq!(
        loose.iter().map(|s| s.events.unwrap_or(0)).sum::<u64>(),
        38,
        "{sources:#?}"
    );
    let other = loose.last().expect("raw inputs");
    assert_eq!((other.files, other.searchable_as.as_deref()), (4, None));
    assert!(other.note.is_some(), "why they are only counted");
    // The 21 raw CloudTrail inputs beside the OCSF files are the same events.
    // Two of them (UnknownAPI, UpdateTrail) share one eventID: both must stay.
    let raw = sources
        .iter()
        .find(|s| s.source == "CloudTrail")
        .expect("raw CloudTrail inputs");
    assert_eq!(raw.events, Some(21));
    // Activity: 21 CloudTrail events (each seen twice, counted once; the raw
    // copy is preferred) and the one EKS audit event, which only OCSF has.
    let events = all_events(&lake);
    assert_eq!(events.len(), 22, "{events:#?}");
    let eks: Vec<_> = events
        .iter()
        .filter(|e| e.source.as_deref() == Some("OCSF parquet"))
        .collect();
    assert_eq!(eks.len(), 1);
    assert_eq!(eks[0].actor, "KubernetesUser:system:node:ip-192-001-02-03.ec2.internal");
    assert_eq!(
        eks[0].account.as_deref(),
        Some("123456789012"),
        "account taken from the ARN in cloud.account.uid"
    );
}

/// For each CloudTrail OCSF row whose raw input sits beside it, both give the
/// same actor, IP and operation.
#[test]
fn raw_cloudtrail_and_ocsf_rows_agree() {
    let base = real("asl-ocsf-validation/samples/1.0.0-rc.2/CLOUD_TRAIL");
    let mut compared = 0;
    for class in std::fs::read_dir(&base).unwrap() {
        let class = class.unwrap().path();
        for entry in std::fs::read_dir(&class).unwrap() {
            let parquet = entry.unwrap().path();
            let name = parquet.file_name().unwrap().to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".parquet") else {
                continue;
            };
            let raw = class.join("input").join(stem);
            assert!(raw.is_file(), "raw input missing for {}", parquet.display());
            let ocsf_rows = all_events(&Lake::open(&parquet).unwrap());
            let raw_rows = all_events(&Lake::open(&raw).unwrap());
            assert_eq!(ocsf_rows.len(), 1, "{}", parquet.display());
            assert_eq!(raw_rows.len(), 1, "{}", raw.display());
            let (o, r) = (&ocsf_rows[0], &raw_rows[0]);
            assert_eq!(o.actor, r.actor, "actor of {name}");
            assert_eq!(o.source_ip, r.source_ip, "source IP of {name}");
            assert_eq!(o.operation, r.operation, "operation of {name}");
            assert_eq!(o.time, r.time, "time of {name}");
            compared += 1;
        }
    }
    assert_eq!(compared, 21);
}

#[test]
fn invictus_trail_opens_through_its_awslogs_layout_with_every_record() {
    let lake = Lake::open(&real("invictus-aws")).unwrap();
    assert_eq!(lake.files().len(), 55);
    assert!(lake.files().iter().all(|f| f.kind == SourceKind::CloudTrailJson));
    let session = lake.session().unwrap();
    let sources = catalog::sources(&session, &Scope::default()).unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].events, Some(2900));
    assert_eq!(sources[0].accounts, vec!["218007301253".to_string()]);
    // The path account differs from recipientAccountId inside the records:
    // scoping by the partition account still finds every record.
    let scope = Scope {
        accounts: vec!["218007301253".into()],
        ..Scope::default()
    };
    let actors = pivots::actors(&session, &scope, None).unwrap();
    assert_eq!(actors.iter().map(|a| a.events).sum::<u64>(), 2900);
    let bert = actors
        .iter()
        .find(|a| a.arn == "arn:aws:iam::123837392027:user/bert-jan")
        .unwrap();
    assert_eq!(bert.events, 2641);
    assert_eq!(bert.account.as_deref(), Some("123837392027"));
    // 42 records have a userIdentity without `type` but with invokedBy.
    assert!(actors.iter().any(|a| a.arn.starts_with("AWSService:")), "{actors:#?}");
    let errors: u64 = actors.iter().map(|a| a.errors).sum();
    assert_eq!(errors, 300);
}

#[test]
fn otrf_ndjson_without_event_time_is_read_and_the_csv_is_refused() {
    let lake = Lake::open(&real("otrf-aws")).unwrap();
    let events = all_events(&lake);
    assert_eq!(events.len(), 103);
    assert!(events.iter().all(|e| e.time.is_some()), "time comes from @timestamp");
    let pedro = events
        .iter()
        .filter(|e| e.actor == "arn:aws:iam::123456789123:user/pedro")
        .count();
    assert_eq!(pedro, 87);
    let csv = lake
        .skipped()
        .iter()
        .find(|s| s.path.to_string_lossy().ends_with(".csv"))
        .unwrap();
    assert!(csv.reason.contains("not a log format"), "{csv:?}");
}

#[test]
fn config_notifications_are_listed_with_a_reason_until_config_views_exist() {
    let lake = Lake::open(&real("config-items")).unwrap();
    // SNS-wrapped Config notifications are not activity; each file is either
    // recognised as Config or skipped with a stated reason, none silently.
    let total = lake.files().len() + lake.skipped().len();
    assert_eq!(total, 31, "30 JSON files and PROVENANCE.md");
    assert!(lake.skipped().iter().all(|s| !s.reason.is_empty()));
    assert!(all_events(&lake).is_empty());
}
