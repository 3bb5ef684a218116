//! The `:` command line: parsing and completion.

use crate::lake::{Lake, Scope, parse_time};

use super::target::{Subject, Target};
use crate::lake::EventCriteria;
use crate::lake::findings::{FindingCriteria, parse_severity};
use crate::lake::network::{FlowCriteria, normal_name};

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Open(Subject),
    /// Findings, a finding, a hostname, flows: pages rows also lead to.
    Go(Target),
    /// The AWS Config view of a resource (id, ARN or name).
    Config(String),
    Scope(Scope),
    Events(EventCriteria),
    Actors,
    Partitions,
    /// The user's own SQL over `ev`, as `lakescope sql` runs it.
    Sql(String),
    /// Files the engine could not read, with the reason.
    Problems,
    /// The clock of timelines: UTC, local or a fixed offset.
    Zone(crate::lake::buckets::Zone),
    /// Mark the selected row in the case, with an optional tag.
    Mark(Option<String>),
    /// A note on the selected row's mark.
    Note(String),
    /// The case screen; with a name, that case first (made if new).
    Case(Option<String>),
    /// `--engine athena`: let questions over the cost guard run (`yes`) or not (`no`).
    Athena(bool),
    /// `--engine athena`: sync the partitions the page's answer touched into DIR.
    SyncBack(std::path::PathBuf),
    Quit,
}

pub const COMMANDS: [(&str, &str); 22] = [
    ("actor", ":actor ARN       an actor's dossier"),
    ("ip", ":ip IP           who came from an IP"),
    ("key", ":key ID          who used a key, what it minted"),
    ("resource", ":resource ID     who touched a resource"),
    ("config", ":config ID       a resource's AWS Config history and graph"),
    (
        "findings",
        ":findings [low|medium|high|critical] [names=… product=… status=…]   findings, most severe first",
    ),
    (
        "finding",
        ":finding ID      one finding: what it names, events around it",
    ),
    ("dns", ":dns NAME        a hostname: what it resolved to, who asked"),
    ("flows", ":flows ip=…|instance=…|eni=… [port=… action=accept|reject]"),
    (
        "scope",
        ":scope account=… region=… from=… to=…   (times: 2024-05-04, now, -30m, 7d; nothing: whole lake)",
    ),
    ("events", ":events [actor=… ip=… key=… resource=… operation=… errors]"),
    ("actors", ":actors          the actors table"),
    ("hunts", ":hunts           hits of the built-in and your hunts"),
    (
        "sql",
        ":sql SELECT …    your SQL over ev (columns: lakescope sql --help)",
    ),
    ("problems", ":problems       unreadable files set aside, and why"),
    (
        "mark",
        ":mark [TAG]      mark the selected row in the case (suspicious, benign, ioc…)",
    ),
    ("note", ":note TEXT       a note on the selected row's mark"),
    (
        "case",
        ":case [NAME]    the case (or switch to case NAME): marks in time order",
    ),
    (
        "tz",
        ":tz utc|local|+05:30|Europe/Berlin   the clock of timelines (z toggles it with UTC)",
    ),
    (
        "athena",
        ":athena yes|no   (--engine athena) run questions with no day bound or over the scan limit, or not",
    ),
    (
        "sync-back",
        ":sync-back DIR   (--engine athena) sync the partitions the page's answer touched into DIR",
    ),
    ("quit", ":quit"),
];

pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let arg = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!(":{name} needs {what}"))
        } else {
            Ok(rest.to_string())
        }
    };
    Ok(match name {
        "actor" | "a" => Command::Open(Subject::Actor(arg("an actor ARN or key")?)),
        "ip" => Command::Open(Subject::Ip(arg("an IP address")?)),
        "key" | "k" => Command::Open(Subject::Key(arg("an access key id")?)),
        "resource" | "r" => Command::Open(Subject::Resource(arg("a resource id or ARN")?)),
        "config" | "c" => Command::Config(arg("a resource id, ARN or name")?),
        "findings" => Command::Go(Target::Findings(parse_findings(rest)?)),
        "finding" => Command::Go(Target::Finding(arg("a finding id")?)),
        "dns" => Command::Go(Target::Name(normal_name(&arg("a hostname")?))),
        "flows" => Command::Go(Target::Flows(parse_flows(rest)?)),
        "scope" => Command::Scope(parse_scope(rest)?),
        "events" => Command::Events(parse_events(rest)?),
        "actors" => Command::Actors,
        "hunts" => Command::Go(Target::Hunts),
        "sql" => Command::Sql(arg("a SELECT over ev")?),
        "partitions" => Command::Partitions,
        "problems" => Command::Problems,
        "tz" => Command::Zone(
            arg("utc, local, an offset like +02:00 or a zone like Europe/Berlin")?
                .parse()
                .map_err(|e| format!("{e}"))?,
        ),
        "mark" | "m" => Command::Mark(Some(rest.to_string()).filter(|t| !t.is_empty())),
        "note" => Command::Note(arg("the note's text")?),
        "case" => Command::Case(Some(rest.to_string()).filter(|n| !n.is_empty())),
        "athena" => Command::Athena(match rest {
            "yes" => true,
            "no" => false,
            _ => return Err(":athena yes (run questions over the cost guard) or :athena no".into()),
        }),
        "sync-back" => Command::SyncBack(arg("a directory to sync the slice into")?.into()),
        "q" | "quit" => Command::Quit,
        "" => return Err("empty command".into()),
        other => {
            return Err(format!(
                "unknown command :{other} (try :actor :ip :key :resource :findings :dns :flows :scope :events)"
            ));
        }
    })
}

