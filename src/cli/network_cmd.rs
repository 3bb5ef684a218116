//! `findings`, `finding`, `flows`, `dns` and `http`: the records that are
//! not API calls.

use anyhow::{Result, bail};

use crate::lake::findings::{self, FindingCriteria, parse_severity};
use crate::lake::network::{self, DnsCriteria, FlowCriteria};
use crate::lake::{EventRow, FindingRow, Page, Scope, Session, events};

#[derive(Debug, clap::Subcommand)]
pub enum NetworkCommand {
    /// Findings (Security Hub, GuardDuty, Inspector…), most severe and newest first
    Findings {
        /// At least this severity: informational, low, medium, high, critical
        #[arg(long, value_parser = parse_severity_arg)]
        severity: Option<String>,
        /// Product by prefix, any case: guardduty, inspector, "security hub"…
        #[arg(long)]
        product: Option<String>,
        /// Workflow or compliance status, any case (new, resolved, failed…)
        #[arg(long)]
        status: Option<String>,
        /// Only findings naming this IP, access key, actor ARN or resource id
        #[arg(long, value_name = "VALUE")]
        names: Option<String>,
    },
    /// One finding: what it names and its original record
    Finding {
        #[arg(value_name = "FINDING_ID")]
        id: String,
        /// Also the API calls around it: its actors', keys', IPs' and resources' events
        #[arg(long)]
        events: bool,
        /// How far before and after the finding to look, e.g. 30m, 2h, 1d
        #[arg(long, default_value = "1h", value_parser = parse_window, value_name = "DURATION")]
        window: i64,
    },
    /// VPC flows of an IP, instance or interface, as conversations (most bytes first)
    Flows {
        /// Flows to or from this address (peers are the other side)
        #[arg(long)]
        ip: Option<String>,
        /// Flows of this instance (i-…)
        #[arg(long, value_name = "ID")]
        instance: Option<String>,
        /// Flows of this network interface (eni-…)
        #[arg(long, value_name = "ID")]
        eni: Option<String>,
        /// Either port of the flow
        #[arg(long)]
        port: Option<u16>,
        /// accept or reject
        #[arg(long, value_parser = ["accept", "reject"])]
        action: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// A hostname (who asked, what it resolved to), or the names asked by --ip or answered with --answer
    Dns {
        /// A hostname (with or without the final dot)
        name: Option<String>,
        /// Names asked by this address
        #[arg(long)]
        ip: Option<String>,
        /// Names that resolved to this value (an IP, a CNAME target)
        #[arg(long, value_name = "VALUE")]
        answer: Option<String>,
        /// Names asked from this instance (i-…)
        #[arg(long, value_name = "ID")]
        instance: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// HTTP requests seen by WAF, by client, path and firewall action
    Http {
        /// Requests of this client address
        #[arg(long)]
        ip: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
}

/// `30m`, `2h`, `1d` in milliseconds.
fn parse_window(text: &str) -> std::result::Result<i64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (n, unit) = text.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{text:?}: a number and a unit, like 30m, 2h or 1d"))?;
    let unit_ms = match unit {
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("{text:?}: the unit is m, h or d")),
    };
    n.checked_mul(unit_ms).ok_or_else(|| format!("{text:?} is too long"))
}

/// The events of every subject a finding names, `window` ms before and
/// after it, each once, oldest first.
fn events_around(session: &Session, finding: &FindingRow, window: i64) -> Result<Vec<EventRow>> {
    let (scope, subjects) = findings::around(finding, window, window);
    let page = Page { limit: 1000, offset: 0 };
    let mut rows: Vec<EventRow> = Vec::new();
    for criteria in subjects {
        for row in events::events(session, &scope, &criteria, page)? {
            if !rows.iter().any(|r| r.event_id == row.event_id && r.time == row.time) {
                rows.push(row);
            }
        }
    }
    rows.sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
    Ok(rows)
}

fn parse_severity_arg(text: &str) -> std::result::Result<String, String> {
    parse_severity(text).map(|_| text.to_string())
}

/// The command's answer, ready to print.
/// What a flows or DNS command asks, for either engine.
pub enum Asked {
    Flows(FlowCriteria, Page),
    /// `dns NAME` alone: the name's report.
    Name(String),
    Dns(DnsCriteria, Page),
}

impl NetworkCommand {
    /// `findings`' criteria.
    pub fn finding_criteria(&self) -> Option<FindingCriteria> {
        match self {
            NetworkCommand::Findings {
                severity,
                product,
                status,
                names,
            } => Some(FindingCriteria {
                severity: severity.clone(),
                product: product.clone(),
                status: status.clone(),
                names: names.clone(),
            }),
            _ => None,
        }
    }

    /// What `flows` or `dns` asks.
    pub fn asked(&self) -> Option<Asked> {
        let page = |limit: &u64, offset: &u64| Page {
            limit: *limit,
            offset: *offset,
        };
        Some(match self {
            NetworkCommand::Flows {
                ip,
                instance,
                eni,
                port,
                action,
                limit,
                offset,
            } => Asked::Flows(
                FlowCriteria {
                    ip: ip.clone(),
                    instance: instance.clone(),
                    eni: eni.clone(),
                    port: *port,
                    action: action.clone(),
                },
                page(limit, offset),
            ),
            NetworkCommand::Dns {
                name: Some(name),
                ip: None,
                answer: None,
                instance: None,
                ..
            } => Asked::Name(name.clone()),
            NetworkCommand::Dns {
                name,
                ip,
                answer,
                instance,
                limit,
                offset,
            } => Asked::Dns(
                DnsCriteria {
                    asker: ip.clone(),
                    name: name.clone(),
                    answer: answer.clone(),
                    instance: instance.clone(),
                    vpc: None,
                },
                page(limit, offset),
            ),
            _ => return None,
        })
    }
}

pub fn run(session: &Session, scope: &Scope, command: &NetworkCommand) -> Result<serde_json::Value> {
    let value = match command {
        NetworkCommand::Findings { .. } => {
            let criteria = command.finding_criteria().unwrap_or_default();
            serde_json::to_value(findings::findings(session, scope, &criteria)?)?
        }
        NetworkCommand::Finding { id, events, window } => match findings::finding(session, id)? {
            Some(detail) => {
                let mut value = serde_json::to_value(&detail)?;
                if *events {
                    let around = events_around(session, &detail.finding, *window)?;
                    value["events_around"] = serde_json::to_value(around)?;
                }
                value
            }
            None => bail!("no finding {id:?} in the lake"),
        },
        NetworkCommand::Flows { .. } | NetworkCommand::Dns { .. } => match command.asked() {
            Some(Asked::Flows(criteria, page)) => {
                serde_json::to_value(network::flows(session, scope, &criteria, page)?)?
            }
            Some(Asked::Name(name)) => serde_json::to_value(network::name_report(session, scope, &name)?)?,
            Some(Asked::Dns(criteria, page)) => serde_json::to_value(network::dns(session, scope, &criteria, page)?)?,
            None => bail!("not a flows or DNS question"),
        },
        NetworkCommand::Http { ip, limit, offset } => {
            let page = Page {
                limit: *limit,
                offset: *offset,
            };
            serde_json::to_value(network::http(session, scope, ip.as_deref(), page)?)?
        }
    };
    Ok(value)
}
