//! CloudTrail pipeline: streams partition by partition (day, account,
//! region), hour by hour, writing each event to the raw trail file of its
//! hour and to the Security Lake 1.0 and/or 2.0 Parquet of its partition.
//! Only one hour of events per worker is in memory at a time.
//!
//! Partitions are spread over a few worker threads. Every partition's
//! content depends only on (seed, partition), its files are disjoint from
//! the others', and the workers' truth counts are merged with commutative
//! sums, so the output does not depend on scheduling.

use std::collections::BTreeMap;

use super::background::{self, Roster};
use super::daily;
use super::fsutil::Out;
use super::ids::{self, DAY_MS, HOUR_MS};
use super::ocsf_rows::v1_row;
use super::ocsf_v2::v2_row;
use super::options::GenerateError;
use super::parquet::{self, ParquetWriter, Staged};
use super::record::Record;
use super::schemas;
use super::story::Story;
use super::trail::{self, Delivered};
use super::truth::CtTruth;

pub struct CtPlan<'a> {
    pub seed: u64,
    pub first_day_ms: i64,
    pub days: u32,
    pub accounts: &'a [&'static str],
    pub regions: &'a [&'static str],
    /// Distinct CloudTrail events in total, planned ones included.
    pub events: u64,
    /// Security Lake 1.0 holds days `0..=v1_last`, 2.0 days `v2_first..`.
    pub v1_last: Option<u32>,
    pub v2_first: Option<u32>,
    pub specials: bool,
    pub story: Option<&'a Story>,
    /// (day, account, region, in-file region) of the 2.0 file whose
    /// `region` column disagrees with its path.
    pub mismatch: Option<(u32, &'static str, &'static str, &'static str)>,
    /// (day, account, region) whose first hour file is pretty-printed.
    pub pretty: Option<(u32, &'static str, &'static str)>,
    pub split_rows: u64,
    pub digests: bool,
}

type CellKey = (u32, usize, usize, u32);
type PartKey = (u32, usize, usize);

pub struct CtOutput {
    pub truth: CtTruth,
    pub parquet_files: Vec<String>,
    pub raw_files: Vec<String>,
}

fn planned_events(plan: &CtPlan) -> BTreeMap<CellKey, Vec<Record>> {
    let mut all = Vec::new();
    for d in 0..plan.days {
        let day_ms = plan.first_day_ms + i64::from(d) * DAY_MS;
        all.extend(daily::planned_for_day(
            plan.seed,
            d,
            day_ms,
            plan.accounts,
            plan.specials,
        ));
    }
    if let Some(story) = plan.story {
        all.extend(story.records.iter().cloned());
    }
    let mut map: BTreeMap<CellKey, Vec<Record>> = BTreeMap::new();
    for r in all {
        let day = (r.time_ms - plan.first_day_ms).div_euclid(DAY_MS);
        let a = plan.accounts.iter().position(|x| *x == r.recipient_account_id);
        let g = plan.regions.iter().position(|x| *x == r.aws_region);
        if let (Some(a), Some(g), true) = (a, g, (0..i64::from(plan.days)).contains(&day)) {
            let hour = (r.time_ms.rem_euclid(DAY_MS) / HOUR_MS) as u32;
            map.entry((day as u32, a, g, hour)).or_default().push(r);
        }
    }
    map
}

struct Sinks {
    files: Vec<(Staged, String)>,
    columns: &'static [(&'static str, &'static str)],
    per_file: u64,
    written: u64,
}

impl Sinks {
    fn new(
        pw: &mut ParquetWriter,
        plan: &CtPlan,
        version: &str,
        region: &str,
        account: &str,
        day_ms: i64,
        rows: u64,
    ) -> Result<Sinks, GenerateError> {
        let dir = parquet::partition_dir("CLOUD_TRAIL_MGMT", version, region, account, &ids::day_compact(day_ms));
        let parts = if rows > plan.split_rows { 2 } else { 1 };
        let mut files = Vec::new();
        for p in 0..parts {
            files.push((pw.stage()?, format!("{dir}/{}", parquet::file_name(plan.seed, &dir, p))));
        }
        let columns = if version == "1.0" {
            schemas::CLOUDTRAIL_V1
        } else {
            schemas::CLOUDTRAIL_V2
        };
        Ok(Sinks {
            files,
            columns,
            per_file: rows.div_ceil(parts as u64).max(1),
            written: 0,
        })
    }

