//! The DuckDB databases lakescope opens, all with the same settings.

use std::path::PathBuf;

use duckdb::Connection;

use super::error::{LakeError, Result};
use super::projection::lit;

/// A new in-memory database with lakescope's settings.
pub(crate) fn open_database() -> Result<Connection> {
    let conn = Connection::open_in_memory().map_err(LakeError::db)?;
    configure(&conn)?;
    Ok(conn)
}

/// The version of the DuckDB built into lakescope (`v2.0.0` today).
pub fn duckdb_version() -> Result<String> {
    let conn = Connection::open_in_memory().map_err(LakeError::db)?;
    conn.query_row("SELECT version()", [], |r| r.get::<_, String>(0))
        .map_err(LakeError::db)
}

/// Settings applied to every DuckDB connection lakescope uses.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    // No network: never try to download an extension (`docs/formats.md#duckdb-traps`).
    conn.execute_batch(
        "SET autoinstall_known_extensions = false;
         SET autoload_known_extensions = false;
         SET preserve_insertion_order = false;
         SET enable_progress_bar = false;",
    )
    .map_err(LakeError::db)?;
    // `mode` picks any of several equally common values, so answers could
    // differ between runs; this takes the most common, then the smallest.
    conn.execute_batch(
        "CREATE OR REPLACE TEMP MACRO stable_mode(h) AS \
         list_sort(list_transform(map_entries(h), lambda e: {'n': -(e.value::BIGINT), 'k': e.key}))[1].k;",
    )
    .map_err(LakeError::db)?;
    // Spill files go to our cache directory, never next to the lake.
    if let Some(dir) = spill_dir() {
        let sql = format!("SET temp_directory = {}", lit(&dir.to_string_lossy()));
        conn.execute_batch(&sql).map_err(LakeError::db)?;
    }
    if let Ok(limit) = std::env::var("LAKESCOPE_MEMORY_LIMIT") {
        let sql = format!("SET memory_limit = {}", lit(&limit));
        conn.execute_batch(&sql).map_err(LakeError::db)?;
    }
    Ok(())
}

fn spill_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "lakescope")?;
    let dir = dirs.cache_dir().join("duckdb-spill");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}
