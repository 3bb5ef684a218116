//! One day folder's trail files to one flat parquet entry.

use std::fs::File;
use std::path::{Path, PathBuf};

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

/// Convert `folder` into a temporary parquet file at `tmp`; returns the
/// files converted and those set aside. Nothing is written to the lake.
pub fn write_folder(
    folder: &TrailGroup<'_>,
    tmp: &Path,
    cancel: &Cancel,
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
    let mut batch = FlatBatch::new(schema);
    let mut buf = Vec::new();
    let mut good = Vec::new();
    let mut problems = Vec::new();
    let is_cancelled = || cancel.is_set();
    for file in &folder.files {
        if cancel.is_set() {
            return Err(ConvertError::Cancelled);
        }
        let source_file = file.path.to_string_lossy();
        let origin = Origin {
            account: folder.account,
            region: folder.region,
            label: folder.label,
            source_file: &source_file,
        };
        match read_file(&file.path, &origin, &mut batch, &mut buf, &is_cancelled) {
            Ok(()) => {
                good.push(file.path.clone());
                let rows = batch.finish()?;
                write_in_slices(&mut writer, &rows).map_err(parquet)?;
            }
            Err(FileOutcome::Cancelled) => return Err(ConvertError::Cancelled),
            Err(FileOutcome::Bad(problem)) => {
                // Drop the part of the file read so far.
                batch.finish()?;
                problems.push(FileProblem {
                    path: file.path.clone(),
                    problem,
                });
            }
        }
        // A huge file's buffer is not kept for the next, small one.
        if buf.capacity() > 64 * 1024 * 1024 {
            buf = Vec::new();
        }
    }
    writer.close().map_err(parquet)?;
    Ok((good, problems))
}

/// Hand a file's rows to the writer in slices of bounded text size.
fn write_in_slices(
    writer: &mut ArrowWriter<File>,
    rows: &arrow::record_batch::RecordBatch,
) -> parquet::errors::Result<()> {
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
