//! One day folder's trail files to one flat parquet entry.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::batch::{FlatBatch, flat_schema};
use super::choice::Cancel;
use super::error::ConvertError;
use super::file::{FileOutcome, read_file};
use super::record::Origin;
use crate::lake::cache::TrailGroup;
use crate::lake::model::FileProblem;

/// DuckDB's row group size, so that reading an entry behaves the same
/// whichever converter wrote it.
const ROW_GROUP_ROWS: usize = 122_880;
/// A row group is closed early past this many bytes: a folder of huge
/// records stays bounded in memory.
const ROW_GROUP_BYTES: usize = 128 * 1024 * 1024;
/// A file's rows are handed to the writer in batches of at most this many
/// bytes of text (a file is all-or-nothing, so they wait for its end).
const BATCH_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// What a parser hands the writer for one file.
type Parsed = (PathBuf, Result<RecordBatch, FileOutcome>);

/// Convert `folder` into a temporary parquet file at `tmp` with `parsers`
/// threads reading files and this thread writing; returns the files
/// converted and those set aside. Nothing is written to the lake.
pub fn write_folder(
    folder: &TrailGroup<'_>,
    tmp: &Path,
    cancel: &Cancel,
    parsers: usize,
) -> Result<(Vec<PathBuf>, Vec<FileProblem>), ConvertError> {
    let schema = flat_schema();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .build();
    let out = File::create(tmp).map_err(|source| ConvertError::Cache {
        path: tmp.to_path_buf(),
        source,
    })?;
    let parquet = |source| ConvertError::Parquet {
        path: tmp.to_path_buf(),
        source,
    };
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(parquet)?;
    let next = AtomicUsize::new(0);
    // Set when the writer gives up, so that the parsers stop too.
    let stop = AtomicBool::new(false);
    let mut good = Vec::new();
    let mut problems = Vec::new();
    let written = std::thread::scope(|scope| -> Result<(), ConvertError> {
        // One file waiting per parser at most: memory stays bounded.
        let (tx, rx) = mpsc::sync_channel::<Parsed>(parsers);
        for _ in 0..parsers.max(1) {
            let tx = tx.clone();
            let (next, stop, schema) = (&next, &stop, schema.clone());
            scope.spawn(move || parse_files(folder, next, cancel, stop, FlatBatch::new(schema), tx));
        }
        drop(tx);
        let result = (|| {
            for (path, parsed) in rx.iter() {
                match parsed {
                    Ok(rows) => {
                        write_in_slices(&mut writer, &rows).map_err(parquet)?;
                        good.push(path);
                    }
                    Err(FileOutcome::Cancelled) => return Err(ConvertError::Cancelled),
                    Err(FileOutcome::Bad(problem)) => problems.push(FileProblem { path, problem }),
                }
            }
            Ok(())
        })();
        if result.is_err() {
            stop.store(true, Ordering::SeqCst);
            // Unblock parsers waiting to send; they then see `stop`.
            for _ in rx.iter() {}
        }
        result
    });
    written?;
    if cancel.is_set() {
        return Err(ConvertError::Cancelled);
    }
    writer.close().map_err(parquet)?;
    Ok((good, problems))
}

/// A parser thread: take the folder's files one by one until none is left.
fn parse_files(
    folder: &TrailGroup<'_>,
    next: &AtomicUsize,
    cancel: &Cancel,
    stop: &AtomicBool,
    mut batch: FlatBatch,
    tx: mpsc::SyncSender<Parsed>,
) {
    let mut buf = Vec::new();
    let is_cancelled = || cancel.is_set() || stop.load(Ordering::Relaxed);
    while let Some(file) = folder.files.get(next.fetch_add(1, Ordering::Relaxed)) {
        let parsed = if is_cancelled() {
            Err(FileOutcome::Cancelled)
        } else {
            let source_file = file.path.to_string_lossy();
            let origin = Origin {
                account: folder.account,
                region: folder.region,
                label: folder.label,
                source_file: &source_file,
            };
            let read = read_file(&file.path, &origin, &mut batch, &mut buf, &is_cancelled);
            // Finishing also drops the part of a bad file read so far.
            match (read, batch.finish()) {
                (Ok(()), Ok(rows)) => Ok(rows),
                (Ok(()), Err(err)) => Err(FileOutcome::Bad(format!("{}: {err}", file.path.display()))),
                (Err(outcome), _) => Err(outcome),
            }
        };
        let last = matches!(parsed, Err(FileOutcome::Cancelled));
        if tx.send((file.path.clone(), parsed)).is_err() || last {
            return;
        }
        // A huge file's buffer is not kept for the next, small one.
        if buf.capacity() > 64 * 1024 * 1024 {
            buf = Vec::new();
        }
    }
}

/// Hand a file's rows to the writer in slices of bounded text size.
fn write_in_slices(writer: &mut ArrowWriter<File>, rows: &RecordBatch) -> parquet::errors::Result<()> {
    let bytes: usize = rows.get_array_memory_size();
    let slices = bytes.div_ceil(BATCH_TEXT_BYTES).max(1);
    let per = rows.num_rows().div_ceil(slices).max(1);
    let mut offset = 0;
    while offset < rows.num_rows() {
        let len = per.min(rows.num_rows() - offset);
        writer.write(&rows.slice(offset, len))?;
        offset += len;
    }
    Ok(())
}
