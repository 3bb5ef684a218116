//! What the Athena questions are made of: named statements, and the SQL
//! pieces several of them share.

/// One statement of a question: a report has one per section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub section: &'static str,
    pub sql: String,
}

/// `name AS (…)`: the most common non-NULL `column` of each `key` in
/// `from`, ties to the smallest (the local `stable_mode`).
pub(super) fn mode_cte(name: &str, key: &str, column: &str, from: &str) -> String {
    format!(
        "{name} AS (\n  SELECT {key}, {column} FROM (\n    SELECT {key}, {column}, row_number() OVER (PARTITION BY {key} ORDER BY count(*) DESC, {column}) AS r\n    FROM {from} WHERE {column} IS NOT NULL GROUP BY {key}, {column}\n  ) WHERE r = 1\n)"
    )
}
