//! Sync an exact set of partitions (account, region, day) of one source:
//! the slice an Athena answer touched, brought home to go on offline.

use std::path::Path;

use super::{ClientOptions, Filter, Mirror, Observer, SyncError, SyncOptions, SyncReport, client, plan};

/// One partition of a source: account, region and day (`YYYYMMDD`).
pub type Partition = (String, String, u32);

/// Fetch the partitions of `source` in the bucket at `url` into `dest`
/// (with its manifest), one partition at a time: a filter is a cross
/// product of accounts, regions and days, which would fetch partitions
/// nobody asked for.
pub fn sync_partitions(
    url: &str,
    dest: &Path,
    source: &str,
    partitions: &[Partition],
    clients: &ClientOptions,
    observer: &dyn Observer,
) -> Result<SyncReport, SyncError> {
    let (bucket, root) = plan::parse_s3_url(url)?;
    let options = SyncOptions {
        bucket,
        root,
        dest: dest.to_path_buf(),
        filter: Filter::default(),
        delete: false,
        jobs: 16,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| SyncError::Task(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let config = client::load(clients).await;
        let mut mirror = Mirror::open(options, client::s3(&config, clients))?;
        let mut total = SyncReport::default();
        for (account, region, day) in partitions {
            mirror.options.filter = Filter {
                sources: vec![source.to_string()],
                accounts: vec![account.clone()],
                regions: vec![region.clone()],
                from_day: Some(*day),
                to_day: Some(*day),
            };
            let report = mirror.sync(observer).await?;
            total.listed.objects += report.listed.objects;
            total.listed.bytes += report.listed.bytes;
            total.listed.list_requests += report.listed.list_requests;
            total.fetched += report.fetched;
            total.fetched_bytes += report.fetched_bytes;
            total.unchanged += report.unchanged;
            total.failed += report.failed;
            total.refused.extend(report.refused);
        }
        Ok(total)
    })
}

/// Progress nobody watches (the workbench says the outcome when done).
pub struct Quiet;

impl Observer for Quiet {
    fn planned(&self, _listed: &super::Listed) {}
    fn fetched(&self, _key: &str, _bytes: u64) {}
    fn failed(&self, _key: &str, _error: &SyncError) {}
    fn note(&self, _message: &str) {}
}
