//! `lakescope sync` and `lakescope verify`: the command-line side of
//! [`crate::sync`], with a progress bar on a terminal and plain lines
//! otherwise.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::lake::{Lake, LakeError, prepare};
use crate::sync::slice::{self, Partition};
use crate::sync::{ClientOptions, Filter, Listed, Mirror, Observer, SyncError, SyncOptions, client, plan};

/// Mirror a bucket (or its part the filters select) into a local lake directory
#[derive(Debug, clap::Args)]
#[command(
    after_help = "--account, --region and --from (a day) filter partitions too. Only aws/, ext/ and AWSLogs/ \
under the prefix are mirrored. Credentials and the AWS region come from the standard AWS chain \
(environment, profile, SSO cache, instance role)."
)]
pub struct SyncArgs {
    /// The bucket and the lake root in it
    #[arg(value_name = "s3://BUCKET[/PREFIX]")]
    pub url: String,
    /// Local directory to create or update (the lake copy)
    // `--to DIR`, its old spelling, still works (hidden): it has the id of
    // the global `--to TIME`, which clap then leaves out of this command.
    #[arg(long = "into", id = "to", alias = "to", value_name = "DIR")]
    pub dest: String,
    /// Only these sources: CLOUD_TRAIL_MGMT, an ext/ name, CloudTrail, Config… (repeat or comma-separate)
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    pub source: Vec<String>,
    /// Up to this day, included (2024-05-07)
    #[arg(long, value_name = "DAY")]
    pub to_day: Option<String>,
    /// An S3/SQS-compatible endpoint instead of AWS
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// AWS profile (else AWS_PROFILE or default)
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// Delete local files fetched earlier whose objects are gone
    #[arg(long)]
    pub delete: bool,
    /// Parallel requests at most
    #[arg(long, default_value_t = 16)]
    pub jobs: usize,
    /// After the sync, fetch new objects announced on --sqs-queue until stopped
    #[arg(long, requires = "sqs_queue")]
    pub follow: bool,
    /// SQS queue URL receiving S3 notifications (direct or through SNS)
    #[arg(long, value_name = "URL")]
    pub sqs_queue: Option<String>,
    /// Do not index what was fetched (by default the copy is indexed like `lakescope index`,
    /// and each batch --follow fetches is added to the event store, so the lake opens warm)
    #[arg(long)]
    pub no_index: bool,
}

/// Run `sync`. `accounts`, `regions` and `from` are the global filters.
pub fn run_sync(args: &SyncArgs, accounts: &[String], regions: &[String], from: Option<&str>) -> Result<()> {
    let (bucket, root) = plan::parse_s3_url(&args.url)?;
    let filter = Filter {
        sources: args.source.clone(),
        accounts: accounts.to_vec(),
        regions: regions.to_vec(),
        from_day: from.map(plan::parse_day).transpose()?,
        to_day: args.to_day.as_deref().map(plan::parse_day).transpose()?,
    };
    let options = SyncOptions {
        bucket,
        root,
        dest: PathBuf::from(&args.dest),
        filter,
        delete: args.delete,
        jobs: args.jobs,
    };
    let clients = ClientOptions {
        endpoint_url: args.endpoint_url.clone(),
        profile: args.profile.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let config = client::load(&clients).await;
        let s3 = client::s3(&config, &clients);
        let mut mirror = Mirror::open(options, s3)?;
        let observer = Progress::default();
        let report = mirror.sync(&observer).await?;
        observer.finish();
        println!(
            "synced s3://{}/{} to {}: {} objects ({} bytes) in scope, {} fetched ({} bytes), {} unchanged, {} failed, {} deleted, {} list requests",
            mirror.options.bucket,
            mirror.options.root,
            mirror.options.dest.display(),
            report.listed.objects,
            report.listed.bytes,
            report.fetched,
            report.fetched_bytes,
            report.unchanged,
            report.failed,
            report.deleted,
            report.listed.list_requests,
        );
        let _ = std::io::stdout().flush();
        if report.failed > 0 {
            bail!("{} object(s) could not be fetched; run sync again to retry", report.failed);
        }
        if !args.no_index {
            index(&mirror.options.dest, true)?;
        }
        if let (true, Some(queue)) = (args.follow, &args.sqs_queue) {
            let sqs = client::sqs(&config);
            let lines = Lines {
                every_object: true,
                index_into: (!args.no_index).then(|| mirror.options.dest.clone()),
                ..Lines::default()
            };
            mirror.follow(&sqs, queue, &lines).await?;
        }
        Ok(())
    })
}

/// Sync these partitions (account, region, `YYYYMMDD`) of one source from
/// `url` into `dest`, then index the copy: an Athena answer brought home.
pub fn sync_partitions(
    url: &str,
    dest: &Path,
    source: &str,
    partitions: &[Partition],
    clients: &ClientOptions,
) -> Result<crate::sync::SyncReport> {
    let total = slice::sync_partitions(url, dest, source, partitions, clients, &Lines::default())?;
    if total.failed > 0 {
        bail!("{} object(s) could not be fetched; run it again to retry", total.failed);
    }
    index(dest, true)?;
    Ok(total)
}

