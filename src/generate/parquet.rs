//! Parquet output through DuckDB: rows are staged as NDJSON outside the
//! lake, then `COPY (SELECT * FROM read_json(..., columns = {exact DDL}))`
//! writes one gzip-compressed Parquet file. One thread and insertion order
//! keep the bytes reproducible.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use duckdb::Connection;
use serde::Serialize;

use super::fsutil::{Out, Scratch, io_err};
use super::options::GenerateError;
use super::schemas;

fn db_err(context: String, source: duckdb::Error) -> GenerateError {
    GenerateError::DuckDb { context, source }
}

pub fn sql_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub fn open_db() -> Result<Connection, GenerateError> {
    let conn = Connection::open_in_memory().map_err(|e| db_err("opening DuckDB".into(), e))?;
    conn.execute_batch(
        "SET threads = 1; SET preserve_insertion_order = true; \
         SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;",
    )
    .map_err(|e| db_err("configuring DuckDB".into(), e))?;
    Ok(conn)
}

pub struct ParquetWriter {
    conn: Connection,
    scratch: Scratch,
    counter: u64,
}

/// NDJSON rows waiting to become one Parquet file.
pub struct Staged {
    path: PathBuf,
    file: BufWriter<File>,
    pub rows: u64,
}

impl Staged {
    pub fn push<T: Serialize>(&mut self, row: &T) -> Result<(), GenerateError> {
        serde_json::to_writer(&mut self.file, row).map_err(|e| GenerateError::Json {
            path: self.path.clone(),
            source: e,
        })?;
        self.file.write_all(b"\n").map_err(|e| io_err(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }
}

impl ParquetWriter {
    pub fn new() -> Result<ParquetWriter, GenerateError> {
        Ok(ParquetWriter {
            conn: open_db()?,
            scratch: Scratch::new("gen")?,
            counter: 0,
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn stage(&mut self) -> Result<Staged, GenerateError> {
        self.counter += 1;
        let path = self.scratch.dir.join(format!("rows-{}.ndjson", self.counter));
        let file = File::create(&path).map_err(|e| io_err(&path, e))?;
        Ok(Staged {
            path,
            file: BufWriter::with_capacity(1 << 20, file),
            rows: 0,
        })
    }

    /// Writes the staged rows to `rel` (relative to the lake root) and
    /// removes the staging file.
    pub fn finish(
        &mut self,
        out: &mut Out,
        staged: Staged,
        columns: &[(&str, &str)],
        rel: &str,
    ) -> Result<(), GenerateError> {
        let Staged { path, mut file, .. } = staged;
        file.flush().map_err(|e| io_err(&path, e))?;
        drop(file);
        let target = out.prepare(rel)?;
        self.copy(&path, columns, &target)?;
        let _ = std::fs::remove_file(&path);
        out.account(&target)?;
        Ok(())
    }

    pub fn copy(&self, ndjson: &Path, columns: &[(&str, &str)], target: &Path) -> Result<(), GenerateError> {
        let sql = format!(
            "COPY (SELECT * FROM read_json({src}, columns = {cols}, format = 'newline_delimited', \
             hive_partitioning = false, maximum_object_size = 67108864)) \
             TO {dst} (FORMAT parquet, COMPRESSION gzip)",
            src = sql_quote(&ndjson.to_string_lossy()),
            cols = schemas::columns_arg(columns),
            dst = sql_quote(&target.to_string_lossy()),
        );
        self.conn
            .execute_batch(&sql)
            .map_err(|e| db_err(format!("writing {}", target.display()), e))
    }
}

/// Security Lake file name: 32 lower-case hex digits derived from seed and path.
pub fn file_name(seed: u64, dir: &str, part: u32) -> String {
    format!(
        "{}.gz.parquet",
        super::ids::hex32(&[&seed.to_string(), dir, &part.to_string()])
    )
}

/// `aws/<SOURCE>/<VER>/region=<r>/accountId=<a>/eventDay=<d>`.
pub fn partition_dir(source: &str, version: &str, region: &str, account: &str, day: &str) -> String {
    format!("aws/{source}/{version}/region={region}/accountId={account}/eventDay={day}")
}
