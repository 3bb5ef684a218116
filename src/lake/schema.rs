//! DuckDB column types as a tree, parsed from `DESCRIBE` output.
//!
//! Projections are generated from the schema a group of files really has:
//! referencing a nested field that one file lacks can raise an INTERNAL error
//! that invalidates the whole database (`docs/formats.md#duckdb-traps`), so a path is
//! only used when [`Schema::has`] says it exists.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    Scalar(String),
    Struct(Vec<(String, ColumnType)>),
    List(Box<ColumnType>),
    Map(Box<ColumnType>, Box<ColumnType>),
}

impl ColumnType {
    pub fn parse(text: &str) -> Option<ColumnType> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let t = p.ty()?;
        p.ws();
        (p.i == p.s.len()).then_some(t)
    }

    fn field(&self, name: &str) -> Option<&ColumnType> {
        match self {
            ColumnType::Struct(fields) => fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, t)| t),
            _ => None,
        }
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self, ColumnType::Scalar(_))
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn starts_with_kw(&self, kw: &str) -> bool {
        let rest = &self.s[self.i..];
        rest.len() > kw.len() && rest[..kw.len()].eq_ignore_ascii_case(kw.as_bytes()) && rest[kw.len()] == b'('
    }

    fn ty(&mut self) -> Option<ColumnType> {
        self.ws();
        let mut t = if self.starts_with_kw("STRUCT") {
            self.i += "STRUCT(".len();
            let mut fields = Vec::new();
            loop {
                let name = self.name()?;
                let ft = self.ty()?;
                fields.push((name, ft));
                if self.eat(b')') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
            ColumnType::Struct(fields)
        } else if self.starts_with_kw("MAP") {
            self.i += "MAP(".len();
            let k = self.ty()?;
            if !self.eat(b',') {
                return None;
            }
            let v = self.ty()?;
            if !self.eat(b')') {
                return None;
            }
            ColumnType::Map(Box::new(k), Box::new(v))
        } else {
            ColumnType::Scalar(self.scalar()?)
        };
        loop {
            self.ws();
            if self.s[self.i..].starts_with(b"[]") {
                self.i += 2;
                t = ColumnType::List(Box::new(t));
            } else {
                break;
            }
        }
        Some(t)
    }

    /// A field name: bare or double-quoted (with `""` escapes).
    fn name(&mut self) -> Option<String> {
        self.ws();
        if self.s.get(self.i) == Some(&b'"') {
            self.i += 1;
            let mut out = Vec::new();
            while self.i < self.s.len() {
                if self.s[self.i] == b'"' {
                    if self.s.get(self.i + 1) == Some(&b'"') {
                        out.push(b'"');
                        self.i += 2;
                        continue;
                    }
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                out.push(self.s[self.i]);
                self.i += 1;
            }
            None
        } else {
            let start = self.i;
            while self.i < self.s.len() && !self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
        }
    }

    /// A scalar type such as `VARCHAR`, `DECIMAL(18,3)` or `TIMESTAMP WITH TIME ZONE`.
    fn scalar(&mut self) -> Option<String> {
        let start = self.i;
        let mut depth = 0usize;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b',' if depth == 0 => break,
                b'[' if depth == 0 => break,
                _ => {}
            }
            self.i += 1;
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

/// The top-level columns of a scan, by lower-cased name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    columns: BTreeMap<String, ColumnType>,
}

impl Schema {
    pub fn from_describe(rows: impl IntoIterator<Item = (String, String)>) -> Schema {
        let columns = rows
            .into_iter()
            .map(|(name, ty)| {
                let parsed = ColumnType::parse(&ty).unwrap_or(ColumnType::Scalar(ty));
                (name.to_ascii_lowercase(), parsed)
            })
            .collect();
        Schema { columns }
    }

    /// The type at a dotted path (`actor.user.uid`), if every step exists.
    pub fn get(&self, path: &str) -> Option<&ColumnType> {
        let mut steps = path.split('.');
        let mut t = self.columns.get(&steps.next()?.to_ascii_lowercase())?;
        for step in steps {
            t = t.field(step)?;
        }
        Some(t)
    }

    pub fn has(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// True when the path exists and is a scalar leaf (safe to select as text).
    pub fn has_scalar(&self, path: &str) -> bool {
        self.get(path).is_some_and(ColumnType::is_scalar)
    }

    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_ocsf_types() {
        let t = ColumnType::parse(
            r#"STRUCT("user" STRUCT("type" VARCHAR, "name" VARCHAR, uid VARCHAR, account STRUCT(uid VARCHAR)), "session" STRUCT(created_time BIGINT, mfa BOOLEAN), x DECIMAL(18,3))"#,
        )
        .unwrap();
        let schema = Schema {
            columns: [("actor".to_string(), t)].into_iter().collect(),
        };
        assert!(schema.has_scalar("actor.user.account.uid"));
        assert!(schema.has_scalar("actor.session.mfa"));
        assert!(schema.has_scalar("actor.x"));
        assert!(!schema.has("actor.user.uuid"));
        assert!(!schema.has_scalar("actor.user.account"));
    }

    #[test]
    fn parses_lists_and_maps() {
        let schema = Schema::from_describe([
            ("resources".into(), "STRUCT(uid VARCHAR, \"type\" VARCHAR)[]".into()),
            ("unmapped".into(), "MAP(VARCHAR, VARCHAR)".into()),
            ("Time".into(), "BIGINT".into()),
            ("odd".into(), "TIMESTAMP WITH TIME ZONE".into()),
        ]);
        assert!(matches!(schema.get("resources"), Some(ColumnType::List(_))));
        assert!(matches!(schema.get("unmapped"), Some(ColumnType::Map(_, _))));
        assert!(schema.has_scalar("time"));
        assert_eq!(
            schema.get("odd"),
            Some(&ColumnType::Scalar("TIMESTAMP WITH TIME ZONE".into()))
        );
    }
}
