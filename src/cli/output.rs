//! Rendering of command results as an aligned table, JSON or CSV.
//!
//! Every result is first turned into a `serde_json::Value`, so the JSON keys,
//! the table headers and the CSV columns are the same names.

use std::io::{self, IsTerminal, Write};

use serde_json::Value;

use crate::safe_json;
use crate::text::{sanitize, truncate, width};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// One compact JSON value per line: each row of a list, or the one object.
    Ndjson,
    Csv,
    /// `case export` only: Timesketch's JSONL import (one marked event a line)
    Timesketch,
    /// `case export` only: the case as a Markdown report
    Markdown,
}

impl Format {
    /// Formats only `case export` writes.
    pub fn export_only(self) -> bool {
        matches!(self, Format::Timesketch | Format::Markdown)
    }
}

/// Widest a table cell may be before it is cut with `…`.
const MAX_CELL: usize = 96;

pub fn render(value: &Value, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            safe_json::pretty(value, out)?;
            writeln!(out)
        }
        Format::Ndjson => match value {
            Value::Array(rows) => rows.iter().try_for_each(|row| {
                safe_json::compact(row, out)?;
                writeln!(out)
            }),
            other => {
                safe_json::compact(other, out)?;
                writeln!(out)
            }
        },
        Format::Csv => csv_value(value, out),
        Format::Table => table_value(value, out),
        Format::Timesketch | Format::Markdown => {
            Err(io::Error::other("that format is only for `lakescope case export`"))
        }
    }
}

/// A cell's text: scalars as is, lists of scalars joined with `, `, other
/// nested values as compact JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

fn columns(rows: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for row in rows {
        if let Value::Object(map) = row {
            for key in map.keys() {
                if !cols.contains(key) {
                    cols.push(key.clone());
                }
            }
        }
    }
    cols
}

fn table_value(value: &Value, out: &mut dyn Write) -> io::Result<()> {
    match value {
        Value::Array(rows) => table_rows(rows, out),
        Value::Object(map) => {
            let scalars: Vec<(&String, &Value)> = map.iter().filter(|(_, v)| !is_table(v)).collect();
            let key_width = scalars.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (key, v) in &scalars {
                writeln!(out, "{key:<key_width$}  {}", sanitize(&cell(v)))?;
            }
            for (key, v) in map.iter().filter(|(_, v)| is_table(v)) {
                let rows = v.as_array().map(Vec::as_slice).unwrap_or_default();
                writeln!(out, "\n{key} ({})", rows.len())?;
                table_rows(rows, out)?;
            }
            Ok(())
        }
        other => writeln!(out, "{}", sanitize(&cell(other))),
    }
}

/// A list of objects is shown as its own table.
fn is_table(v: &Value) -> bool {
    matches!(v, Value::Array(items) if items.iter().any(Value::is_object))
}

fn table_rows(rows: &[Value], out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "(none)");
    }
    let cols = columns(rows);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            cols.iter()
                .map(|c| truncate(&sanitize(&cell(row.get(c).unwrap_or(&Value::Null))), MAX_CELL))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| width(&r[i])).max().unwrap_or(0).max(c.len()))
        .collect();
    let line = |out: &mut dyn Write, values: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(v);
            if i + 1 < values.len() {
                text.push_str(&" ".repeat(widths[i].saturating_sub(width(v))));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &cols.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>())?;
    for row in &cells {
        line(out, row)?;
    }
    Ok(())
}

fn csv_value(value: &Value, out: &mut dyn Write) -> io::Result<()> {
    // Data goes out unchanged to pipes; on a terminal, controls are escaped.
    let clean = io::stdout().is_terminal();
    match value {
        Value::Array(rows) => csv_rows(rows, clean, out),
        Value::Object(map) => {
            // A report: its scalar fields, then each list as its own block.
            let scalars: Vec<Value> = vec![Value::Object(
                map.iter()
                    .filter(|(_, v)| !is_table(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )];
            csv_rows(&scalars, clean, out)?;
            for (key, v) in map.iter().filter(|(_, v)| is_table(v)) {
                writeln!(out, "\n# {key}")?;
                csv_rows(v.as_array().map(Vec::as_slice).unwrap_or_default(), clean, out)?;
            }
            Ok(())
        }
        other => writeln!(out, "{}", cell(other)),
    }
}

fn csv_rows(rows: &[Value], clean: bool, out: &mut dyn Write) -> io::Result<()> {
    let cols = columns(rows);
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&cols).map_err(io::Error::other)?;
    for row in rows {
        let record: Vec<String> = cols
            .iter()
            .map(|c| {
                let text = cell(row.get(c).unwrap_or(&Value::Null));
                if clean { sanitize(&text) } else { text }
            })
            .collect();
        writer.write_record(&record).map_err(io::Error::other)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(v: &Value, f: Format) -> String {
        let mut buf = Vec::new();
        render(v, f, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn tables_align_and_escape() {
        let v = json!([{"arn": "a\u{1b}[31m", "events": 3}, {"arn": "bb", "events": 10}]);
        assert_eq!(show(&v, Format::Table), "ARN      EVENTS\na\\e[31m  3\nbb       10\n");
    }

    #[test]
    fn reports_print_fields_then_sections() {
        let v =
            json!({"arn": "x", "events": 2, "source_ips": [{"ip": "1.2.3.4", "events": 2}], "accounts": ["1", "2"]});
        let text = show(&v, Format::Table);
        assert!(text.starts_with("arn       x\nevents    2\naccounts  1, 2\n"), "{text}");
        assert!(text.contains("source_ips (1)\nIP       EVENTS\n1.2.3.4  2\n"), "{text}");
    }

    #[test]
    fn csv_quotes_fields() {
        let v = json!([{"a": "x,y", "b": ["p", "q"]}]);
        assert_eq!(show(&v, Format::Csv), "a,b\n\"x,y\",\"p, q\"\n");
    }
}
