//! When the network side of the story happens on 2024-05-05, relative to the
//! CloudTrail story so that the sources tell one consistent sequence:
//! port scan → GuardDuty recon finding → first use of the new IP →
//! GuardDuty → bucket policy → C2 lookup → exfiltration → web scan.

use super::ids::HOUR_MS;
use super::story::Story;

const MIN: i64 = 60_000;

pub struct NetTimes {
    pub inspector: i64,
    pub guardduty: i64,
    pub c2_query: i64,
    pub exfil_start: i64,
    /// Aggregation window of the exfiltration flow records (the 10-minute maximum).
    pub exfil_window: i64,
    pub exfil_windows: i64,
    pub scan_start: i64,
    pub web_scan_start: i64,
    pub recon_finding: i64,
}

pub fn times(story: &Story) -> NetTimes {
    let day = story.day_ms;
    let first_use = story.records.first().map_or(day, |r| r.time_ms);
    let c2_query = story.bucket_event.1 + 3 * MIN + 12_000;
    NetTimes {
        // Inspector found the vulnerable package before the intrusion.
        inspector: day + 47 * MIN + 12_000,
        guardduty: first_use + 17 * MIN + 43_000,
        c2_query,
        exfil_start: c2_query + 2 * MIN + 48_000,
        exfil_window: 10 * MIN,
        exfil_windows: 5,
        // Before the security group opened port 22 (02:27), so every probe is rejected.
        scan_start: day + HOUR_MS + 41 * MIN + 5_000,
        web_scan_start: day + 3 * HOUR_MS + 47 * MIN + 30_000,
        recon_finding: day + HOUR_MS + 58 * MIN + 14_000,
    }
}