    fn current(&mut self) -> &mut Staged {
        let i = ((self.written / self.per_file) as usize).min(self.files.len() - 1);
        self.written += 1;
        &mut self.files[i].0
    }

    fn finish(self, pw: &mut ParquetWriter, out: &mut Out, names: &mut Vec<String>) -> Result<(), GenerateError> {
        for (staged, rel) in self.files {
            if staged.rows > 0 {
                pw.finish(out, staged, self.columns, &rel)?;
                names.push(rel);
            }
        }
        Ok(())
    }
}

/// One partition's work: its background counts and planned events.
struct Job {
    key: PartKey,
    rows: u64,
    counts: [u64; 24],
    planned: BTreeMap<u32, Vec<Record>>,
}

/// What a worker produced.
struct Done {
    out: Out,
    truth: CtTruth,
    parquet: Vec<String>,
    raw: Vec<String>,
    delivered: BTreeMap<(u32, usize), Vec<Delivered>>,
}

fn run_partition(plan: &CtPlan, pw: &mut ParquetWriter, done: &mut Done, job: Job) -> Result<(), GenerateError> {
    let (d, a, g) = job.key;
    let (acct, region) = (plan.accounts[a], plan.regions[g]);
    let day_ms = plan.first_day_ms + i64::from(d) * DAY_MS;
    let mut v1 = match plan.v1_last {
        Some(last) if d <= last => Some(Sinks::new(pw, plan, "1.0", region, acct, day_ms, job.rows)?),
        _ => None,
    };
    let mut v2 = match plan.v2_first {
        Some(first) if d >= first => Some(Sinks::new(pw, plan, "2.0", region, acct, day_ms, job.rows)?),
        _ => None,
    };
    let file_region = plan
        .mismatch
        .filter(|m| m.0 == d && m.1 == acct && m.2 == region)
        .map(|m| m.3);
    let mut pretty = plan.pretty.is_some_and(|p| p.0 == d && p.1 == acct && p.2 == region);
    let roster = Roster::new(plan.seed, acct, region, day_ms);
    let mut planned = job.planned;
    for h in 0..24u32 {
        let mut evs = background::cell_events(plan.seed, &roster, day_ms, acct, region, h, job.counts[h as usize]);
        if let Some(p) = planned.remove(&h) {
            evs.extend(p);
        }
        if evs.is_empty() {
            continue;
        }
        evs.sort_by(|x, y| x.time_ms.cmp(&y.time_ms).then_with(|| x.event_id.cmp(&y.event_id)));
        let hour_ms = day_ms + i64::from(h) * HOUR_MS;
        let rel = trail::hour_file(plan.seed, acct, region, hour_ms);
        trail::write_records(&mut done.out, &rel, &evs, pretty)?;
        pretty = false;
        done.delivered.entry((d, a)).or_default().push(Delivered {
            rel: rel.clone(),
            oldest: evs.first().map_or(hour_ms, |r| r.time_ms),
            newest: evs.last().map_or(hour_ms, |r| r.time_ms),
        });
        done.raw.push(rel);
        for r in &evs {
            done.truth.add(r);
            if let Some(s) = v1.as_mut() {
                s.current().push(&v1_row(r))?;
            }
            if let Some(s) = v2.as_mut() {
                s.current().push(&v2_row(r, file_region))?;
            }
        }
    }
    if let Some(s) = v1 {
        s.finish(pw, &mut done.out, &mut done.parquet)?;
    }
    if let Some(s) = v2 {
        s.finish(pw, &mut done.out, &mut done.parquet)?;
    }
    Ok(())
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4)
}

