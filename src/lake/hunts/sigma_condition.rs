//! A Sigma `condition` over named selections: `and`, `or`, `not`,
//! parentheses, `1 of sel*`, `all of sel*`, `1 of them`, `all of them`.
//! Precedence as in Sigma: `not`, then `and`, then `or`. Aggregations
//! (`| count() > 5`) and other syntax are refused with the reason.

use std::collections::BTreeMap;

use super::sigma_expr::Expr;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        match c {
            '(' | ')' => {
                flush(&mut word, &mut out);
                out.push(if c == '(' { Token::Open } else { Token::Close });
            }
            '|' => return Err("aggregations in the condition (`| count() …`) are not supported".into()),
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c if c.is_alphanumeric() || matches!(c, '_' | '*' | '-' | '.') => word.push(c),
            other => return Err(format!("unexpected {other:?} in the condition")),
        }
    }
    flush(&mut word, &mut out);
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    selections: &'a BTreeMap<String, Expr>,
}

/// The condition as one expression over `selections`.
pub fn parse(condition: &str, selections: &BTreeMap<String, Expr>) -> Result<Expr, String> {
    let mut p = Parser {
        tokens: tokens(condition)?,
        at: 0,
        selections,
    };
    let expr = p.or()?;
    match p.tokens.get(p.at) {
        None => Ok(expr),
        Some(t) => Err(format!("unexpected {t:?} in the condition")),
    }
}

impl Parser<'_> {
    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.peek_word().is_some_and(|w| w.eq_ignore_ascii_case(word));
        self.at += usize::from(found);
        found
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.and()?];
        while self.eat("or") {
            parts.push(self.and()?);
        }
        Ok(one_or(parts, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.factor()?];
        while self.eat("and") {
            parts.push(self.factor()?);
        }
        Ok(one_or(parts, Expr::And))
    }

    fn factor(&mut self) -> Result<Expr, String> {
        if self.eat("not") {
            return Ok(Expr::Not(Box::new(self.factor()?)));
        }
        match self.tokens.get(self.at).cloned() {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                match self.tokens.get(self.at) {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err("a parenthesis is not closed in the condition".into()),
                }
            }
            Some(Token::Word(w)) if w == "1" || w.eq_ignore_ascii_case("all") || w.eq_ignore_ascii_case("any") => {
                self.at += 1;
                if !self.eat("of") {
                    return Err(format!("`{w}` must be followed by `of` in the condition"));
                }
                let Some(pattern) = self.peek_word().map(String::from) else {
                    return Err(format!("`{w} of` names no selection"));
                };
                self.at += 1;
                let matching = self.matching(&pattern)?;
                Ok(match w.eq_ignore_ascii_case("all") {
                    true => Expr::And(matching),
                    false => Expr::Or(matching),
                })
            }
            Some(Token::Word(name)) => {
                self.at += 1;
                self.selections
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| format!("the condition names {name:?}, which is not a selection"))
            }
            Some(Token::Close) => Err("unexpected `)` in the condition".into()),
            None => Err("the condition ends too early".into()),
        }
    }

    /// Selections named by `them` (all but those starting with `_`) or a
    /// pattern with `*`.
    fn matching(&self, pattern: &str) -> Result<Vec<Expr>, String> {
        let found: Vec<Expr> = self
            .selections
            .iter()
            .filter(|(name, _)| match pattern {
                "them" => !name.starts_with('_'),
                _ => glob(pattern, name),
            })
            .map(|(_, e)| e.clone())
            .collect();
        if found.is_empty() {
            return Err(format!("`of {pattern}` names no selection"));
        }
        Ok(found)
    }
}

fn one_or(mut parts: Vec<Expr>, many: fn(Vec<Expr>) -> Expr) -> Expr {
    match parts.len() {
        1 => parts.remove(0),
        _ => many(parts),
    }
}

/// `sel*`-style patterns: `*` stands for any run of characters.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len()).any(|i| rest.is_char_boundary(i) && glob(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::hunts::sigma_expr::{Field, FieldTest, Op};

    fn sel(v: &str) -> Expr {
        Expr::Test(FieldTest {
            field: Field::Column("operation"),
            op: Op::Equals,
            values: vec![v.into()],
            all: false,
        })
    }

    fn selections() -> BTreeMap<String, Expr> {
        ["sel_a", "sel_b", "filter", "_hidden"]
            .into_iter()
            .map(|n| (n.to_string(), sel(n)))
            .collect()
    }

    #[test]
    fn precedence_and_quantifiers() {
        let s = selections();
        assert_eq!(
            parse("sel_a or sel_b and not filter", &s).unwrap(),
            Expr::Or(vec![
                sel("sel_a"),
                Expr::And(vec![sel("sel_b"), Expr::Not(Box::new(sel("filter")))])
            ])
        );
        assert_eq!(
            parse("1 of sel_*", &s).unwrap(),
            Expr::Or(vec![sel("sel_a"), sel("sel_b")])
        );
        assert_eq!(
            parse("all of them", &s).unwrap(),
            Expr::And(vec![sel("filter"), sel("sel_a"), sel("sel_b")])
        );
        assert_eq!(
            parse("(sel_a or sel_b) and not filter", &s).unwrap(),
            Expr::And(vec![
                Expr::Or(vec![sel("sel_a"), sel("sel_b")]),
                Expr::Not(Box::new(sel("filter")))
            ])
        );
    }

    #[test]
    fn what_is_not_supported_says_why() {
        let s = selections();
        assert!(parse("sel_a | count() > 5", &s).unwrap_err().contains("aggregations"));
        assert!(parse("sel_c", &s).unwrap_err().contains("not a selection"));
        assert!(parse("(sel_a", &s).unwrap_err().contains("not closed"));
        assert!(parse("1 of x*", &s).unwrap_err().contains("names no selection"));
    }
}
