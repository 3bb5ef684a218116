//! Pivot questions: actors, an actor's dossier, and reverse pivots from an
//! IP, an access key or a resource. Every user value is a bound parameter.
//! Each question borrows a [`Session`].

use duckdb::Row;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::criteria::resource_filter;
use super::error::Result;
use super::model::*;
use super::network::{Subject, beyond};
use super::read::{count, ms, strings};
use super::scope::{Filter, Scope};
use super::session::Session;
use super::timeline::{first_sightings, sightings_in};

/// STS calls whose response carries a new access key.
const MINTING_OPERATIONS: &str =
    "('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken')";

/// What a report's tables keep of each event: the columns its sections
/// aggregate, and request and response JSON only where a section reads
/// them (resource ids in requests, minted keys in responses). A busy
/// actor's table is then a fraction of its events' size.
fn report_columns() -> String {
    format!(
        "SELECT event_uid, time_ms, account, recipient_account, region, actor_key, actor_type, actor_arn, \
           actor_account, access_key_id, session_issuer, src_ip, src_domain, user_agent, service, operation, \
           error_code, resource_uids, resource_types, \
           CASE WHEN operation IN {MINTING_OPERATIONS} OR contains(request_json, '\"groupId\"') \
             OR contains(request_json, '\"bucketName\"') OR contains(request_json, '\"roleArn\"') \
             OR contains(request_json, '\"instanceId\"') OR contains(request_json, '\"secretId\"') \
             THEN request_json END AS request_json, \
           CASE WHEN operation IN {MINTING_OPERATIONS} THEN response_json END AS response_json \
         FROM ev"
    )
}

/// Which events belong to an actor: its own (by key) and, for a role, those
/// of every session issued from it.
fn actor_filter(scope: &Scope, actor: &str) -> Filter {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let p = f.bind_text(actor);
    f.push_any(vec![format!("actor_key = {p}"), format!("session_issuer = {p}")]);
    f
}

const SUMMARY_SQL: &str = "SELECT count(*), count(error_code), min(time_ms), max(time_ms), \
     to_json(list(DISTINCT account ORDER BY account))::VARCHAR, stable_mode(histogram(actor_type))";

#[derive(Default)]
struct Summary {
    totals: Totals,
    accounts: Vec<String>,
    actor_type: Option<String>,
}

fn summary(row: &Row<'_>) -> duckdb::Result<Summary> {
    Ok(Summary {
        totals: Totals {
            events: count(row, 0)?,
            errors: count(row, 1)?,
            first_seen: ms(row, 2)?,
            last_seen: ms(row, 3)?,
        },
        accounts: strings(row, 4)?,
        actor_type: row.get(5)?,
    })
}

/// Totals of a materialised table (an aggregate: always one row).
fn summary_of(session: &Session, table: &str) -> Result<Summary> {
    let rows = session.rows(&format!("{SUMMARY_SQL} FROM {table}"), &Filter::default(), summary)?;
    Ok(rows.into_iter().next().unwrap_or_default())
}

/// One row per actor, busiest first; `search` keeps fuzzy matches only,
/// best match first.
pub fn actors(session: &Session, scope: &Scope, search: Option<&str>) -> Result<Vec<ActorRow>> {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let rows = session.query(
        scope,
        &f,
        "SELECT actor_key, stable_mode(histogram(actor_type)), \
         coalesce(stable_mode(histogram(actor_account)), stable_mode(histogram(account))), count(*), \
         count(error_code), min(time_ms), max(time_ms), count(DISTINCT src_ip) \
         FROM ev GROUP BY actor_key ORDER BY count(*) DESC, actor_key",
        |r| {
            Ok(ActorRow {
                arn: r.get(0)?,
                actor_type: r.get(1)?,
                account: r.get(2)?,
                events: count(r, 3)?,
                errors: count(r, 4)?,
                first_seen: ms(r, 5)?,
                last_seen: ms(r, 6)?,
                ip_count: count(r, 7)?,
            })
        },
    )?;
    Ok(match search.map(str::trim).filter(|s| !s.is_empty()) {
        None => rows,
        Some(pattern) => fuzzy_sort(rows, pattern, |a| &a.arn),
    })
}

