//! Batch mode: many patterns from JSON Lines, one JSON result per line.

use std::io::{BufRead, Write};

use serde_json::{json, Value};

use super::{input, UNUSABLE, YES};
use cwpattern::{canon, syntax};

/// One input line: a JSON string, or an object with a `pattern` field.
pub fn pattern_of_line(line: &str) -> Result<String, String> {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::String(s)) => Ok(s),
        Ok(Value::Object(map)) => match map.get("pattern") {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err("the object has no string field \"pattern\"".to_owned()),
        },
        Ok(_) => Err("expected a JSON string or an object with a \"pattern\" field".to_owned()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// The JSON form of a parse error.
pub fn error_json(e: &syntax::Error) -> Value {
    json!({
        "message": e.kind().to_string(),
        "offset": e.offset(),
        "span": [e.span().start, e.span().end],
        "rendered": e.to_string(),
    })
}

/// `fmt --batch FILE`: prints `{"pattern", "canonical"}` or `{"pattern", "error"}` per
/// line. Invalid patterns are results, not failures: the exit status is 2 only when the
/// input itself cannot be read.
pub fn fmt(path: &str) -> u8 {
    let reader = match input::open(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return UNUSABLE;
        }
    };
    let mut out = std::io::stdout().lock();
    let (mut ok, mut invalid) = (0usize, 0usize);
    for (n, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("error: {path}: line {}: {e}", n + 1);
                return UNUSABLE;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let pattern = match pattern_of_line(&line) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {path}: line {}: {e}", n + 1);
                return UNUSABLE;
            }
        };
        let result = match syntax::parse(&pattern) {
            Ok(ast) => {
                ok += 1;
                json!({ "pattern": pattern, "canonical": canon::lower(&ast).to_string() })
            }
            Err(e) => {
                invalid += 1;
                json!({ "pattern": pattern, "error": error_json(&e) })
            }
        };
        if writeln!(out, "{result}").is_err() {
            return UNUSABLE;
        }
    }
    eprintln!("{ok} formatted, {invalid} invalid");
    YES
}
