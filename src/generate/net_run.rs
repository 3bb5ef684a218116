//! What every network source writer needs (flows, DNS, WAF, findings): the
//! output, the parquet writer, the lake's days, the story and its network
//! times, and the truth being counted.

use super::fsutil::Out;
use super::net_times::NetTimes;
use super::net_truth::NetTruth;
use super::parquet::ParquetWriter;
use super::story::Story;

pub struct NetRun<'a> {
    pub out: &'a mut Out,
    pub pw: &'a mut ParquetWriter,
    pub seed: u64,
    pub first_day_ms: i64,
    pub days: u32,
    pub story: &'a Story,
    pub at: &'a NetTimes,
    pub net: &'a mut NetTruth,
}