/// Everything known about one actor, or None when it has no event in scope.
pub fn actor(session: &Session, scope: &Scope, actor: &str) -> Result<Option<Dossier>> {
    let f = actor_filter(scope, actor);
    if session.materialize_select(scope, &f, "dossier_ev", &report_columns())? == 0 {
        return Ok(None);
    }
    let none = Filter::default();
    let s = summary_of(session, "dossier_ev")?;
    let mut sessions = session.rows(
        "SELECT coalesce(actor_arn, actor_key), session_issuer, access_key_id, count(*), min(time_ms), max(time_ms), \
         to_json(list(DISTINCT account ORDER BY account))::VARCHAR \
         FROM dossier_ev WHERE session_issuer IS NOT NULL GROUP BY ALL ORDER BY min(time_ms)",
        &none,
        |r| {
            Ok(SessionRow {
                name: r.get(0)?,
                issuer: r.get(1)?,
                access_key: r.get(2)?,
                events: count(r, 3)?,
                first_seen: ms(r, 4)?,
                last_seen: ms(r, 5)?,
                accounts: strings(r, 6)?,
                relation: SessionRelation::Own,
                started_with_key: None,
            })
        },
    )?;
    let minted = mints_in(session, "dossier_ev")?;
    sessions.extend(started_sessions(session, scope, &minted)?);
    Ok(Some(Dossier {
        arn: actor.to_string(),
        actor_type: s.actor_type,
        accounts: s.accounts,
        totals: s.totals,
        sessions,
        access_keys: session.rows(
            "SELECT access_key_id, count(*), min(time_ms), max(time_ms) FROM dossier_ev \
             WHERE access_key_id IS NOT NULL GROUP BY 1 ORDER BY min(time_ms)",
            &none,
            |r| {
                let id: String = r.get(0)?;
                Ok(KeyRow {
                    kind: key_kind(&id),
                    id,
                    events: count(r, 1)?,
                    first_seen: ms(r, 2)?,
                    last_seen: ms(r, 3)?,
                })
            },
        )?,
        source_ips: ips_in(session, "dossier_ev")?,
        resources: resources_in(session, "dossier_ev")?,
        operations: operations_in(session, "dossier_ev")?,
        // "Within the lake": a scoped dossier still compares with all of it.
        new_sightings: match scope.is_everything() {
            true => sightings_in(session, "dossier_ev")?,
            false => first_sightings(session, actor)?,
        }
        .into_iter()
        .filter(|f| f.new)
        .collect(),
        beyond: beyond(session, scope, Subject::Actor(actor))?,
    }))
}

/// Actors, operations and times seen from one source IP (or service host).
pub fn ip(session: &Session, scope: &Scope, ip: &str) -> Result<IpReport> {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let p = f.bind_text(ip);
    f.push_any(vec![format!("src_ip = {p}"), format!("src_domain = {p}")]);
    session.materialize_select(scope, &f, "pivot_ev", &report_columns())?;
    let none = Filter::default();
    let s = summary_of(session, "pivot_ev")?;
    Ok(IpReport {
        ip: ip.to_string(),
        totals: s.totals,
        accounts: s.accounts,
        actors: actors_in(session, "pivot_ev")?,
        operations: operations_in(session, "pivot_ev")?,
        user_agents: session.rows(
            "SELECT user_agent, count(*) FROM pivot_ev WHERE user_agent IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20",
            &none,
            |r| Ok(UserAgentRow { user_agent: r.get(0)?, events: count(r, 1)? }),
        )?,
        beyond: beyond(session, scope, Subject::Ip(ip))?,
    })
}

/// Who used an access key, from where, what it minted and what minted it.
pub fn key(session: &Session, scope: &Scope, key: &str) -> Result<KeyReport> {
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let p = f.bind_text(key);
    f.push(format!("access_key_id = {p}"));
    session.materialize_select(scope, &f, "pivot_ev", &report_columns())?;
    let s = summary_of(session, "pivot_ev")?;

    // The minting call's response names the key; it was made by another
    // identity, so search the whole scope for it.
    let mut m = Filter::default();
    scope.restrict(&mut m);
    let p = m.bind_text(key);
    m.push(format!(
        "operation IN {MINTING_OPERATIONS} AND contains(coalesce(response_json, ''), {p})"
    ));
    session.materialize_select(scope, &m, "mint_ev", &report_columns())?;
    let minted_by = mints_in(session, "mint_ev")?
        .into_iter()
        .find(|mint| mint.child_key == key);

    Ok(KeyReport {
        id: key.to_string(),
        kind: key_kind(key),
        totals: s.totals,
        accounts: s.accounts,
        owners: actors_in(session, "pivot_ev")?,
        minted_by,
        minted: mints_in(session, "pivot_ev")?,
        source_ips: ips_in(session, "pivot_ev")?,
        operations: operations_in(session, "pivot_ev")?,
        beyond: beyond(session, scope, Subject::Key(key))?,
    })
}

