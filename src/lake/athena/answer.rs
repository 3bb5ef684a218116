//! Athena's answers (text cells) as the engine's own rows, so that the
//! workbench draws them on the same screens as local answers. A cell that
//! should be a number and is not is an error naming the column, never a 0.

use super::run::Answer;
use crate::lake::error::{LakeError, Result};
use crate::lake::model::*;
use crate::lake::network::{DnsAsker, NameReport};

/// One row of an answer, its cells found by column name.
pub struct Cells<'a> {
    columns: &'a [String],
    row: &'a [Option<String>],
}

impl Cells<'_> {
    pub fn text(&self, column: &str) -> Option<String> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.row.get(i).cloned().flatten()
    }

    pub fn int(&self, column: &str) -> Result<Option<i64>> {
        self.text(column)
            .map(|t| {
                t.trim()
                    .parse::<i64>()
                    .map_err(|_| LakeError::Athena(format!("column {column}: {t:?} is not a whole number")))
            })
            .transpose()
    }

    /// A whole number that must fit 32 bits (a port, a severity id).
    pub fn int32(&self, column: &str) -> Result<Option<i32>> {
        self.int(column)?
            .map(|v| i32::try_from(v).map_err(|_| LakeError::Athena(format!("column {column}: {v} is out of range"))))
            .transpose()
    }

    pub fn count(&self, column: &str) -> Result<u64> {
        Ok(self.int(column)?.unwrap_or(0).max(0) as u64)
    }

    pub fn ms(&self, column: &str) -> Result<Option<Millis>> {
        Ok(self.int(column)?.map(Millis))
    }

    /// A comma-joined list (`array_join`), empty when NULL.
    pub fn list(&self, column: &str) -> Vec<String> {
        self.text(column)
            .map(|t| t.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn required(&self, column: &str) -> Result<String> {
        self.text(column)
            .ok_or_else(|| LakeError::Athena(format!("column {column} is empty in Athena's answer")))
    }
}

/// Every row of `answer`, mapped.
pub fn rows<T>(answer: &Answer, map: impl Fn(&Cells) -> Result<T>) -> Result<Vec<T>> {
    answer
        .rows
        .iter()
        .map(|row| {
            map(&Cells {
                columns: &answer.columns,
                row,
            })
        })
        .collect()
}

/// The flows question's conversations (`flows.rs`).
pub fn flows(answer: &Answer) -> Result<Vec<FlowRow>> {
    rows(answer, |c| {
        let first = c.ms("first_ms")?;
        let subject_first = c.int("subject_first_ms")?;
        Ok(FlowRow {
            ip: c.text("ip"),
            peer: c.text("peer"),
            port: c.int32("port")?,
            protocol: c.int32("protocol")?,
            direction: match c.text("outbound").as_deref() {
                Some("true") => "outbound",
                _ => "inbound",
            },
            bytes_out: c.count("bytes_out")?,
            bytes_in: c.count("bytes_in")?,
            packets_out: c.count("packets_out")?,
            packets_in: c.count("packets_in")?,
            flows: c.count("flows")?,
            accepted: c.count("accepted")?,
            rejected: c.count("rejected")?,
            first_seen: first,
            last_seen: c.ms("last_ms")?,
            new: new_after_baseline(first, subject_first),
            enis: c.list("enis"),
            instances: c.list("instances"),
        })
    })
}

/// The DNS question's names asked (`dns.rs`).
pub fn dns(answer: &Answer) -> Result<Vec<DnsRow>> {
    rows(answer, |c| {
        let first = c.ms("first_ms")?;
        let subject_first = c.int("subject_first_ms")?;
        Ok(DnsRow {
            name: c.text("hostname"),
            qtype: c.text("qtype"),
            rcode: c.text("rcode"),
            answers: c.list("answers"),
            askers: c.list("askers"),
            queries: c.count("queries")?,
            first_seen: first,
            last_seen: c.ms("last_ms")?,
            new: new_after_baseline(first, subject_first),
        })
    })
}

/// The findings question's latest records (`findings.rs`).
pub fn findings(answer: &Answer) -> Result<Vec<FindingRow>> {
    rows(answer, |c| {
        Ok(FindingRow {
            id: c.text("finding_uid").unwrap_or_default(),
            time: c.ms("time_ms")?,
            account: c.text("account"),
            region: c.text("region"),
            product: c.text("product"),
            class: c.text("class_name"),
            finding_type: c.text("finding_type"),
            title: c.text("title"),
            severity: c.text("severity"),
            severity_id: c.int32("severity_id")?,
            status: c.text("status"),
            resources: c.list("resource_uids"),
            resource_types: c.list("resource_types"),
            ips: c.list("ips"),
            access_keys: c.list("access_keys"),
            actors: c.list("actors"),
            records: c.count("records")?,
            source: c.text("source_kind"),
            file: c.text("source_path"),
        })
    })
}

/// The partitions query's rows (account, region, `event_day`): what to
/// sync. A day that is not `YYYYMMDD` is an error, never skipped.
pub fn partitions(answer: &Answer) -> Result<Vec<crate::sync::slice::Partition>> {
    let mut partitions = rows(answer, |c| {
        let day = c.required("event_day")?;
        let day = crate::sync::plan::parse_day(&day)
            .map_err(|_| LakeError::Athena(format!("column event_day: {day:?} is not a day (YYYYMMDD)")))?;
        Ok((c.required("account")?, c.required("region")?, day))
    })?;
    partitions.sort();
    partitions.dedup();
    Ok(partitions)
}

pub fn actors(answer: &Answer) -> Result<Vec<ActorRow>> {
    rows(answer, |c| {
        Ok(ActorRow {
            arn: c.required("arn")?,
            actor_type: c.text("type"),
            account: c.text("account"),
            events: c.count("events")?,
            errors: c.count("errors")?,
            first_seen: c.ms("first_ms")?,
            last_seen: c.ms("last_ms")?,
            ip_count: c.count("ips")?,
        })
    })
}

pub fn events(answer: &Answer) -> Result<Vec<EventRow>> {
    rows(answer, |c| {
        Ok(EventRow {
            time: c.ms("time_ms")?,
            account: c.text("account"),
            region: c.text("region"),
            actor: c.required("actor_key")?,
            actor_type: c.text("actor_type"),
            access_key: c.text("access_key_id"),
            source_ip: c.text("source_ip"),
            service: c.text("service"),
            operation: c.text("operation"),
            error_code: c.text("error_code"),
            event_id: c.text("event_uid"),
            source: Some("Athena".into()),
            file: None,
        })
    })
}

/// A report's sections by name.
pub struct Sections(pub Vec<(&'static str, Answer)>);

impl Sections {
    pub fn get(&self, name: &str) -> Result<&Answer> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a)
            .ok_or_else(|| LakeError::Athena(format!("no {name} section in Athena's answer")))
    }

    /// The `new_sightings` section: what the subject first used a baseline
    /// after its first event.
    pub fn new_sightings(&self) -> Result<Vec<FirstSeen>> {
        rows(self.get("new_sightings")?, |c| {
            let kind = c.required("kind")?;
            Ok(FirstSeen {
                kind: SightingKind::from_name(&kind)
                    .ok_or_else(|| LakeError::Athena(format!("column kind: unknown sighting kind {kind:?}")))?,
                value: c.required("value")?,
                time: c
                    .ms("time_ms")?
                    .ok_or_else(|| LakeError::Athena("column time_ms is empty in Athena's answer".into()))?,
                new: true,
            })
        })
    }

    /// A hostname's report: its resolutions and who asked (`dns.rs`).
    pub fn name(&self, name: &str) -> Result<NameReport> {
        let askers = rows(self.get("askers")?, |c| {
            Ok(DnsAsker {
                ip: c.text("ip"),
                instance: c.text("instance"),
                vpc: c.text("vpc"),
                account: c.text("account"),
                queries: c.count("queries")?,
                first_seen: c.ms("first_ms")?,
                last_seen: c.ms("last_ms")?,
            })
        })?;
        Ok(NameReport {
            name: crate::lake::network::normal_name(name),
            queries: askers.iter().map(|a| a.queries).sum(),
            first_seen: askers.iter().filter_map(|a| a.first_seen).min(),
            last_seen: askers.iter().filter_map(|a| a.last_seen).max(),
            resolutions: dns(self.get("resolutions")?)?,
            askers,
        })
    }

    /// Totals, accounts and the most common actor type.
    fn summary(&self) -> Result<(Totals, Vec<String>, Option<String>)> {
        let mut out = rows(self.get("summary")?, |c| {
            Ok((
                Totals {
                    events: c.count("events")?,
                    errors: c.count("errors")?,
                    first_seen: c.ms("first_ms")?,
                    last_seen: c.ms("last_ms")?,
                },
                c.list("accounts"),
                c.text("type"),
            ))
        })?;
        Ok(out.pop().unwrap_or_default())
    }

    fn actors(&self, name: &str) -> Result<Vec<ActorUse>> {
        rows(self.get(name)?, |c| {
            Ok(ActorUse {
                arn: c.required("arn")?,
                actor_type: c.text("type"),
                events: c.count("events")?,
                errors: c.count("errors")?,
                first_seen: c.ms("first_ms")?,
                last_seen: c.ms("last_ms")?,
            })
        })
    }

    fn operations(&self) -> Result<Vec<OperationRow>> {
        rows(self.get("operations")?, |c| {
            Ok(OperationRow {
                service: c.text("service"),
                operation: c.text("operation"),
                events: c.count("events")?,
                errors: c.count("errors")?,
            })
        })
    }

    fn ips(&self) -> Result<Vec<IpRow>> {
        rows(self.get("source_ips")?, |c| {
            Ok(IpRow {
                ip: c.required("ip")?,
                events: c.count("events")?,
                first_seen: c.ms("first_ms")?,
                last_seen: c.ms("last_ms")?,
            })
        })
    }

    fn sessions(&self, name: &str, relation: SessionRelation) -> Result<Vec<SessionRow>> {
        rows(self.get(name)?, |c| {
            Ok(SessionRow {
                name: c.required("name")?,
                issuer: c.text("issuer"),
                access_key: c.text("access_key"),
                events: c.count("events")?,
                first_seen: c.ms("first_ms")?,
                last_seen: c.ms("last_ms")?,
                accounts: c.list("accounts"),
                relation,
                started_with_key: c.text("started_with_key"),
            })
        })
    }

    fn mints(&self, name: &str) -> Result<Vec<Mint>> {
        rows(self.get(name)?, |c| {
            Ok(Mint {
                parent_key: c.text("parent_key"),
                parent_actor: c.text("parent_actor").unwrap_or_default(),
                child_key: c.required("child_key")?,
                session_arn: c.text("session_arn"),
                role_arn: c.text("role_arn"),
                operation: c.text("operation"),
                account: c.text("account"),
                time: c.ms("time_ms")?,
                event_id: c.text("event_id"),
            })
        })
    }

    /// An actor's dossier; None when it has no event in scope. Its new
    /// sightings are within the scope; its network sections have no Athena
    /// form: left empty.
    pub fn dossier(&self, arn: &str) -> Result<Option<Dossier>> {
        let (totals, accounts, actor_type) = self.summary()?;
        if totals.events == 0 {
            return Ok(None);
        }
        let mut sessions = self.sessions("sessions", SessionRelation::Own)?;
        sessions.extend(self.sessions("started_sessions", SessionRelation::Started)?);
        Ok(Some(Dossier {
            arn: arn.to_string(),
            actor_type,
            accounts,
            totals,
            sessions,
            access_keys: rows(self.get("access_keys")?, |c| {
                let id = c.required("id")?;
                Ok(KeyRow {
                    kind: key_kind(&id),
                    id,
                    events: c.count("events")?,
                    first_seen: c.ms("first_ms")?,
                    last_seen: c.ms("last_ms")?,
                })
            })?,
            source_ips: self.ips()?,
            resources: rows(self.get("resources")?, |c| {
                Ok(ResourceRow {
                    id: c.required("id")?,
                    resource_type: c.text("type"),
                    events: c.count("events")?,
                    operations: c.list("operations"),
                })
            })?,
            operations: self.operations()?,
            new_sightings: self.new_sightings()?,
            beyond: Beyond::default(),
        }))
    }

    pub fn ip(&self, ip: &str) -> Result<IpReport> {
        let (totals, accounts, _) = self.summary()?;
        Ok(IpReport {
            ip: ip.to_string(),
            totals,
            accounts,
            actors: self.actors("actors")?,
            operations: self.operations()?,
            user_agents: rows(self.get("user_agents")?, |c| {
                Ok(UserAgentRow {
                    user_agent: c.required("user_agent")?,
                    events: c.count("events")?,
                })
            })?,
            beyond: Beyond::default(),
        })
    }

    pub fn key(&self, key: &str) -> Result<KeyReport> {
        let (totals, accounts, _) = self.summary()?;
        Ok(KeyReport {
            id: key.to_string(),
            kind: key_kind(key),
            totals,
            accounts,
            owners: self.actors("owners")?,
            minted_by: self.mints("minted_by")?.into_iter().next(),
            minted: self.mints("minted")?,
            source_ips: self.ips()?,
            operations: self.operations()?,
            beyond: Beyond::default(),
        })
    }

    pub fn resource(&self, id: &str) -> Result<ResourceReport> {
        let (totals, accounts, _) = self.summary()?;
        Ok(ResourceReport {
            id: id.to_string(),
            totals,
            accounts,
            actors: self.actors("actors")?,
            operations: self.operations()?,
            beyond: Beyond::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::athena::run::QueryStats;

    fn answer(columns: &[&str], rows: &[&[Option<&str>]]) -> Answer {
        Answer {
            stats: QueryStats {
                query_id: "q".into(),
                data_scanned_bytes: 0,
                engine_ms: 0,
                cost_usd: 0.0,
            },
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.map(str::to_string)).collect())
                .collect(),
        }
    }

    #[test]
    fn cells_by_name_and_bad_numbers_named() {
        let a = answer(
            &[
                "arn", "events", "errors", "first_ms", "last_ms", "ips", "type", "account",
            ],
            &[&[
                Some("arn:x"),
                Some("3"),
                None,
                Some("1000"),
                Some("2000"),
                Some("1"),
                None,
                Some("1"),
            ]],
        );
        let rows = actors(&a).unwrap();
        assert_eq!(rows[0].events, 3);
        assert_eq!(rows[0].errors, 0);
        assert_eq!(rows[0].first_seen, Some(Millis(1000)));
        let bad = answer(&["arn", "events"], &[&[Some("arn:x"), Some("many")]]);
        let err = actors(&bad).unwrap_err().to_string();
        assert!(err.contains("events") && err.contains("many"), "{err}");
    }
}
