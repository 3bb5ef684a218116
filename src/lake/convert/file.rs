//! One trail file: gunzip, parse, and push its records to a batch.

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeSeed;

use super::batch::FlatBatch;
use super::record::{CANCELLED, DocumentSeed, Origin, RecordsSeed};

/// Why a file was not converted.
pub enum FileOutcome {
    /// The file cannot be read as a trail file: set it aside with this reason.
    Bad(String),
    Cancelled,
}

/// Decompress `path` into `buf` (cleared first). Trail files are gzip; a
/// file of several gzip members is read whole, as DuckDB does.
fn inflate(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    let file = std::fs::File::open(path)?;
    let mut decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(256 * 1024, file));
    decoder.read_to_end(buf)?;
    Ok(())
}

/// Push every record of the file at `path` to `batch`. On error the batch
/// holds part of the file: the caller discards it.
pub fn read_file(
    path: &Path,
    origin: &Origin<'_>,
    batch: &mut FlatBatch,
    buf: &mut Vec<u8>,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), FileOutcome> {
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let read = if gz {
        inflate(path, buf)
    } else {
        buf.clear();
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(buf).map(|_| ()))
    };
    if let Err(err) = read {
        let what = if gz { "cannot decompress" } else { "cannot read" };
        return Err(FileOutcome::Bad(format!("{what} {}: {err}", path.display())));
    }
    if cancelled() {
        return Err(FileOutcome::Cancelled);
    }
    let mut de = serde_json::Deserializer::from_slice(buf);
    // A file may hold several documents one after another (as DuckDB's
    // reader allows); `end` fails while anything but whitespace is left.
    while de.end().is_err() {
        let seed = DocumentSeed {
            records: RecordsSeed {
                origin,
                batch: &mut *batch,
                cancelled,
            },
        };
        if let Err(err) = seed.deserialize(&mut de) {
            if err.to_string().starts_with(CANCELLED) {
                return Err(FileOutcome::Cancelled);
            }
            return Err(FileOutcome::Bad(format!(
                "invalid CloudTrail JSON in {}: {err}",
                path.display()
            )));
        }
    }
    Ok(())
}