fn pairs(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_whitespace().map(|w| w.split_once('=').unwrap_or((w, "")))
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

/// `account=1,2 region=us-east-1 from=2024-05-04 to=2024-05-05`; `all` or nothing: the whole lake.
pub fn parse_scope(text: &str) -> Result<Scope, String> {
    let mut scope = Scope::default();
    for (key, value) in pairs(text) {
        match key {
            "all" if value.is_empty() => {}
            "account" | "accounts" => scope.accounts = list(value),
            "region" | "regions" => scope.regions = list(value),
            "from" => scope.from_ms = Some(parse_time(value, false).map_err(|e| e.to_string())?),
            "to" => scope.to_ms = Some(parse_time(value, true).map_err(|e| e.to_string())?),
            other => return Err(format!("unknown scope field {other:?} (account= region= from= to=)")),
        }
    }
    Ok(scope)
}

fn parse_events(text: &str) -> Result<EventCriteria, String> {
    let mut f = EventCriteria::default();
    for (key, value) in pairs(text) {
        let v = Some(value.to_string()).filter(|v| !v.is_empty());
        match key {
            "actor" => f.actor = v,
            "ip" => f.ip = v,
            "key" => f.key = v,
            "resource" => f.resource = v,
            "operation" => f.operation = v,
            "errors" => f.errors_only = true,
            other => return Err(format!("unknown events field {other:?}")),
        }
    }
    Ok(f)
}

/// `:findings high`: at least that severity; nothing: all.
/// `[low|medium|high|critical] [names=… product=… status=…]`.
fn parse_findings(text: &str) -> Result<FindingCriteria, String> {
    let mut c = FindingCriteria::default();
    for (key, value) in pairs(text) {
        let v = Some(value.to_string()).filter(|v| !v.is_empty());
        match (key, v) {
            ("names", v) => c.names = v,
            ("product", v) => c.product = v,
            ("status", v) => c.status = v,
            (level, None) => {
                parse_severity(level)?;
                c.severity = Some(level.to_string());
            }
            (other, Some(_)) => return Err(format!(":findings: unknown {other}= (names= product= status=)")),
        }
    }
    Ok(c)
}

/// `ip=… instance=… eni=… port=… action=…`; a subject is needed, as
/// the flows of a whole lake are too many to list usefully.
fn parse_flows(text: &str) -> Result<FlowCriteria, String> {
    let mut c = FlowCriteria::default();
    for (key, value) in pairs(text) {
        let v = Some(value.to_string()).filter(|v| !v.is_empty());
        match key {
            "ip" => c.ip = v,
            "instance" => c.instance = v,
            "eni" => c.eni = v,
            "port" => c.port = Some(value.parse().map_err(|_| format!("port={value:?} is not a port"))?),
            "action" => c.action = v,
            other => {
                return Err(format!(
                    "unknown flows field {other:?} (ip= instance= eni= port= action=)"
                ));
            }
        }
    }
    if c.ip.is_none() && c.instance.is_none() && c.eni.is_none() {
        return Err(":flows needs ip=…, instance=… or eni=…".into());
    }
    Ok(c)
}

/// Values the completion can offer, gathered from what the app has seen.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub actors: Vec<String>,
    pub ips: Vec<String>,
    pub keys: Vec<String>,
    pub resources: Vec<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub days: Vec<String>,
}

impl Known {
    /// Accounts, regions and days of the lake's partitions.
    pub fn of(lake: &Lake) -> Known {
        let mut known = Known::default();
        for p in &lake.partitions(&Scope::default()) {
            known.accounts.extend(p.account.clone());
            known.regions.extend(p.region.clone());
            if let Some(d) = p.day.as_ref().filter(|d| d.len() == 8) {
                known.days.push(format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8]));
            }
        }
        for list in [&mut known.accounts, &mut known.regions, &mut known.days] {
            list.sort();
            list.dedup();
        }
        known
    }
}

/// Whole-line candidates for what is typed so far.
pub fn complete(line: &str, known: &Known) -> Vec<String> {
    let Some((name, rest)) = line.split_once(' ') else {
        return COMMANDS
            .iter()
            .filter(|(c, _)| c.starts_with(line))
            .map(|(c, _)| format!("{c} "))
            .collect();
    };
    let values = match name {
        "actor" | "a" => &known.actors,
        "ip" => &known.ips,
        "flows" => return complete_flows(name, rest, known),
        "key" | "k" => &known.keys,
        "resource" | "r" | "config" | "c" => &known.resources,
        "scope" => return complete_scope(name, rest, known),
        _ => return Vec::new(),
    };
    let needle = rest.to_lowercase();
    values
        .iter()
        .filter(|v| v.to_lowercase().contains(&needle))
        .map(|v| format!("{name} {v}"))
        .collect()
}

