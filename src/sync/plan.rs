//! Which prefixes of a bucket a sync lists, decided from key segments alone.
//!
//! Pure functions: the listing walks folders with a `/` delimiter and asks
//! [`step`] at each one whether to prune it, descend into it, or list all
//! below it in one go (once no filter is left that a deeper level could
//! apply). Follow mode and `--delete` ask [`selects`] the same question of
//! one key, so the three agree on what is in scope.

use std::path::PathBuf;

use super::error::SyncError;

/// What the user asked to mirror. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Security Lake source (`CLOUD_TRAIL_MGMT`, an `ext/` name) or trail
    /// folder (`CloudTrail`, `CloudTrail-Digest`, `Config`); case-insensitive.
    pub sources: Vec<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Inclusive UTC days as `YYYYMMDD` numbers.
    pub from_day: Option<u32>,
    pub to_day: Option<u32>,
}

/// What to do with a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Out of scope: never listed.
    Skip,
    /// List its direct children (a filter still applies further down).
    Descend,
    /// Everything below is in scope: list it recursively.
    All,
}

/// Which filters the path walked so far has already applied.
#[derive(Default)]
struct Seen {
    source: bool,
    account: bool,
    region: bool,
    day: bool,
}

impl Filter {
    fn source_ok(&self, name: &str) -> bool {
        self.sources.is_empty() || self.sources.iter().any(|s| s.eq_ignore_ascii_case(name))
    }
    fn account_ok(&self, id: &str) -> bool {
        self.accounts.is_empty() || self.accounts.iter().any(|a| a == id)
    }
    fn region_ok(&self, region: &str) -> bool {
        self.regions.is_empty() || self.regions.iter().any(|r| r == region)
    }
    fn has_days(&self) -> bool {
        self.from_day.is_some() || self.to_day.is_some()
    }
    fn day_ok(&self, day: u32) -> bool {
        self.from_day.is_none_or(|f| day >= f) && self.to_day.is_none_or(|t| day <= t)
    }
    /// A year or month overlaps the range: compare at that precision.
    fn overlaps(&self, value: u32, divisor: u32) -> bool {
        self.from_day.is_none_or(|f| value >= f / divisor) && self.to_day.is_none_or(|t| value <= t / divisor)
    }
    fn descend_or_all(&self, seen: &Seen) -> Step {
        let pending = (!self.sources.is_empty() && !seen.source)
            || (!self.accounts.is_empty() && !seen.account)
            || (!self.regions.is_empty() && !seen.region)
            || (self.has_days() && !seen.day);
        if pending { Step::Descend } else { Step::All }
    }
}

/// The step for a folder given as its segments relative to the lake root.
pub fn step(folder: &[&str], filter: &Filter) -> Step {
    match folder.split_first() {
        None => Step::Descend,
        Some((&"aws" | &"ext", rest)) => security_lake(rest, filter),
        Some((&"AWSLogs", rest)) => trail(rest, filter),
        // TRUTH.json, exports and anything else beside the lake layouts.
        Some(_) => Step::Skip,
    }
}

/// `aws|ext / SOURCE / [VER /] region= / accountId= / eventDay= /`
fn security_lake(rest: &[&str], filter: &Filter) -> Step {
    let mut seen = Seen::default();
    let Some((source, below)) = rest.split_first() else {
        return filter.descend_or_all(&seen);
    };
    if !filter.source_ok(source) {
        return Step::Skip;
    }
    seen.source = true;
    for segment in below {
        match segment.split_once('=') {
            Some(("region", region)) => {
                if !filter.region_ok(region) {
                    return Step::Skip;
                }
                seen.region = true;
            }
            Some(("accountId", account)) => {
                if !filter.account_ok(account) {
                    return Step::Skip;
                }
                seen.account = true;
            }
            Some(("eventDay", day)) => {
                match parse_compact_day(day) {
                    Some(day) if filter.day_ok(day) => {}
                    None if !filter.has_days() => {}
                    _ => return Step::Skip,
                }
                seen.day = true;
            }
            // Iceberg table metadata belongs to the source, not to a partition.
            None if *segment == "metadata" => return Step::All,
            _ => {}
        }
    }
    filter.descend_or_all(&seen)
}

