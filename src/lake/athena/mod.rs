//! lakescope's questions in Athena's SQL (Trino), over the Security Lake
//! Glue tables, for lakes too large to copy. The same flat shape as the
//! local engine (`ev`), the same de-duplication across source versions,
//! and the scope as partition predicates. Values are SQL literals here
//! (the text is for a person to read, paste or send); a value that cannot be
//! said exactly in this form is refused, never dropped.

pub mod answer;
mod dns;
pub mod engine;
mod findings;
mod flat;
mod flows;
pub mod home;
mod reports;
pub mod run;
mod statement;
mod tables;
pub mod timelines;
mod trail;

use super::criteria::{EventCriteria, Page};
use super::error::{LakeError, Result};
use super::findings::FindingCriteria;
use super::network::{DnsCriteria, FlowCriteria};
use super::scope::Scope;

pub use flat::{SlVersion, lit};
pub use reports::Kind as ReportKind;
pub use statement::Statement;
use statement::mode_cte;
pub use tables::Tables;
use tables::where_clause;

/// `WITH ev AS (…)`: the scope's API calls from every version's table,
/// one copy per event (the newer version wins), as the local engine keeps them.
fn events_cte(tables: &Tables, scope: &Scope) -> Result<String> {
    if let Some(table) = &tables.trail {
        // One copy of each event in a trail: nothing to de-duplicate.
        // `default` is a keyword in Athena's SQL: the database is quoted then.
        let database = match tables.database().as_str() {
            "default" => "\"default\"".to_string(),
            other => other.to_string(),
        };
        let table = format!("{database}.{table}");
        return Ok(format!("WITH ev AS (\n{}\n)\n", trail::select(&table, scope)));
    }
    if tables.versions.is_empty() {
        return Err(LakeError::InvalidInput {
            what: "Athena tables",
            detail: "no Security Lake source version to read".into(),
        });
    }
    let parts: Vec<String> = tables
        .versions
        .iter()
        .enumerate()
        .map(|(prio, v)| flat::select(*v, &tables.table("CLOUD_TRAIL_MGMT", *v), scope, prio))
        .collect();
    Ok(format!(
        "WITH flat AS (\n{}\n),\nev AS (\n  SELECT * FROM (\n    SELECT *, row_number() OVER (PARTITION BY event_uid, operation, time_ms ORDER BY prio) AS copy\n    FROM flat\n  ) WHERE event_uid IS NULL OR copy = 1\n)\n",
        parts.join("\n  UNION ALL\n")
    ))
}

/// The conditions of event criteria over `ev`; criteria with no exact
/// Athena form yet are refused by name.
fn criteria_where(criteria: &EventCriteria) -> Result<Vec<String>> {
    let refuse = |what: &str| LakeError::InvalidInput {
        what: "Athena question",
        detail: format!("{what} has no Athena form yet: run it locally, or sync the slice"),
    };
    if criteria.source.is_some() {
        return Err(refuse("--source"));
    }
    let mut out = Vec::new();
    if let Some(actor) = &criteria.actor {
        out.push(format!("(actor_key = {a} OR session_issuer = {a})", a = lit(actor)));
    }
    if let Some(ip) = &criteria.ip {
        out.push(format!("(src_ip = {i} OR src_domain = {i})", i = lit(ip)));
    }
    if let Some(key) = &criteria.key {
        out.push(format!("access_key_id = {}", lit(key)));
    }
    if let Some(id) = &criteria.resource {
        out.push(reports::resource_condition(id));
    }
    if let Some(op) = &criteria.operation {
        out.push(format!("lower(operation) = lower({})", lit(op)));
    }
    if criteria.errors_only {
        out.push("error_code IS NOT NULL".into());
    }
    Ok(out)
}

/// The questions with an Athena form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Actors,
    Events(EventCriteria, Page),
    /// Events and errors per UTC bucket of this many ms (the non-empty
    /// ones), within the scope and, when given, this range of times.
    Timeline(EventCriteria, i64, Option<(i64, i64)>),
    /// An entity's report (dossier, IP, key, resource): one statement per section.
    Report(ReportKind, String),
    /// VPC flows as conversations, one page.
    Flows(FlowCriteria, Page),
    /// Route 53 names asked, one page.
    Dns(DnsCriteria, Page),
    /// A hostname: its resolutions and askers, one statement each.
    Name(String),
    /// Findings, most severe and newest first.
    Findings(FindingCriteria),
}