/// `:flows ip=` offers the IPs seen; `:flows instance=` the instances.
fn complete_flows(name: &str, rest: &str, known: &Known) -> Vec<String> {
    let (field, word) = rest.split_once('=').unwrap_or(("", rest));
    let values: Vec<String> = match field {
        "ip" => known.ips.clone(),
        "instance" | "eni" => known
            .resources
            .iter()
            .filter_map(|r| r.rsplit(['/', ':']).next())
            .filter(|id| id.starts_with(if field == "eni" { "eni-" } else { "i-" }))
            .map(String::from)
            .collect(),
        _ => {
            return ["ip=", "instance=", "eni="]
                .iter()
                .filter(|o| o.starts_with(rest))
                .map(|o| format!("{name} {o}"))
                .collect();
        }
    };
    values
        .into_iter()
        .filter(|v| v.contains(word))
        .map(|v| format!("{name} {field}={v}"))
        .collect()
}

fn complete_scope(name: &str, rest: &str, known: &Known) -> Vec<String> {
    let (done, word) = match rest.rfind(' ') {
        Some(i) => (&rest[..=i], &rest[i + 1..]),
        None => ("", rest),
    };
    let options: Vec<String> = match word.split_once('=') {
        None => ["account=", "region=", "from=", "to="]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(("account", _)) => known.accounts.iter().map(|a| format!("account={a}")).collect(),
        Some(("region", _)) => known.regions.iter().map(|r| format!("region={r}")).collect(),
        Some(("from", _)) => known.days.iter().map(|d| format!("from={d}")).collect(),
        Some(("to", _)) => known.days.iter().map(|d| format!("to={d}")).collect(),
        Some(_) => Vec::new(),
    };
    options
        .into_iter()
        .filter(|o| o.starts_with(word))
        .map(|o| format!("{name} {done}{o}"))
        .collect()
}

/// The longest prefix all candidates share.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut end = first.len();
    for c in &candidates[1..] {
        end = end.min(first.bytes().zip(c.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_take_a_severity_and_what_they_name() {
        let c = parse_findings("high names=203.0.113.66 status=new").unwrap();
        assert_eq!(c.severity.as_deref(), Some("high"));
        assert_eq!(c.names.as_deref(), Some("203.0.113.66"));
        assert_eq!(c.status.as_deref(), Some("new"));
        assert_eq!(parse_findings("").unwrap(), FindingCriteria::default());
        assert!(parse_findings("severe").is_err());
        assert!(parse_findings("colour=red").is_err());
    }

    #[test]
    fn parses_commands_and_scopes() {
        assert_eq!(
            parse("ip 203.0.113.66"),
            Ok(Command::Open(Subject::Ip("203.0.113.66".into())))
        );
        assert!(parse("ip").is_err());
        assert_eq!(parse("config sg-0a1b2c3d"), Ok(Command::Config("sg-0a1b2c3d".into())));
        assert!(parse("config").is_err());
        assert!(parse("fly away").is_err());
        let Ok(Command::Scope(scope)) = parse("scope account=1,2 from=2024-05-04") else {
            panic!()
        };
        assert_eq!(scope.accounts, vec!["1".to_string(), "2".to_string()]);
        assert!(scope.from_ms.is_some() && scope.to_ms.is_none());
        assert_eq!(parse("scope"), Ok(Command::Scope(Scope::default())));
        assert!(parse("scope from=yesterday").is_err());
        // Relative to the clock: half an hour up to now.
        let Ok(Command::Scope(scope)) = parse("scope from=-30m to=now") else {
            panic!()
        };
        let (from, to) = (scope.from_ms.unwrap(), scope.to_ms.unwrap());
        assert!((1_800_000..1_860_000).contains(&(to - from)), "{from}..{to}");
    }

    #[test]
    fn completes_commands_and_values() {
        let known = Known {
            actors: vec!["arn:aws:iam::1:user/ci-deploy".into()],
            accounts: vec!["111122223333".into()],
            ..Known::default()
        };
        assert_eq!(
            complete("ac", &known),
            vec!["actor ".to_string(), "actors ".to_string()]
        );
        assert_eq!(
            complete("actor deploy", &known),
            vec!["actor arn:aws:iam::1:user/ci-deploy".to_string()]
        );
        assert_eq!(
            complete("scope region=x acc", &known),
            vec!["scope region=x account=".to_string()]
        );
        assert_eq!(
            complete("scope account=1", &known),
            vec!["scope account=111122223333".to_string()]
        );
        assert_eq!(common_prefix(&["actor ".into(), "actors ".into()]), "actor");
    }
}
