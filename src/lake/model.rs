//! Results of the engine's queries. Field names are the JSON keys of the
//! headless CLI (snake_case); times serialise as RFC 3339 UTC.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

use super::scope::format_ms;

/// A file that cannot be read, with DuckDB's (or our) explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileProblem {
    pub path: PathBuf,
    pub problem: String,
}

impl FileProblem {
    /// In the order of their paths, for output that must not change between
    /// runs: files are set aside in whichever order DuckDB's parallel
    /// reader reported them.
    pub fn by_path(mut problems: Vec<FileProblem>) -> Vec<FileProblem> {
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        problems
    }
}

/// Answers taken while the event store is still being written: from the
/// days finished so far (newest first), of all the lake's partition days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartialAnswers {
    /// Partition days finished, of the lake's dated partition days.
    pub days_done: usize,
    pub days_total: usize,
    /// Events in the finished days.
    pub events: u64,
    /// Changes each time a day is added: answers older than it are stale.
    pub generation: u64,
}

/// A baseline of one day: what a subject does in its first day is its
/// habit; later first sightings are new.
pub const BASELINE_MS: i64 = 24 * 3_600_000;

/// Is a row first seen at `first` new for a subject first seen at
/// `subject_first` (a baseline or more after it)?
pub fn new_after_baseline(first: Option<Millis>, subject_first: Option<i64>) -> bool {
    matches!((first, subject_first), (Some(t), Some(s)) if t.0 >= s + BASELINE_MS)
}

/// Epoch milliseconds that serialise as an RFC 3339 UTC string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_ms(self.0))
    }
}

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_ms(self.0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorRow {
    pub arn: String,
    #[serde(rename = "type")]
    pub actor_type: Option<String>,
    pub account: Option<String>,
    pub events: u64,
    pub errors: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    pub ip_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    /// The session's ARN (`arn:aws:sts::…:assumed-role/<role>/<session>`).
    pub name: String,
    /// The role (or user) the session was issued from.
    pub issuer: Option<String>,
    pub access_key: Option<String>,
    pub events: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    /// Accounts the session's key was seen in.
    pub accounts: Vec<String>,
    pub relation: SessionRelation,
    /// For started sessions: the key that made the call that minted it.
    pub started_with_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    pub id: String,
    pub kind: KeyKind,
    pub events: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

/// Enums that serialise as (and compare with) their lower-case names.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value named `text`, if any.
            pub fn from_name(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.name() == *other
            }
        }
    };
}

named_enum! {
    /// How an actor relates to a session in its dossier.
    SessionRelation {
        /// The actor is this session.
        Own => "own",
        /// The actor's credentials minted it (AssumeRole and friends).
        Started => "started",
    }
}

named_enum! {
    /// An access key's kind, from its prefix.
    KeyKind {
        /// `AKIA…`
        LongTerm => "long-term",
        /// `ASIA…`
        Temporary => "temporary",
        Other => "other",
    }
}

named_enum! {
    /// What an actor was first seen with.
    SightingKind {
        Ip => "ip",
        Region => "region",
        Operation => "operation",
    }
}

pub fn key_kind(id: &str) -> KeyKind {
    if id.starts_with("AKIA") {
        KeyKind::LongTerm
    } else if id.starts_with("ASIA") {
        KeyKind::Temporary
    } else {
        KeyKind::Other
    }
}

