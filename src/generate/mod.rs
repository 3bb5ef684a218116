//! Deterministic synthetic lake generator: Security Lake Parquet (OCSF v1 and
//! v2), raw CloudTrail and AWS Config deliveries, other Security Lake
//! sources, and a TRUTH.json with the numbers an investigation should find.
//! The same options always produce byte-identical trees.
//!
//! TRUTH.json semantics (all counted from the records as they are written):
//! * `cloudtrail.*` counts distinct CloudTrail management events (eventIDs);
//!   each exists once in raw trail files and once or twice (2024-05-04 is in
//!   both Security Lake versions) in Parquet. An error is a record with an
//!   `errorCode`. `events_by_hour`/`errors_by_hour` list only non-zero hours.
//! * `actors` counts actor keys: `userIdentity.arn`, else
//!   `AWSService:<invokedBy>`, `AWSAccount:<accountId>`,
//!   `IdentityCenterUser:<onBehalfOf.userId>`, else `<type>:<principalId>`.
//! * `dossier`: every record whose `userIdentity.arn` is the intruder's;
//!   `accounts` are recipient accounts, lists are sorted by their key.
//! * `role_chain[].cloudtrail_events` counts records made with the minted key,
//!   `eks_events` EKS audit rows with that `actor.session.credential_uid`;
//!   `first_seen`/`last_seen` span both.
//! * `config` counts S3-delivered items (history + snapshots, duplicates
//!   included), their relationship edges, and distinct `resourceId`s.
//! * `network` (see `net_truth`) is counted from the network and findings
//!   rows as written: `exfil` sums the flow records between the instance and
//!   EXFIL_IP:443 (`*_out` instance → EXFIL_IP, `flows` both directions,
//!   `last_seen` the latest record end); `scanner.denied_probes` counts the
//!   scanner's rejected flow records, `ports` the ports probed; `c2` is the
//!   instance's lookups of the C2 name; `waf` the scanner's requests
//!   (blocked: a managed rule group ended them); `rows` counts rows per
//!   Security Lake source/version, raw flow log records (header lines out,
//!   NODATA records in) and Resolver query lines.

mod background;
mod bad;
mod bad_net;
mod catalog;
mod config;
mod config_items;
mod ct;
mod daily;
mod dns;
mod findings;
mod findings_gd;
mod flows;
mod fsutil;
mod ids;
mod net_run;
mod net_times;
mod net_truth;
mod ocsf;
mod ocsf_rows;
mod ocsf_v2;
mod options;
mod parquet;
mod raw_net;
mod record;
mod requests;
mod schemas;
mod schemas_net;
mod sources;
mod story;
mod story_builder;
mod story_data;
mod trail;
mod truth;
mod waf;
mod world;

use flate2::Compression;

pub use bad::generate_bad_lake;
pub use options::{GenerateError, GenerateOptions, GenerateReport};

/// Above this many events the gzip level drops to "fast" (10M-event lakes).
const FAST_GZIP_ABOVE: u64 = 200_000;
/// Security Lake partitions with more rows are split into two files.
const SPLIT_ROWS: u64 = 200_000;

pub fn generate_lake(opts: &GenerateOptions) -> Result<GenerateReport, GenerateError> {
    if opts.days < 5 {
        return Err(GenerateError::Invalid(format!(
            "--days must be at least 5 (the intrusion story happens on 2024-05-05), got {}",
            opts.days
        )));
    }
    if opts.days > 366 {
        return Err(GenerateError::Invalid(format!(
            "--days must be at most 366, got {}",
            opts.days
        )));
    }
    let mut out = fsutil::Out::create(&opts.out)?;
    if opts.events > FAST_GZIP_ABOVE {
        out.level = Compression::fast();
    }
    let (y, m, d) = world::FIRST_DAY;
    let first_day_ms = ids::at(y, m, d, 0, 0, 0);
    let story_day = first_day_ms + i64::from(world::STORY_DAY_INDEX) * ids::DAY_MS;
    let story = story::build(opts.seed, story_day);
    let last = opts.days - 1;

    let plan = ct::CtPlan {
        seed: opts.seed,
        first_day_ms,
        days: opts.days,
        accounts: &world::ACCOUNTS,
        regions: &world::REGIONS,
        events: opts.events,
        v1_last: Some(world::OVERLAP_DAY_INDEX),
        v2_first: Some(world::OVERLAP_DAY_INDEX),
        specials: true,
        story: Some(&story),
        mismatch: Some((last, world::PROD, "ap-northeast-1", "us-west-2")),
        pretty: Some((1, world::IDENTITY, "us-east-1")),
        split_rows: SPLIT_ROWS,
        digests: true,
    };
    let ct = ct::write_cloudtrail(&mut out, &plan, &[&story.k1, &story.k2])?;
    trail::write_insight(&mut out, opts.seed, &story)?;
    // The CloudTrail workers have their own DuckDB connections; the small sources share this one.
    let mut pw = parquet::ParquetWriter::new()?;
    findings::write_iceberg_stub(&mut out, opts.seed, first_day_ms)?;
    let eks = sources::write_eks(&mut out, &mut pw, opts.seed, first_day_ms, opts.days, &story)?;
    let at = net_times::times(&story);
    let mut net = net_truth::NetTruth::new();
    let mut run = net_run::NetRun {
        out: &mut out,
        pw: &mut pw,
        seed: opts.seed,
        first_day_ms,
        days: opts.days,
        story: &story,
        at: &at,
        net: &mut net,
    };
    flows::write_vpc_flow(&mut run)?;
    dns::write_route53(&mut run)?;
    waf::write_waf(&mut run)?;
    raw_net::write_raw_network(run.out, opts.seed, first_day_ms, run.net)?;
    findings::write_findings(&mut run)?;
    let config = config::write_config(&mut out, opts.seed, first_day_ms, opts.days, &story)?;

    let truth = truth::render(&truth::TruthInput {
        seed: opts.seed,
        events: opts.events,
        days: opts.days,
        first_day_ms,
        ct: &ct.truth,
        story: &story,
        eks: &eks,
        config,
        network: net.render(),
    });
    write_pretty_json(&mut out, "TRUTH.json", &truth)?;
    Ok(GenerateReport {
        files: out.files,
        bytes: out.bytes,
        events: ct.truth.events,
    })
}

fn write_pretty_json(out: &mut fsutil::Out, rel: &str, value: &serde_json::Value) -> Result<(), GenerateError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| GenerateError::Json {
        path: out.root().join(rel),
        source: e,
    })?;
    text.push('\n');
    out.write(rel, text.as_bytes())
}