/// Actors and operations that touched a resource (ARN or id).
pub fn resource(session: &Session, scope: &Scope, id: &str) -> Result<ResourceReport> {
    let f = resource_filter(scope, id);
    session.materialize_select(scope, &f, "pivot_ev", &report_columns())?;
    let s = summary_of(session, "pivot_ev")?;
    Ok(ResourceReport {
        id: id.to_string(),
        totals: s.totals,
        accounts: s.accounts,
        actors: actors_in(session, "pivot_ev")?,
        operations: operations_in(session, "pivot_ev")?,
        beyond: beyond(session, scope, Subject::Resource(id))?,
    })
}

fn actors_in(session: &Session, table: &str) -> Result<Vec<ActorUse>> {
    session.rows(
        &format!(
            "SELECT actor_key, stable_mode(histogram(actor_type)), count(*), count(error_code), min(time_ms), max(time_ms) \
             FROM {table} GROUP BY 1 ORDER BY min(time_ms), 1"
        ),
        &Filter::default(),
        |r| {
            Ok(ActorUse {
                arn: r.get(0)?,
                actor_type: r.get(1)?,
                events: count(r, 2)?,
                errors: count(r, 3)?,
                first_seen: ms(r, 4)?,
                last_seen: ms(r, 5)?,
            })
        },
    )
}

fn operations_in(session: &Session, table: &str) -> Result<Vec<OperationRow>> {
    session.rows(
        &format!("SELECT service, operation, count(*), count(error_code) FROM {table} GROUP BY ALL ORDER BY 1, 2"),
        &Filter::default(),
        |r| {
            Ok(OperationRow {
                service: r.get(0)?,
                operation: r.get(1)?,
                events: count(r, 2)?,
                errors: count(r, 3)?,
            })
        },
    )
}

fn ips_in(session: &Session, table: &str) -> Result<Vec<IpRow>> {
    session.rows(
        &format!(
            "SELECT src_ip, count(*), min(time_ms), max(time_ms) FROM {table} \
             WHERE src_ip IS NOT NULL GROUP BY 1 ORDER BY min(time_ms), 1"
        ),
        &Filter::default(),
        |r| {
            Ok(IpRow {
                ip: r.get(0)?,
                events: count(r, 1)?,
                first_seen: ms(r, 2)?,
                last_seen: ms(r, 3)?,
            })
        },
    )
}

/// Resources from `resources[]` and from well-known request fields
/// (EC2 and S3 calls often leave `resources[]` empty). A bucket named in
/// a request is given its ARN, as in `resources[]`, so it is listed once.
fn resources_in(session: &Session, table: &str) -> Result<Vec<ResourceRow>> {
    let sql = format!(
        "WITH e AS (SELECT event_uid, operation, resource_uids, resource_types, \
                TRY_CAST(request_json AS JSON) AS rq FROM {table}), \
         r AS ( \
           SELECT event_uid, operation, unnest(resource_uids) AS id, unnest(resource_types) AS type FROM e \
           UNION ALL SELECT event_uid, operation, rq->>'$.groupId', 'AWS::EC2::SecurityGroup' FROM e \
           UNION ALL SELECT event_uid, operation, 'arn:aws:s3:::' || (rq->>'$.bucketName'), 'AWS::S3::Bucket' FROM e \
           UNION ALL SELECT event_uid, operation, rq->>'$.roleArn', 'AWS::IAM::Role' FROM e \
           UNION ALL SELECT event_uid, operation, rq->>'$.instanceId', 'AWS::EC2::Instance' FROM e \
           UNION ALL SELECT event_uid, operation, rq->>'$.secretId', 'AWS::SecretsManager::Secret' FROM e \
         ) \
         SELECT id, stable_mode(histogram(type)), count(DISTINCT event_uid), \
                to_json(list(DISTINCT operation ORDER BY operation))::VARCHAR \
         FROM r WHERE id IS NOT NULL AND id <> '' GROUP BY id ORDER BY 3 DESC, 1"
    );
    session.rows(&sql, &Filter::default(), |r| {
        Ok(ResourceRow {
            id: r.get(0)?,
            resource_type: r.get(1)?,
            events: count(r, 2)?,
            operations: strings(r, 3)?,
        })
    })
}