/// The question's statements: one, or a report's sections.
pub fn statements(tables: &Tables, scope: &Scope, question: &Question) -> Result<Vec<Statement>> {
    let one = |sql: String| vec![Statement { section: "rows", sql }];
    Ok(match question {
        Question::Actors => one(actors(tables, scope)?),
        Question::Events(criteria, page) => one(events(tables, scope, criteria, *page)?),
        Question::Timeline(criteria, width, range) => one(timeline(tables, &within(scope, *range), criteria, *width)?),
        Question::Flows(criteria, page) => one(flows::flows(tables, scope, criteria, *page)?),
        Question::Dns(criteria, page) => one(dns::dns(tables, scope, criteria, *page)?),
        Question::Name(name) => dns::name_sections(tables, scope, name)?,
        Question::Findings(criteria) => one(findings::findings(tables, scope, criteria)?),
        Question::Report(kind, id) => {
            let with = format!(
                "{},\nsub AS (SELECT * FROM ev WHERE {})",
                events_cte(tables, scope)?.trim_end(),
                reports::subject_condition(*kind, id)
            );
            reports::sections(*kind, id, &with)
        }
    })
}

/// The lake partitions (account, region, `eventDay` folder) holding the
/// question's events: what to sync to go on offline with that slice. The
/// day is read from each file's path (`"$path"`), as both versions' folders
/// are named, since it is the delivery day, not always the event's.
pub fn partitions(tables: &Tables, scope: &Scope, question: &Question) -> Result<Statement> {
    let (scope, conditions) = match question {
        Question::Flows(criteria, _) => return Ok(partitions_of(tables, flows::flows_cte(tables, scope, criteria)?)),
        Question::Dns(criteria, _) => return Ok(partitions_of(tables, dns::dns_cte(tables, scope, criteria)?)),
        Question::Findings(criteria) => {
            return Ok(partitions_of(tables, findings::findings_cte(tables, scope, criteria)?));
        }
        Question::Name(name) => {
            return Ok(partitions_of(
                tables,
                dns::dns_cte(tables, scope, &DnsCriteria::of_name(name))?,
            ));
        }
        Question::Actors => (scope.clone(), Vec::new()),
        Question::Events(criteria, _) => (scope.clone(), criteria_where(criteria)?),
        Question::Timeline(criteria, _, range) => (within(scope, *range), criteria_where(criteria)?),
        Question::Report(kind, id) => (scope.clone(), vec![reports::subject_condition(*kind, id)]),
    };
    Ok(Statement {
        section: "partitions",
        sql: format!(
            "{}SELECT DISTINCT account, region, {} AS event_day\nFROM ev\n{}ORDER BY 1, 2, 3",
            events_cte(tables, &scope)?,
            tables.path_day(),
            where_clause(&conditions)
        ),
    })
}

/// The partitions holding the rows of `rec` (the `WITH` of a flows or
/// DNS question), as [`partitions`] names them.
fn partitions_of(tables: &Tables, with_rec: String) -> Statement {
    Statement {
        section: "partitions",
        sql: format!(
            "{with_rec}SELECT DISTINCT account, region, {} AS event_day\nFROM rec\nORDER BY 1, 2, 3",
            tables.path_day()
        ),
    }
}

/// Events per UTC minute (with a lane, when `lane` gives its expression
/// over the flat columns): the counts a timeline is drawn from, as the
/// local `timeline_base`.
pub fn minutes(tables: &Tables, scope: &Scope, criteria: &EventCriteria, lane: Option<&str>) -> Result<String> {
    let lane = match lane {
        Some(sql) => format!(
            "coalesce(CAST(({sql}) AS varchar), '{}')",
            crate::lake::timeline::NO_VALUE_LANE
        ),
        None => "CAST(NULL AS varchar)".into(),
    };
    Ok(format!(
        "{}SELECT time_ms - (time_ms % 60000) AS t, {lane} AS lane, count(*) AS n, count(error_code) AS e, min(time_ms) AS first_ms, max(time_ms) AS last_ms\nFROM ev\n{}GROUP BY 1, 2\nORDER BY 1, 2",
        events_cte(tables, scope)?,
        where_clause(&criteria_where(criteria)?),
    ))
}

/// The `new_sightings` section of an actor's dossier alone (an actor
/// timeline's ▼ marks).
pub fn new_sightings(tables: &Tables, scope: &Scope, actor: &str) -> Result<Statement> {
    statements(tables, scope, &Question::Report(ReportKind::Actor, actor.to_string()))?
        .into_iter()
        .find(|s| s.section == "new_sightings")
        .ok_or_else(|| LakeError::Athena("no new_sightings section in the dossier".into()))
}

/// The scope narrowed to a time range, when one is given.
fn within(scope: &Scope, range: Option<(i64, i64)>) -> Scope {
    let mut scope = scope.clone();
    if let Some((from, to)) = range {
        scope.from_ms = Some(scope.from_ms.map_or(from, |f| f.max(from)));
        scope.to_ms = Some(scope.to_ms.map_or(to, |t| t.min(to)));
    }
    scope
}

/// The question as text to read or paste: its statement, or a report's
/// sections each named in a comment, every statement ended by `;`.
pub fn script(tables: &Tables, scope: &Scope, question: &Question) -> Result<String> {
    let statements = statements(tables, scope, question)?;
    let single = statements.len() == 1;
    let parts: Vec<String> = statements
        .iter()
        .map(|s| match single {
            true => format!("{};\n", s.sql),
            false => format!("-- {}\n{};\n", s.section, s.sql),
        })
        .collect();
    Ok(parts.join("\n"))
}