/// Run `verify`: exit status 1 when anything differs.
pub fn run_verify(dir: &Path, out: &mut dyn Write) -> Result<()> {
    let report = crate::sync::verify(dir)?;
    for difference in &report.differences {
        writeln!(
            out,
            "{}: {}",
            crate::text::sanitize(&difference.path),
            difference.problem
        )?;
    }
    if !report.differences.is_empty() {
        bail!(
            "{} difference(s) between {} and its manifest ({} files listed)",
            report.differences.len(),
            dir.display(),
            report.checked
        );
    }
    writeln!(out, "{} files match the manifest", report.checked)?;
    Ok(())
}

/// Timestamped lines on stderr (follow mode, and sync when not on a terminal).
#[derive(Default)]
struct Lines {
    /// A line for every object (follow mode), else one every two seconds.
    every_object: bool,
    /// Index each batch fetched into the event store of this lake copy.
    index_into: Option<PathBuf>,
    state: Mutex<(usize, u64, Option<Instant>)>,
}

fn stamp() -> String {
    chrono::Utc::now().format("%H:%M:%SZ").to_string()
}

impl Observer for Lines {
    fn planned(&self, listed: &Listed) {
        eprintln!(
            "{} listed {} objects ({} bytes) with {} requests; {} to fetch ({} bytes)",
            stamp(),
            listed.objects,
            listed.bytes,
            listed.list_requests,
            listed.to_fetch,
            listed.to_fetch_bytes
        );
    }
    fn fetched(&self, key: &str, bytes: u64) {
        let Ok(mut state) = self.state.lock() else { return };
        state.0 += 1;
        state.1 += bytes;
        let due = self.every_object || state.2.is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        if due {
            state.2 = Some(Instant::now());
            eprintln!(
                "{} fetched {} objects ({} bytes), last {}",
                stamp(),
                state.0,
                state.1,
                crate::text::sanitize(key)
            );
        }
    }
    fn failed(&self, key: &str, error: &SyncError) {
        eprintln!(
            "{} failed {}: {}",
            stamp(),
            crate::text::sanitize(key),
            crate::text::sanitize(&error.to_string())
        );
    }
    fn note(&self, message: &str) {
        eprintln!("{} {}", stamp(), crate::text::sanitize(message));
    }
    fn batch_fetched(&self, _objects: usize) {
        if let Some(dest) = &self.index_into
            && let Err(err) = index(dest, false)
        {
            eprintln!("{} cannot index the new files: {err:#}", stamp());
        }
    }
}

/// Index the lake copy at `dest` (only what changed is written): the event
/// store, and with `flows` the flow index too (a pass over every flow, too
/// long to repeat for each batch a follow fetches).
fn index(dest: &Path, flows: bool) -> Result<()> {
    let started = Instant::now();
    let lake = match Lake::open(dest) {
        Ok(lake) => lake,
        // Nothing fetched yet (an empty bucket, a follow that waits).
        Err(LakeError::Empty { .. } | LakeError::NotALake { .. }) => return Ok(()),
        Err(err) => return Err(err).with_context(|| format!("cannot open the synced lake at {}", dest.display())),
    };
    let session = lake.session()?;
    let progress = super::progress::ConversionProgress::start(&lake);
    let indexed = match flows {
        true => prepare::index(&session),
        false => prepare::index_events(&session),
    }
    .with_context(|| format!("cannot index {}", dest.display()))?;
    drop(progress);
    eprintln!(
        "{} indexed {} files in {:.1}s: event store {}, flow index {}{}",
        stamp(),
        indexed.files,
        started.elapsed().as_secs_f32(),
        if indexed.event_store {
            "written"
        } else {
            "not written (no cache dir)"
        },
        match (flows, indexed.flow_index) {
            (false, _) => "left for `lakescope index`",
            (true, true) => "written",
            (true, false) => "none",
        },
        match indexed.set_aside.len() {
            0 => String::new(),
            n => format!(", {n} unreadable file(s) set aside (`lakescope check` lists them)"),
        }
    );
    Ok(())
}

/// A progress bar (objects, bytes, rate, ETA) on a terminal, else [`Lines`].
#[derive(Default)]
struct Progress {
    /// Set once the listing tells the totals.
    bar: OnceLock<ProgressBar>,
    lines: Lines,
    /// Objects fetched, objects to fetch.
    objects: Mutex<(usize, usize)>,
}

impl Progress {
    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn planned(&self, listed: &Listed) {
        self.lines.planned(listed);
        if let Ok(mut objects) = self.objects.lock() {
            objects.1 = listed.to_fetch;
        }
        if std::io::stderr().is_terminal() && listed.to_fetch > 0 {
            let bar = ProgressBar::new(listed.to_fetch_bytes);
            if let Ok(style) =
                ProgressStyle::with_template("[{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(format!("0/{} objects", listed.to_fetch));
            let _ = self.bar.set(bar);
        }
    }
    fn fetched(&self, key: &str, bytes: u64) {
        let Some(bar) = self.bar.get() else {
            return self.lines.fetched(key, bytes);
        };
        bar.inc(bytes);
        if let Ok(mut objects) = self.objects.lock() {
            objects.0 += 1;
            bar.set_message(format!("{}/{} objects", objects.0, objects.1));
        }
    }
    fn failed(&self, key: &str, error: &SyncError) {
        match self.bar.get() {
            Some(bar) => bar.suspend(|| self.lines.failed(key, error)),
            None => self.lines.failed(key, error),
        }
    }
    fn note(&self, message: &str) {
        match self.bar.get() {
            Some(bar) => bar.suspend(|| self.lines.note(message)),
            None => self.lines.note(message),
        }
    }
}