pub fn write_cloudtrail(out: &mut Out, plan: &CtPlan, watched: &[&str]) -> Result<CtOutput, GenerateError> {
    let mut planned = planned_events(plan);
    let planned_total: u64 = planned.values().map(|v| v.len() as u64).sum();
    if plan.events < planned_total {
        return Err(GenerateError::Invalid(format!(
            "--events must be at least {planned_total} (the story and daily planned events need that many)"
        )));
    }
    // Background counts per cell: largest remainder over all cells, with a
    // seeded jitter so hours are not perfectly flat.
    let mut keys = Vec::new();
    let mut weights = Vec::new();
    for d in 0..plan.days {
        let day_ms = plan.first_day_ms + i64::from(d) * DAY_MS;
        for (a, acct) in plan.accounts.iter().enumerate() {
            for (g, region) in plan.regions.iter().enumerate() {
                for h in 0..24 {
                    keys.push((d, a, g, h));
                    weights.push(
                        background::cell_weight(day_ms, acct, region, h)
                            * background::cell_jitter(plan.seed, day_ms, acct, region, h),
                    );
                }
            }
        }
    }
    let counts = background::allocate(plan.events - planned_total, &weights);
    let mut jobs: BTreeMap<PartKey, Job> = BTreeMap::new();
    for ((d, a, g, h), n) in keys.into_iter().zip(counts) {
        let job = jobs.entry((d, a, g)).or_insert_with(|| Job {
            key: (d, a, g),
            rows: 0,
            counts: [0; 24],
            planned: BTreeMap::new(),
        });
        job.counts[h as usize] = n;
        job.rows += n;
        if let Some(p) = planned.remove(&(d, a, g, h)) {
            job.rows += p.len() as u64;
            job.planned.insert(h, p);
        }
    }
    // Largest partitions first, each to the least-loaded worker: a pure
    // function of the counts, not of timing.
    let mut order: Vec<Job> = jobs.into_values().filter(|j| j.rows > 0).collect();
    order.sort_by(|x, y| y.rows.cmp(&x.rows).then(x.key.cmp(&y.key)));
    let n = workers();
    let mut queues: Vec<Vec<Job>> = (0..n).map(|_| Vec::new()).collect();
    let mut load = vec![0u64; n];
    for job in order {
        let w = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
        load[w] += job.rows;
        queues[w].push(job);
    }

    let results: Vec<Result<Done, GenerateError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = queues
            .into_iter()
            .map(|queue| {
                let child = out.child();
                scope.spawn(move || -> Result<Done, GenerateError> {
                    let mut pw = ParquetWriter::new()?;
                    let mut done = Done {
                        out: child,
                        truth: CtTruth::new(watched),
                        parquet: Vec::new(),
                        raw: Vec::new(),
                        delivered: BTreeMap::new(),
                    };
                    for job in queue {
                        run_partition(plan, &mut pw, &mut done, job)?;
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(GenerateError::Invalid("a generator worker thread panicked".into())))
            })
            .collect()
    });

    let mut res = CtOutput {
        truth: CtTruth::new(watched),
        parquet_files: Vec::new(),
        raw_files: Vec::new(),
    };
    let mut delivered: BTreeMap<(u32, usize), Vec<Delivered>> = BTreeMap::new();
    for r in results {
        let done = r?;
        out.absorb(&done.out);
        res.truth.merge(done.truth);
        res.parquet_files.extend(done.parquet);
        res.raw_files.extend(done.raw);
        for (k, v) in done.delivered {
            delivered.entry(k).or_default().extend(v);
        }
    }
    res.parquet_files.sort();
    res.raw_files.sort();
    if plan.digests {
        for d in 0..plan.days {
            let day_ms = plan.first_day_ms + i64::from(d) * DAY_MS;
            for (a, acct) in plan.accounts.iter().enumerate() {
                let mut files = delivered.remove(&(d, a)).unwrap_or_default();
                files.sort_by(|x, y| x.rel.cmp(&y.rel));
                trail::write_digest(out, plan.seed, acct, day_ms, plan.first_day_ms, &files)?;
            }
        }
    }
    Ok(res)
}
