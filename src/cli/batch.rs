//! Batch mode: many patterns from JSON Lines, one JSON result per line.

use std::borrow::Cow;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

use super::{input, jsonstr, UNUSABLE, YES};
use cwpattern::{canon, syntax};

/// One input line: a JSON string, or an object with a `pattern` field. A string without
/// escapes is borrowed from the line; a string with only one-character escapes is read
/// without serde_json (`jsonstr`), anything else with it.
pub fn pattern_of_line(line: &str) -> Result<Cow<'_, str>, String> {
    if let Some(s) = jsonstr::read_simple_string(line) {
        return Ok(s);
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

/// A value [`for_each_line`] writes as one line of JSON.
pub trait JsonLine {
    /// Appends the value's JSON text (compact, without the newline) to `out`.
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), String>;
}

impl JsonLine for Value {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), String> {
        serde_json::to_writer(out, self).map_err(|e| e.to_string())
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
/// it returns, one JSON value per line, in the input's order. `Err(status)` when the input
/// cannot be read or `each` gives up (`Err(message)`: printed as `error: message`, status
/// 2); the lines before are printed.
///
/// With `jobs` > 1 the lines are read in chunks of [`LINES_PER_JOB`] × `jobs` and each chunk
/// is split between `jobs` threads, which also write the JSON; the output is the same.
pub fn for_each_line<T: JsonLine>(
    path: &str,
    jobs: usize,
    each: impl Fn(usize, &str) -> Result<T, String> + Sync,
) -> Result<(), u8> {
    let reader = input::open(path).map_err(|e| {
        eprintln!("error: {e}");
        UNUSABLE
    })?;
    // Buffered: one write per 64 KiB, not one per line; flushed at the end, also when a line
    // fails.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let jobs = jobs.max(1);
    let chunk_len = LINES_PER_JOB * jobs;
    let mut lines = reader.lines().enumerate();
    let mut run = || loop {
        let mut chunk = Vec::with_capacity(chunk_len);
        let mut unreadable = None;
        for (n, line) in lines.by_ref() {
            match line {
                Ok(line) if line.trim().is_empty() => {}
                Ok(line) => {
                    chunk.push((n + 1, line));
                    if chunk.len() == chunk_len {
                        break;
                    }
                }
                Err(e) => {
                    unreadable = Some(format!("{path}: line {}: {e}", n + 1));
                    break;
                }
            }
        }
        for (text, failure) in render(&chunk, jobs, &each) {
            out.write_all(&text).map_err(|_| UNUSABLE)?;
            if let Some(message) = failure {
                eprintln!("error: {message}");
                return Err(UNUSABLE);
            }
        }
        if let Some(message) = unreadable {
            eprintln!("error: {message}");
            return Err(UNUSABLE);
        }
        if chunk.len() < chunk_len {
            return Ok(());
        }
    };
    let done = run();
    let flushed = out.flush().map_err(|_| UNUSABLE);
    done.and(flushed)
}

/// Lines per thread and chunk in [`for_each_line`].
const LINES_PER_JOB: usize = 256;

/// The JSON lines of `each` on `lines`, in parts (one per thread): each part's text and the
/// message of the line it stopped at, if one failed.
fn render<T: JsonLine>(
    lines: &[(usize, String)],
    jobs: usize,
    each: &(impl Fn(usize, &str) -> Result<T, String> + Sync),
) -> Vec<(Vec<u8>, Option<String>)> {
    let part = |lines: &[(usize, String)]| {
        let mut text = Vec::with_capacity(lines.len() * 1024);
        for (n, line) in lines {
            let written = each(*n, line).and_then(|value| value.write_json(&mut text));
            if let Err(message) = written {
                return (text, Some(message));
            }
            text.push(b'\n');
        }
        (text, None)
    };
    if jobs == 1 || lines.len() < 2 {
        return vec![part(lines)];
    }
    let per_job = lines.len().div_ceil(jobs);
    std::thread::scope(|scope| {
        let parts: Vec<_> = lines
            .chunks(per_job)
            .map(|lines| scope.spawn(move || part(lines)))
            .collect();
        parts
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// `fmt --batch FILE`: prints `{"pattern", "canonical"}` or `{"pattern", "error"}` per
/// line. Invalid patterns are results, not failures: the exit status is 2 only when the
/// input itself cannot be read.
pub fn fmt(path: &str) -> u8 {
    let (ok, invalid) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // One thread: the counts printed after a failing line are those of the lines before it.
    let done = for_each_line(path, 1, |n, line| {
        let pattern = pattern_of_line(line).map_err(|e| format!("{path}: line {n}: {e}"))?;
        Ok(match syntax::parse(&pattern) {
            Ok(ast) => {
                ok.fetch_add(1, Ordering::Relaxed);
                json!({ "pattern": pattern, "canonical": canon::lower(&ast).to_string() })
            }
            Err(e) => {
                invalid.fetch_add(1, Ordering::Relaxed);
                json!({ "pattern": pattern, "error": error_json(&e) })
            }
        })
    });
    let (ok, invalid) = (ok.into_inner(), invalid.into_inner());
    eprintln!("{ok} formatted, {invalid} invalid");
    match done {
        Ok(()) => YES,
        Err(status) => status,
    }
}
