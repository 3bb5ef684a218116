//! The hunt file format: one TOML file per hunt, read and checked here.
//! A hunt is data (no Rust per hunt): its `[[match]]` rules over the flat
//! event shape, and optionally a first-sighting condition and a burst.
//! See README "Hunts" for the format as users write it.

use serde::{Deserialize, Serialize};

use super::sigma_expr::Expr;

/// A hunt file that cannot be used, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error("hunt {name}: {source}")]
    Toml {
        name: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("hunt {name}: {detail}")]
    Invalid { name: String, detail: String },
    #[error("hunt folder {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A hunt file that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedHunt {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A user's severity, any case; a typo is an error, never "all".
    pub fn parse(text: &str) -> Result<Severity, String> {
        let wanted = text.trim().to_ascii_lowercase();
        Severity::ALL
            .into_iter()
            .find(|s| s.name() == wanted || (wanted == "informational" && *s == Severity::Info))
            .ok_or_else(|| format!("unknown severity {text:?} (info, low, medium, high, critical)"))
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One hunt as its file declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hunt {
    pub id: String,
    pub title: String,
    /// ATT&CK tactic, by name (`Persistence`).
    pub tactic: String,
    /// ATT&CK technique id (`T1098.001`).
    pub technique: String,
    pub severity: Severity,
    /// Why a hit matters and how to tell a false positive.
    pub description: String,
    /// Ways an event matches: any rule, each with all of its conditions.
    /// (Empty for a sequence.)
    #[serde(rename = "match", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Only events whose value was first seen for their actor (or account)
    /// after its baseline day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<NewSighting>,
    /// Only matching events that come in a burst from one actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<Burst>,
    /// Steps that one actor takes in order within a window, instead of
    /// `rules`: the hunt hits the chain of events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Sequence>,
    /// A Sigma rule's detection, used instead of `rules` (never in TOML).
    #[serde(skip)]
    pub sigma: Option<Expr>,
}

/// What an event must be; every condition given must hold. Lists mean
/// "any of".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actor_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actor_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_codes: Vec<String>,
    #[serde(default)]
    pub outcome: Outcome,
    /// A regular expression the actor key (usually its ARN) must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_matches: Option<String>,
    /// The MFA flag (the session's, or a sign-in's own): `false` matches events not known to use MFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<FieldTest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<FieldTest>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    #[default]
    Any,
    Success,
    Failure,
}

/// A test of one value of the request or response JSON (`path` as in
/// DuckDB's `->>`, `$` for the whole document). Every test given holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTest {
    pub path: String,
    /// The value is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// The value contains one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<String>,
    /// The value contains a match of this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The value is there (true) or absent (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// The value is there and names someone other than the actor (a user
    /// name that is not the caller's own).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_than_actor: bool,
    /// The value is an ARN of another account than the actor's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other_account: bool,
}

/// "First time seen": the event's `value` is new for its actor (or
/// account), first seen after that subject's first day in the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSighting {
    pub value: SightingValue,
    #[serde(rename = "for", default)]
    pub subject: Subject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SightingValue {
    SrcIp,
    /// The source IP's network: its /24 (IPv4) or /48 (IPv6).
    SrcNet,
    Region,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    #[default]
    Actor,
    Account,
}

/// A sequence: each step's events (matched like a hunt's) by one actor, in
/// order, the last within `window` of the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub window: String,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step is, in a few words.
    pub name: String,
    #[serde(rename = "match")]
    pub rules: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<NewSighting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<Burst>,
}

/// At least `count` matching events from one actor within `window`
/// (`30s`, `5m`, `1h`, `1d`); every event counted in such a burst is a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub count: u32,
    pub window: String,
    /// Count only events whose value the actor did not use within the
    /// window before: an intruder tries many calls or reads many secrets,
    /// a busy application repeats the same few all day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<BurstDistinct>,
    /// And at least this many times the actor's usual count in such a
    /// window (its counted events per hour it was active in, scaled to the
    /// window): an identity denied all day long is not in a burst at every
    /// moment, one that suddenly does five times its usual is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_usual: Option<u32>,
}

/// The value a burst counts distinct occurrences of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BurstDistinct {
    /// The call's operation.
    Operation,
    /// The call: its operation and whole request (for a read, which
    /// secret or parameter; for a listing, which page).
    Request,
}

impl Burst {
    /// The window in milliseconds (checked when the hunt is read).
    pub fn window_ms(&self) -> Option<i64> {
        duration_ms(&self.window)
    }
}

/// `30s`, `5m`, `1h`, `2d` as milliseconds; a window is never empty.
pub fn duration_ms(text: &str) -> Option<i64> {
    crate::lake::scope::duration_ms(text).filter(|ms| *ms > 0)
}