/// Keys minted by the STS calls in `table` (one row per minted key).
/// A cross-account call is recorded in both accounts at the same time:
/// ties are broken by event id, and a session's account is the one in
/// its ARN (where the session lives), not whichever copy came first.
fn mints_in(session: &Session, table: &str) -> Result<Vec<Mint>> {
    let sql = format!(
        "WITH m AS (SELECT *, TRY_CAST(response_json AS JSON) AS rs, TRY_CAST(request_json AS JSON) AS rq \
                    FROM {table} WHERE operation IN {MINTING_OPERATIONS} AND error_code IS NULL) \
         , o AS (SELECT *, lpad(time_ms::VARCHAR, 16, '0') || event_uid AS ord, \
                    coalesce(rs->>'$.assumedRoleUser.arn', rs->>'$.federatedUser.arn') AS session_arn FROM m) \
         SELECT rs->>'$.credentials.accessKeyId' AS child, \
                arg_min(access_key_id, ord), arg_min(actor_key, ord), arg_min(session_arn, ord), \
                arg_min(rq->>'$.roleArn', ord), arg_min(operation, ord), \
                coalesce(nullif(split_part(arg_min(session_arn, ord), ':', 5), ''), arg_min(recipient_account, ord)), \
                min(time_ms), arg_min(event_uid, ord) \
         FROM o WHERE rs->>'$.credentials.accessKeyId' IS NOT NULL GROUP BY 1 ORDER BY min(time_ms), 1"
    );
    session.rows(&sql, &Filter::default(), |r| {
        Ok(Mint {
            child_key: r.get(0)?,
            parent_key: r.get(1)?,
            parent_actor: r.get(2)?,
            session_arn: r.get(3)?,
            role_arn: r.get(4)?,
            operation: r.get(5)?,
            account: r.get(6)?,
            time: ms(r, 7)?,
            event_id: r.get(8)?,
        })
    })
}

/// Sessions minted by an actor's calls, with the activity of each key.
fn started_sessions(session: &Session, scope: &Scope, minted: &[Mint]) -> Result<Vec<SessionRow>> {
    if minted.is_empty() {
        return Ok(Vec::new());
    }
    let mut f = Filter::default();
    scope.restrict(&mut f);
    let keys: Vec<String> = minted.iter().map(|m| m.child_key.clone()).collect();
    let list = f.bind_list(&keys);
    f.push(format!("access_key_id IN ({list})"));
    let usage = session.query(
        scope,
        &f,
        "SELECT access_key_id, count(*), min(time_ms), max(time_ms), \
         to_json(list(DISTINCT account ORDER BY account))::VARCHAR FROM ev GROUP BY 1",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                count(r, 1)?,
                ms(r, 2)?,
                ms(r, 3)?,
                strings(r, 4)?,
            ))
        },
    )?;
    Ok(minted
        .iter()
        .map(|m| {
            let used = usage.iter().find(|u| u.0 == m.child_key);
            SessionRow {
                name: m.session_arn.clone().unwrap_or_else(|| m.child_key.clone()),
                issuer: m.role_arn.clone(),
                access_key: Some(m.child_key.clone()),
                events: used.map_or(0, |u| u.1),
                first_seen: used.and_then(|u| u.2),
                last_seen: used.and_then(|u| u.3),
                accounts: used.map(|u| u.4.clone()).unwrap_or_default(),
                relation: SessionRelation::Started,
                started_with_key: m.parent_key.clone(),
            }
        })
        .collect())
}

/// Keep fuzzy matches of `pattern`, best first (ties keep their order).
/// As in fzf, every space-separated term must match; scores add up.
pub fn fuzzy_sort<T>(rows: Vec<T>, pattern: &str, text: impl Fn(&T) -> &str) -> Vec<T> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let terms: Vec<&str> = pattern.split_whitespace().collect();
    let score = |candidate: &str| -> Option<i64> { terms.iter().map(|t| matcher.fuzzy_match(candidate, t)).sum() };
    let mut scored: Vec<(i64, usize, T)> = rows
        .into_iter()
        .enumerate()
        .filter_map(|(i, row)| score(text(&row)).map(|s| (s, i, row)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, row)| row).collect()
}
