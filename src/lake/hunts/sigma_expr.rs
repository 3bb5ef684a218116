//! A Sigma rule's detection once read: a boolean expression of field
//! tests over the flat event shape, turned into SQL with every value bound.
//! Sigma matches strings without regard to case, except `|re`.

use duckdb::types::Value;

use crate::lake::scope::Filter;

/// Where a Sigma field's value is in the flat event shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A flat column holding text.
    Column(&'static str),
    /// The session's MFA flag, compared as the text `true` or `false`.
    Mfa,
    /// A value inside the request or response JSON (`$.a.b`), or the whole
    /// document for `$`.
    Json { column: &'static str, path: String },
}

/// How the value is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Equal, with Sigma's `*` and `?` wildcards.
    Equals,
    Contains,
    StartsWith,
    EndsWith,
    /// A regular expression (case matters, as in Sigma).
    Regex,
    /// IPv4 networks, as (first, last) addresses.
    Cidr(Vec<(i64, i64)>),
    /// The field is there (`|exists: true`) or not.
    Exists(bool),
    /// `field: null`: no value.
    Null,
}

/// One field test: any of `values` (all of them with `|all`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTest {
    pub field: Field,
    pub op: Op,
    pub values: Vec<String>,
    pub all: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Test(FieldTest),
}

impl Expr {
    /// The SQL condition, its values bound in `f`.
    pub fn sql(&self, f: &mut Filter) -> String {
        match self {
            Expr::And(parts) => join(parts, " AND ", "true", f),
            Expr::Or(parts) => join(parts, " OR ", "false", f),
            // NULL (a missing field) counts as "does not match".
            Expr::Not(inner) => format!("(({}) IS NOT TRUE)", inner.sql(f)),
            Expr::Test(test) => test.sql(f),
        }
    }

    /// The regular expressions of the expression (checked before a run).
    pub fn patterns(&self) -> Vec<&str> {
        match self {
            Expr::And(parts) | Expr::Or(parts) => parts.iter().flat_map(Expr::patterns).collect(),
            Expr::Not(inner) => inner.patterns(),
            Expr::Test(t) if t.op == Op::Regex => t.values.iter().map(String::as_str).collect(),
            Expr::Test(_) => Vec::new(),
        }
    }
}

fn join(parts: &[Expr], with: &str, empty: &str, f: &mut Filter) -> String {
    if parts.is_empty() {
        return empty.to_string();
    }
    let sql: Vec<String> = parts.iter().map(|p| format!("({})", p.sql(f))).collect();
    sql.join(with)
}

impl FieldTest {
    fn sql(&self, f: &mut Filter) -> String {
        let v = match &self.field {
            Field::Column(name) => name.to_string(),
            Field::Mfa => "CAST(session_mfa AS VARCHAR)".to_string(),
            Field::Json { column, path } if path == "$" => column.to_string(),
            Field::Json { column, path } => format!("(TRY_CAST({column} AS JSON) ->> {})", f.bind_text(path)),
        };
        match &self.op {
            Op::Null => return format!("coalesce({v}, '') = ''"),
            Op::Exists(true) => return format!("{v} IS NOT NULL"),
            Op::Exists(false) => return format!("{v} IS NULL"),
            Op::Cidr(nets) => {
                let ip = format!(
                    "CASE WHEN regexp_full_match({v}, '[0-9]{{1,3}}(\\.[0-9]{{1,3}}){{3}}') THEN \
                     list_reduce(list_transform(string_split({v}, '.'), lambda x: TRY_CAST(x AS BIGINT)), \
                     lambda a, b: a * 256 + b) END"
                );
                let any: Vec<String> = nets
                    .iter()
                    .map(|(lo, hi)| {
                        let (lo, hi) = (f.bind(Value::BigInt(*lo)), f.bind(Value::BigInt(*hi)));
                        format!("({ip} BETWEEN {lo} AND {hi})")
                    })
                    .collect();
                return format!("({})", any.join(" OR "));
            }
            _ => {}
        }
        let tests: Vec<String> = self
            .values
            .iter()
            .map(|value| match &self.op {
                Op::Regex => format!("regexp_matches({v}, {})", f.bind_text(value)),
                Op::Equals if has_wildcard(value) => {
                    let p = f.bind_text(&like_pattern(value, false, false));
                    format!("lower({v}) LIKE lower({p}) ESCAPE '\\'")
                }
                Op::Equals => format!("lower({v}) = lower({})", f.bind_text(value)),
                Op::Contains => like(&v, value, true, true, f),
                Op::StartsWith => like(&v, value, false, true, f),
                Op::EndsWith => like(&v, value, true, false, f),
                Op::Cidr(_) | Op::Exists(_) | Op::Null => "false".to_string(),
            })
            .collect();
        let with = if self.all { " AND " } else { " OR " };
        format!("({})", tests.join(with))
    }
}

fn like(v: &str, value: &str, open_start: bool, open_end: bool, f: &mut Filter) -> String {
    let p = f.bind_text(&like_pattern(value, open_start, open_end));
    format!("lower({v}) LIKE lower({p}) ESCAPE '\\'")
}

/// Unescaped `*` or `?`: Sigma's wildcards.
fn has_wildcard(value: &str) -> bool {
    let mut escaped = false;
    for c in value.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '*' | '?' if !escaped => return true,
            _ => escaped = false,
        }
    }
    false
}

/// A Sigma value as a LIKE pattern: `*` → `%`, `?` → `_`, `\*` a star;
/// LIKE's own `%`, `_` and `\` escaped; `%` added where the value is open.
pub fn like_pattern(value: &str, open_start: bool, open_end: bool) -> String {
    let mut out = String::new();
    if open_start {
        out.push('%');
    }
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                let next = chars.next().unwrap_or('\\');
                if next == '\\' {
                    out.push_str("\\\\");
                } else {
                    out.push(next);
                }
            }
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    if open_end {
        out.push('%');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_wildcards_become_like_patterns() {
        assert_eq!(like_pattern("Delete*", false, false), "Delete%");
        assert_eq!(like_pattern("a?c", false, false), "a_c");
        assert_eq!(like_pattern("100%_\\*", true, true), "%100\\%\\_*%");
        assert!(has_wildcard("Put*Policy"));
        assert!(!has_wildcard("literal\\*star"));
    }

    #[test]
    fn values_are_bound() {
        let e = Expr::Not(Box::new(Expr::Test(FieldTest {
            field: Field::Json {
                column: "request_json",
                path: "$.userName".into(),
            },
            op: Op::Contains,
            values: vec!["o'brien".into()],
            all: false,
        })));
        let mut f = Filter::default();
        let sql = e.sql(&mut f);
        assert!(!sql.contains("brien") && !sql.contains("userName"), "{sql}");
        assert!(sql.contains("IS NOT TRUE"), "{sql}");
        assert_eq!(f.params().len(), 2);
    }
}