/// How much a report's subject did: events, failed calls, first and last time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub events: u64,
    pub errors: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpRow {
    pub ip: String,
    pub events: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRow {
    pub id: String,
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    pub events: u64,
    pub operations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationRow {
    pub service: Option<String>,
    pub operation: Option<String>,
    pub events: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dossier {
    pub arn: String,
    #[serde(rename = "type")]
    pub actor_type: Option<String>,
    pub accounts: Vec<String>,
    #[serde(flatten)]
    pub totals: Totals,
    pub sessions: Vec<SessionRow>,
    pub access_keys: Vec<KeyRow>,
    pub source_ips: Vec<IpRow>,
    pub resources: Vec<ResourceRow>,
    pub operations: Vec<OperationRow>,
    /// First sightings after the baseline day, within the lake.
    pub new_sightings: Vec<FirstSeen>,
    #[serde(flatten)]
    pub beyond: Beyond,
}

/// The first time an actor was seen from an IP, in a region or calling an
/// operation, within the lake. `new` when it came after a day of baseline
/// (what an actor does in its first day is its habit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstSeen {
    pub kind: SightingKind,
    pub value: String,
    pub time: Millis,
    pub new: bool,
}

/// An actor seen in a reverse pivot (from an IP, key or resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorUse {
    pub arn: String,
    #[serde(rename = "type")]
    pub actor_type: Option<String>,
    pub events: u64,
    pub errors: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserAgentRow {
    pub user_agent: String,
    pub events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpReport {
    pub ip: String,
    #[serde(flatten)]
    pub totals: Totals,
    pub accounts: Vec<String>,
    pub actors: Vec<ActorUse>,
    pub operations: Vec<OperationRow>,
    pub user_agents: Vec<UserAgentRow>,
    #[serde(flatten)]
    pub beyond: Beyond,
}

/// A credential minted by an STS call (key lineage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mint {
    pub parent_key: Option<String>,
    pub parent_actor: String,
    pub child_key: String,
    pub session_arn: Option<String>,
    pub role_arn: Option<String>,
    pub operation: Option<String>,
    pub account: Option<String>,
    pub time: Option<Millis>,
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    pub id: String,
    pub kind: KeyKind,
    #[serde(flatten)]
    pub totals: Totals,
    pub accounts: Vec<String>,
    /// Identities that used the key (the owner, or the session it belongs to).
    pub owners: Vec<ActorUse>,
    /// The call that minted this key, when it is in the lake.
    pub minted_by: Option<Mint>,
    /// Keys minted by calls made with this key.
    pub minted: Vec<Mint>,
    pub source_ips: Vec<IpRow>,
    pub operations: Vec<OperationRow>,
    #[serde(flatten)]
    pub beyond: Beyond,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceReport {
    pub id: String,
    #[serde(flatten)]
    pub totals: Totals,
    pub accounts: Vec<String>,
    pub actors: Vec<ActorUse>,
    pub operations: Vec<OperationRow>,
    #[serde(flatten)]
    pub beyond: Beyond,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub time: Option<Millis>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub actor: String,
    pub actor_type: Option<String>,
    pub access_key: Option<String>,
    pub source_ip: Option<String>,
    pub service: Option<String>,
    pub operation: Option<String>,
    pub error_code: Option<String>,
    pub event_id: Option<String>,
    pub source: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FindingRow {
    pub id: String,
    pub time: Option<Millis>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub product: Option<String>,
    pub class: Option<String>,
    #[serde(rename = "type")]
    pub finding_type: Option<String>,
    pub title: Option<String>,
    pub severity: Option<String>,
    pub severity_id: Option<i32>,
    pub status: Option<String>,
    pub resources: Vec<String>,
    pub resource_types: Vec<String>,
    pub ips: Vec<String>,
    pub access_keys: Vec<String>,
    pub actors: Vec<String>,
    /// Records of this finding in the lake (one per update and per
    /// Security Lake version); the latest is shown.
    pub records: u64,
    pub source: Option<String>,
    pub file: Option<String>,
}

/// One conversation: a subject address and a peer on one service port.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlowRow {
    pub ip: Option<String>,
    pub peer: Option<String>,
    /// The service port (the lower of the two).
    pub port: Option<i32>,
    pub protocol: Option<i32>,
    /// `outbound` when the subject opened the connection, `inbound` when the peer did.
    pub direction: &'static str,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub packets_out: u64,
    pub packets_in: u64,
    pub flows: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    /// First seen a day or more after the subject's first flow.
    pub new: bool,
    pub enis: Vec<String>,
    pub instances: Vec<String>,
}

/// One name as asked: its answers and who asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DnsRow {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub qtype: Option<String>,
    pub rcode: Option<String>,
    pub answers: Vec<String>,
    pub askers: Vec<String>,
    pub queries: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    /// First asked a day or more after the subject's first query.
    pub new: bool,
}

/// HTTP requests of one client, grouped by what was asked and what the
/// firewall did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpRow {
    pub client_ip: Option<String>,
    pub method: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub action: Option<String>,
    pub rule: Option<String>,
    pub requests: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
}

/// What the lake's other records say about a subject (an IP, key, actor,
/// resource): the findings naming it, its flows, DNS and HTTP requests.
/// Sections a subject cannot have stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Beyond {
    pub findings: Vec<FindingRow>,
    /// Conversations, most bytes first (see `lakescope flows`).
    pub network: Vec<FlowRow>,
    /// Names the subject asked for.
    pub dns: Vec<DnsRow>,
    /// Names that resolved to the subject (an IP).
    pub resolved_from: Vec<DnsRow>,
    /// HTTP requests the subject sent (WAF).
    pub http: Vec<HttpRow>,
}

/// What `lakescope index` prepared for later questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indexed {
    /// Lake files found.
    pub files: usize,
    /// Events de-duplicated into the event store (false without a cache dir).
    pub event_store: bool,
    /// Flows sorted by address (false without flows or a cache dir).
    pub flow_index: bool,
    /// Files that could not be read, with the reason.
    pub set_aside: Vec<FileProblem>,
}
