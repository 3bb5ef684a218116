//! Where the Athena tables are: the Glue database and table names of the
//! Security Lake sources (or an organization trail's table), and the SQL
//! pieces every question over them shares.

use super::flat::SlVersion;
use super::trail;

/// Where the tables are: the Security Lake rollup region whose Glue
/// database holds them, and the source versions the lake has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub region: String,
    /// `amazon_security_lake_glue_db_<region>` unless named.
    pub database: Option<String>,
    pub versions: Vec<SlVersion>,
    /// An organization trail's CloudTrail table (`trail.rs`) read instead
    /// of the Security Lake tables; in `database` (else `default`).
    pub trail: Option<String>,
}

impl Tables {
    pub fn new(region: &str) -> Tables {
        Tables {
            region: region.to_string(),
            database: None,
            versions: vec![SlVersion::V2, SlVersion::V1],
            trail: None,
        }
    }

    fn underscored(&self) -> String {
        self.region.replace('-', "_")
    }

    pub fn database(&self) -> String {
        match (&self.database, &self.trail) {
            (Some(database), _) => database.clone(),
            (None, Some(_)) => "default".into(),
            (None, None) => format!("amazon_security_lake_glue_db_{}", self.underscored()),
        }
    }

    /// The partition day (`YYYYMMDD`) of the file an event came from, from
    /// `source_path`: Security Lake's `eventDay=` folder, or a trail's `YYYY/MM/DD`.
    pub(super) fn path_day(&self) -> &'static str {
        match self.trail {
            Some(_) => trail::PATH_DAY,
            None => "regexp_extract(source_path, 'eventDay=([0-9]{8})', 1)",
        }
    }

    /// `amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0`.
    pub fn table(&self, source: &str, version: SlVersion) -> String {
        format!(
            "{}.amazon_security_lake_table_{}_{}_{}",
            self.database(),
            self.underscored(),
            source.to_ascii_lowercase(),
            version.suffix()
        )
    }
}

/// `WHERE a AND b` (with its line end), or nothing.
pub(super) fn where_clause(conditions: &[String]) -> String {
    match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}\n", conditions.join(" AND ")),
    }
}

/// `WHERE a AND b` on a line of its own, indented, or nothing.
pub(super) fn where_line(conditions: &[String], indent: &str) -> String {
    match conditions.is_empty() {
        true => String::new(),
        false => format!("\n{indent}WHERE {}", conditions.join(" AND ")),
    }
}

/// One `SELECT` per source version read of a Security Lake `source`
/// (`select(version, table)`), for the questions an organization trail's
/// table cannot answer (`what` names what they read).
pub(super) fn security_lake_parts(
    tables: &Tables,
    source: &str,
    what: &str,
    select: impl Fn(SlVersion, &str) -> String,
) -> crate::lake::error::Result<Vec<String>> {
    if tables.trail.is_some() {
        return Err(crate::lake::error::LakeError::Athena(format!(
            "{what} are in Security Lake's {source} tables; an organization trail's table holds only API calls"
        )));
    }
    Ok(tables
        .versions
        .iter()
        .map(|v| select(*v, &tables.table(source, *v)))
        .collect())
}