/// `AWSLogs / [o-ORG /] ACCOUNT / SERVICE / REGION / YYYY / M[M] / D[D] /`
fn trail(rest: &[&str], filter: &Filter) -> Step {
    let mut seen = Seen::default();
    let rest = match rest.split_first() {
        Some((org, below)) if org.starts_with("o-") => below,
        _ => rest,
    };
    let Some((account, rest)) = rest.split_first() else {
        return filter.descend_or_all(&seen);
    };
    if !is_account(account) || !filter.account_ok(account) {
        return Step::Skip;
    }
    seen.account = true;
    let mut rest = rest.iter();
    if let Some(service) = rest.next() {
        if !filter.source_ok(service) {
            return Step::Skip;
        }
        seen.source = true;
    }
    if let Some(region) = rest.next() {
        if !filter.region_ok(region) {
            return Step::Skip;
        }
        seen.region = true;
    }
    let date: Vec<Option<u32>> = rest.take(3).map(|s| s.parse::<u32>().ok()).collect();
    if filter.has_days() && !date.is_empty() {
        let ok = match date.as_slice() {
            [Some(y)] => filter.overlaps(*y, 10_000),
            [Some(y), Some(m)] => filter.overlaps(y * 100 + m, 100),
            [Some(y), Some(m), Some(d)] => {
                seen.day = true;
                filter.day_ok(y * 10_000 + m * 100 + d)
            }
            _ => false,
        };
        if !ok {
            return Step::Skip;
        }
    }
    filter.descend_or_all(&seen)
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Objects lying directly in a listed folder (not in a partition below it),
/// such as `AWSLogs/<acct>/Config/ConfigWritabilityCheckFile`, are kept from
/// inside a source or an account on; at the root and the top folders they are
/// not lake files.
pub fn keep_loose(folder: &[&str]) -> bool {
    folder.len() >= 2
}

/// Whether the sync would fetch this key (relative to the lake root).
pub fn selects(relative_key: &str, filter: &Filter) -> bool {
    let segments: Vec<&str> = relative_key.split('/').collect();
    let Some((_, folders)) = segments.split_last() else {
        return false;
    };
    for depth in 1..=folders.len() {
        match step(&folders[..depth], filter) {
            Step::Skip => return false,
            Step::All => return true,
            Step::Descend => {}
        }
    }
    keep_loose(folders)
}

/// The local path (relative to the sync directory) for a key relative to the
/// lake root, or `None` for a key that could escape the directory or hide in
/// lakescope's own state folder.
pub fn local_relative_path(relative_key: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for (i, segment) in relative_key.split('/').enumerate() {
        let bad = segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains('\0')
            || (i == 0 && segment.starts_with('.'));
        if bad {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// `s3://bucket[/prefix]` → bucket and a prefix that is empty or ends in `/`.
pub fn parse_s3_url(url: &str) -> Result<(String, String), SyncError> {
    let bad = || SyncError::Usage(format!("{url:?} is not an s3://BUCKET[/PREFIX] address"));
    let rest = url.strip_prefix("s3://").ok_or_else(bad)?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad());
    }
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    Ok((bucket.to_string(), prefix))
}

/// A day as `2024-05-01` or `20240501` → `20240501`.
pub fn parse_day(text: &str) -> Result<u32, SyncError> {
    let compact: String = text.chars().filter(|c| *c != '-').collect();
    chrono::NaiveDate::parse_from_str(&compact, "%Y%m%d")
        .ok()
        .and_then(|_| compact.parse().ok())
        .ok_or_else(|| SyncError::Usage(format!("{text:?} is not a day like 2024-05-01")))
}

fn parse_compact_day(text: &str) -> Option<u32> {
    if text.len() == 8 { text.parse().ok() } else { None }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
