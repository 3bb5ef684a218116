//! Reading typed values out of result rows.

use duckdb::Row;

use super::model::Millis;

/// Epoch milliseconds, NULL kept.
pub(crate) fn ms(row: &Row<'_>, i: usize) -> duckdb::Result<Option<Millis>> {
    Ok(row.get::<_, Option<i64>>(i)?.map(Millis))
}

/// A count; NULL and negatives read as 0.
pub(crate) fn count(row: &Row<'_>, i: usize) -> duckdb::Result<u64> {
    Ok(row.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
}

/// A `to_json(list)` column as strings.
pub(crate) fn strings(row: &Row<'_>, i: usize) -> duckdb::Result<Vec<String>> {
    let text: Option<String> = row.get(i)?;
    Ok(text
        .and_then(|t| serde_json::from_str::<Vec<Option<String>>>(&t).ok())
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
}