impl Hunt {
    /// The regular expressions of the hunt (checked by the engine before a run).
    pub fn patterns(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.rules.iter().flat_map(|r| r.patterns()).collect();
        all.extend(self.sigma.iter().flat_map(Expr::patterns));
        all
    }

    /// Read one hunt file; `name` (its file name) is used in errors.
    pub fn parse(name: &str, text: &str) -> Result<Hunt, HuntError> {
        let hunt: Hunt = toml::from_str(text).map_err(|source| HuntError::Toml {
            name: name.to_string(),
            source: Box::new(source),
        })?;
        hunt.check().map_err(|detail| HuntError::Invalid {
            name: name.to_string(),
            detail,
        })?;
        Ok(hunt)
    }

    fn check(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(format!("id {:?} must be lower-case letters, digits and '-'", self.id));
        }
        if !is_technique(&self.technique) {
            return Err(format!(
                "technique {:?} is not an ATT&CK id like T1098.001",
                self.technique
            ));
        }
        for (what, text) in [
            ("title", &self.title),
            ("tactic", &self.tactic),
            ("description", &self.description),
        ] {
            if text.trim().is_empty() {
                return Err(format!("{what} is empty"));
            }
        }
        match &self.sequence {
            None => check_matching(&self.rules, self.burst.as_ref()),
            Some(seq) if self.rules.is_empty() && self.new.is_none() && self.burst.is_none() => {
                if duration_ms(&seq.window).is_none() {
                    return Err(format!("sequence.window {:?} is not a duration like 1h", seq.window));
                }
                if seq.steps.len() < 2 {
                    return Err("a sequence needs at least two [[sequence.step]]".into());
                }
                for (i, step) in seq.steps.iter().enumerate() {
                    check_matching(&step.rules, step.burst.as_ref())
                        .map_err(|e| format!("[[sequence.step]] {}: {e}", i + 1))?;
                }
                Ok(())
            }
            Some(_) => Err("a sequence has its [[match]], [new] and [burst] in its steps".into()),
        }
    }
}

/// Rules and a burst, of a hunt or of a sequence's step.
fn check_matching(rules: &[Rule], burst: Option<&Burst>) -> Result<(), String> {
    if rules.is_empty() {
        return Err("no [[match]] rule".into());
    }
    for (i, rule) in rules.iter().enumerate() {
        rule.check().map_err(|e| format!("[[match]] {}: {e}", i + 1))?;
    }
    if let Some(burst) = burst {
        if burst.count < 2 {
            return Err("burst.count must be at least 2".into());
        }
        if burst.over_usual.is_some_and(|f| !(1..=1000).contains(&f)) {
            return Err("burst.over_usual must be between 1 and 1000".into());
        }
        if burst.window_ms().is_none() {
            return Err(format!("burst.window {:?} is not a duration like 5m", burst.window));
        }
    }
    Ok(())
}

fn is_technique(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = rest.split_once('.').unwrap_or((rest, "000"));
    main.len() == 4 && sub.len() == 3 && main.chars().chain(sub.chars()).all(|c| c.is_ascii_digit())
}

impl Rule {
    fn check(&self) -> Result<(), String> {
        // A rule of outcome alone would match most of the lake.
        let narrows = !self.operations.is_empty()
            || !self.services.is_empty()
            || !self.actor_types.is_empty()
            || !self.error_codes.is_empty()
            || self.actor_matches.is_some()
            || !self.request.is_empty()
            || !self.response.is_empty();
        if !narrows {
            return Err("needs operations, services, actor_types, error_codes, actor_matches or a field test".into());
        }
        for test in self.request.iter().chain(&self.response) {
            if !(test.path == "$" || test.path.starts_with("$.")) {
                return Err(format!("path {:?} must start with \"$.\" (or be \"$\")", test.path));
            }
            let tests = usize::from(!test.equals.is_empty())
                + usize::from(!test.contains.is_empty())
                + usize::from(test.matches.is_some())
                + usize::from(test.present.is_some())
                + usize::from(test.other_than_actor)
                + usize::from(test.other_account);
            if tests == 0 {
                return Err(format!(
                    "field {}: no test (equals, contains, matches, present…)",
                    test.path
                ));
            }
        }
        Ok(())
    }

    /// The regular expressions of the rule (checked by the engine before a run).
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.actor_matches
            .iter()
            .chain(
                self.request
                    .iter()
                    .chain(&self.response)
                    .filter_map(|t| t.matches.as_ref()),
            )
            .map(String::as_str)
    }
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
