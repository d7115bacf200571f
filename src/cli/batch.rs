//! Batch mode: many patterns from JSON Lines, one JSON result per line.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use serde_json::{json, Value};

use super::{input, UNUSABLE, YES};
use cwpattern::{canon, syntax};

/// One input line: a JSON string, or an object with a `pattern` field. A string without
/// escapes is borrowed from the line.
pub fn pattern_of_line(line: &str) -> Result<Cow<'_, str>, String> {
    if line.trim_start().starts_with('"') {
        // Without a backslash the string has no escape and can be borrowed.
        let read = match memchr::memchr(b'\\', line.as_bytes()) {
            None => serde_json::from_str::<&str>(line).map(Cow::Borrowed),
            Some(_) => serde_json::from_str::<String>(line).map(Cow::Owned),
        };
        if let Ok(s) = read {
            return Ok(s);
        }
        // Not a JSON string after all: the general reading below says why.
    }
    match serde_json::from_str::<Value>(line) {
        Ok(Value::String(s)) => Ok(Cow::Owned(s)),
        Ok(Value::Object(mut map)) => match map.remove("pattern") {
            Some(Value::String(s)) => Ok(Cow::Owned(s)),
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

/// Runs `each` on every non-empty line of FILE (or standard input for `-`) and prints what
/// it returns, one JSON value per line. `Err(status)` when the input cannot be read (the
/// message is printed) or `each` gives up.
pub fn for_each_line<T: serde::Serialize>(
    path: &str,
    mut each: impl FnMut(usize, &str) -> Result<T, u8>,
) -> Result<(), u8> {
    let reader = input::open(path).map_err(|e| {
        eprintln!("error: {e}");
        UNUSABLE
    })?;
    // Buffered: one write per 64 KiB, not one per line; flushed at the end, also when a line
    // fails.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let run = || {
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| {
                eprintln!("error: {path}: line {}: {e}", n + 1);
                UNUSABLE
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let result = each(n + 1, &line)?;
            serde_json::to_writer(&mut out, &result).map_err(|_| UNUSABLE)?;
            out.write_all(b"\n").map_err(|_| UNUSABLE)?;
        }
        Ok(())
    };
    let done = run();
    let flushed = out.flush().map_err(|_| UNUSABLE);
    done.and(flushed)
}

/// `fmt --batch FILE`: prints `{"pattern", "canonical"}` or `{"pattern", "error"}` per
/// line. Invalid patterns are results, not failures: the exit status is 2 only when the
/// input itself cannot be read.
pub fn fmt(path: &str) -> u8 {
    let (mut ok, mut invalid) = (0usize, 0usize);
    let done = for_each_line(path, |n, line| {
        let pattern = pattern_of_line(line).map_err(|e| {
            eprintln!("error: {path}: line {n}: {e}");
            UNUSABLE
        })?;
        Ok(match syntax::parse(&pattern) {
            Ok(ast) => {
                ok += 1;
                json!({ "pattern": pattern, "canonical": canon::lower(&ast).to_string() })
            }
            Err(e) => {
                invalid += 1;
                json!({ "pattern": pattern, "error": error_json(&e) })
            }
        })
    });
    eprintln!("{ok} formatted, {invalid} invalid");
    match done {
        Ok(()) => YES,
        Err(status) => status,
    }
}