/// The region whose Glue database holds the tables, from the standard
/// variables (`AWS_REGION`, else `AWS_DEFAULT_REGION`).
pub fn region_from_env() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// `lakescope actors`: one row per actor, busiest first.
pub fn actors(tables: &Tables, scope: &Scope) -> Result<String> {
    let mode = |name: &str, column: &str| mode_cte(name, "actor_key", column, "ev");
    Ok(format!(
        "{cte},\n{},\n{},\n{},\ncounts AS (\n  SELECT actor_key, count(*) AS events, count(error_code) AS errors, min(time_ms) AS first_ms, max(time_ms) AS last_ms, count(DISTINCT src_ip) AS ips\n  FROM ev GROUP BY actor_key\n)\n\
         SELECT c.actor_key AS arn, t.actor_type AS type, coalesce(a.actor_account, r.account) AS account, c.events, c.errors, c.first_ms, c.last_ms, c.ips\n\
         FROM counts c\n\
         LEFT JOIN top_type t ON t.actor_key = c.actor_key\n\
         LEFT JOIN top_actor_account a ON a.actor_key = c.actor_key\n\
         LEFT JOIN top_account r ON r.actor_key = c.actor_key\n\
         ORDER BY c.events DESC, c.actor_key",
        mode("top_type", "actor_type"),
        mode("top_actor_account", "actor_account"),
        mode("top_account", "account"),
        cte = events_cte(tables, scope)?.trim_end(),
    ))
}

/// `lakescope events`: the events matching every criterion, oldest first, one page.
pub fn events(tables: &Tables, scope: &Scope, criteria: &EventCriteria, page: Page) -> Result<String> {
    Ok(format!(
        "{}SELECT time_ms, account, region, actor_key, actor_type, access_key_id, coalesce(src_ip, src_domain) AS source_ip, service, operation, error_code, event_uid\nFROM ev\n{}ORDER BY time_ms, event_uid\nOFFSET {} LIMIT {}",
        events_cte(tables, scope)?,
        where_clause(&criteria_where(criteria)?),
        page.offset,
        page.limit
    ))
}

/// `lakescope timeline` without lanes, in UTC: the buckets that hold
/// events (every width divides a day, so buckets start at multiples of it
/// since the epoch, as the local grid's do in UTC).
pub fn timeline(tables: &Tables, scope: &Scope, criteria: &EventCriteria, width_ms: i64) -> Result<String> {
    if width_ms <= 0 {
        return Err(LakeError::InvalidInput {
            what: "bucket width",
            detail: format!("{width_ms} ms"),
        });
    }
    let start = format!("time_ms - (time_ms % {width_ms})");
    Ok(format!(
        "{}SELECT {start} AS start_ms, {start} + {width_ms} AS end_ms, count(*) AS events, count(error_code) AS errors\nFROM ev\n{}GROUP BY 1, 2\nORDER BY 1",
        events_cte(tables, scope)?,
        where_clause(&criteria_where(criteria)?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glue_names_follow_security_lake() {
        let t = Tables::new("us-east-1");
        assert_eq!(t.database(), "amazon_security_lake_glue_db_us_east_1");
        assert_eq!(
            t.table("CLOUD_TRAIL_MGMT", SlVersion::V2),
            "amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0"
        );
        assert_eq!(lit("it's"), "'it''s'");
    }

    #[test]
    fn criteria_without_an_exact_form_are_refused() {
        let t = Tables::new("eu-west-1");
        let c = EventCriteria {
            source: Some("EKS_AUDIT".into()),
            ..EventCriteria::default()
        };
        let err = events(&t, &Scope::default(), &c, Page { limit: 10, offset: 0 }).unwrap_err();
        assert!(err.to_string().contains("--source"), "{err}");
    }

    #[test]
    fn a_trail_table_in_the_default_database_is_quoted() {
        let mut t = Tables::new("");
        t.trail = Some("org_trail".into());
        let sql = script(&t, &Scope::default(), &Question::Actors).unwrap();
        assert!(sql.contains("FROM \"default\".org_trail"), "{sql}");
        t.database = Some("trails".into());
        let sql = script(&t, &Scope::default(), &Question::Actors).unwrap();
        assert!(sql.contains("FROM trails.org_trail"), "{sql}");
    }

    #[test]
    fn a_report_is_one_statement_per_section() {
        let t = Tables::new("eu-west-1");
        let q = Question::Report(ReportKind::Key, "ASIA'X".into());
        let text = script(&t, &Scope::default(), &q).unwrap();
        for section in [
            "-- summary",
            "-- owners",
            "-- minted_by",
            "-- minted",
            "-- source_ips",
            "-- operations",
        ] {
            assert!(text.contains(&format!("{section}\n")), "{section} in {text}");
        }
        assert!(text.contains("access_key_id = 'ASIA''X'"), "{text}");
        assert_eq!(text.matches(";\n").count(), 6);
    }
}
