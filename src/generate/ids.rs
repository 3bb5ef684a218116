//! Deterministic primitives: a 128-bit hash, seeded RNG streams, identifier
//! formats and UTC time formatting. Nothing here reads the clock or depends on
//! hash-map order, so the same inputs always give the same bytes.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// FNV-1a over 128 bits: small, stable across platforms and Rust versions
/// (unlike `DefaultHasher`), good enough to name files and derive seeds.
pub fn hash128(parts: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        // A separator byte keeps ("ab","c") and ("a","bc") apart.
        let sep: &[u8] = if i == 0 { b"" } else { b"\x1f" };
        for b in sep.iter().chain(part.as_bytes()) {
            h ^= u128::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    }
    // Final avalanche so that similar labels differ in every nibble.
    let mut x = h;
    x ^= x >> 67;
    x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
    x ^= x >> 59;
    x
}

/// An independent ChaCha8 stream per purpose, so any partition can be
/// generated without generating the ones before it.
pub fn rng_for(seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let seed_text = seed.to_string();
    let mut all: Vec<&str> = Vec::with_capacity(parts.len() + 1);
    all.push(&seed_text);
    all.extend_from_slice(parts);
    let a = hash128(&all);
    all.push("second-half");
    let b = hash128(&all);
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(&a.to_le_bytes());
    bytes[16..].copy_from_slice(&b.to_le_bytes());
    ChaCha8Rng::from_seed(bytes)
}

/// Small helpers on top of `next_u64` only, so the output does not depend on
/// how a `rand` release implements its range sampling.
pub trait Draw {
    fn below(&mut self, n: u64) -> u64;
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = items.len().max(1) as u64;
        &items[(self.below(n) as usize).min(items.len().saturating_sub(1))]
    }
    /// Index chosen with integer weights (all-zero weights pick index 0).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    fn uuid(&mut self) -> String;
    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| char::from(*self.pick(alphabet))).collect()
    }
}

impl<R: RngCore> Draw for R {
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    fn uuid(&mut self) -> String {
        let v = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid_from(v)
    }
}

/// Version-4-looking UUID text from 128 bits.
pub fn uuid_from(v: u128) -> String {
    let v = (v & !(0xf000u128 << 64)) | (0x4000u128 << 64); // version nibble
    let v = (v & !(0xc000u128 << 48)) | (0x8000u128 << 48); // variant bits
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Deterministic identifier from a label: `prefix` + `n` chars of `alphabet`.
pub fn label_id(seed: u64, label: &str, prefix: &str, alphabet: &[u8], n: usize) -> String {
    let mut rng = rng_for(seed, &["label-id", label]);
    format!("{prefix}{}", rng.chars(alphabet, n))
}

pub fn access_key(seed: u64, label: &str, temporary: bool) -> String {
    let prefix = if temporary { "ASIA" } else { "AKIA" };
    label_id(seed, label, prefix, KEY_ALPHABET, 16)
}

pub fn label_uuid(seed: u64, label: &str) -> String {
    uuid_from(hash128(&[&seed.to_string(), "uuid", label]))
}

pub fn hex32(parts: &[&str]) -> String {
    format!("{:032x}", hash128(parts))
}

// ---------------------------------------------------------------------------
// Time: epoch milliseconds <-> civil UTC, without a time-zone database.
// ---------------------------------------------------------------------------

pub const DAY_MS: i64 = 86_400_000;
pub const HOUR_MS: i64 = 3_600_000;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Broken-down UTC time of an epoch-millisecond instant.
#[derive(Clone, Copy, Debug)]
pub struct Civil {
    pub y: i64,
    pub mo: u32,
    pub d: u32,
    pub h: u32,
    pub mi: u32,
    pub s: u32,
    pub ms: u32,
}

pub fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, mo, d) = civil_from_days(days);
    Civil {
        y,
        mo,
        d,
        h: (rem / HOUR_MS) as u32,
        mi: ((rem / 60_000) % 60) as u32,
        s: ((rem / 1000) % 60) as u32,
        ms: (rem % 1000) as u32,
    }
}

/// `2024-05-05T02:13:07Z` (CloudTrail eventTime, TRUTH times).
pub fn iso_s(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.y, c.mo, c.d, c.h, c.mi, c.s)
}

/// `2024-05-05T02:28:26.000Z` (Config S3 spelling).
pub fn iso_ms(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms
    )
}

/// `2024-05-05 02:28:26.000` (DuckDB TIMESTAMP literal, CloudTrail Lake spelling).
pub fn sql_ts(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms
    )
}

/// `2024-05-05`.
pub fn day_iso(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}-{:02}-{:02}", c.y, c.mo, c.d)
}

/// `20240505` (Security Lake `eventDay=`).
pub fn day_compact(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}{:02}{:02}", c.y, c.mo, c.d)
}

/// `20240505T0300Z` / with seconds `20240505T030000Z`.
pub fn stamp_min(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}{:02}{:02}T{:02}{:02}Z", c.y, c.mo, c.d, c.h, c.mi)
}

pub fn stamp_sec(ms: i64) -> String {
    let c = civil(ms);
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", c.y, c.mo, c.d, c.h, c.mi, c.s)
}

/// `May 5, 2024, 3:20:15 AM` (the STS `expiration` spelling in CloudTrail).
pub fn sts_time(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = civil(ms);
    let (h12, ampm) = match c.h {
        0 => (12, "AM"),
        1..=11 => (c.h, "AM"),
        12 => (12, "PM"),
        _ => (c.h - 12, "PM"),
    };
    let month = MONTHS[(c.mo as usize).saturating_sub(1).min(11)];
    format!("{month} {}, {}, {h12}:{:02}:{:02} {ampm}", c.d, c.y, c.mi, c.s)
}

/// Epoch ms of a UTC wall-clock time.
pub fn at(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * DAY_MS + i64::from(h) * HOUR_MS + i64::from(mi) * 60_000 + i64::from(s) * 1000
}

/// Day of week, 0 = Monday.
pub fn weekday(ms: i64) -> u32 {
    (ms.div_euclid(DAY_MS) + 3).rem_euclid(7) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        let t = at(2024, 5, 5, 2, 13, 7);
        assert_eq!(iso_s(t), "2024-05-05T02:13:07Z");
        assert_eq!(day_compact(t), "20240505");
        assert_eq!(stamp_min(t), "20240505T0213Z");
        assert_eq!(sts_time(t), "May 5, 2024, 2:13:07 AM");
        assert_eq!(weekday(t), 6); // Sunday
        assert_eq!(at(2024, 5, 1, 0, 0, 0), 1_714_521_600_000);
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_from(u128::MAX);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
