//! Data-driven tests over `corpus/` (see `corpus/README.md` for the file formats):
//!
//! - `realworld_patterns.jsonl`: every real-world pattern parses, and its canonical text
//!   parses back to the same canonical form, or fails with exactly the expected message at
//!   exactly the expected byte.
//! - `errors.txt`: the full rendered diagram of each error, as a snapshot
//!   (`CWPATTERN_BLESS=1` rewrites it).

mod common;

use serde_json::Value;

use common::{read_corpus, Outcome};
use cwpattern::canon;
use cwpattern::syntax::{self, ParseOptions};

#[test]
fn realworld_patterns_parse_or_fail_as_expected() {
    let text = read_corpus("realworld_patterns.jsonl");
    let cases: Vec<ParseCase> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| ParseCase::from_line(n + 1, line))
        .collect();
    assert_eq!(
        cases.len(),
        30,
        "realworld_patterns.jsonl holds 30 patterns"
    );
    check_parse_outcomes(&cases);
}

#[test]
fn error_snapshots() {
    let text = read_corpus("errors.txt");
    let cases = parse_snapshots(&text);
    assert!(cases.len() >= 25, "errors.txt holds at least 25 cases");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        cases.len(),
        "case names in errors.txt are unique"
    );
    if common::bless() {
        let blessed = render_snapshots(&cases);
        let path = common::corpus_path("errors.txt");
        std::fs::write(&path, &blessed)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        check_rendered_errors(&parse_snapshots(&blessed));
    } else {
        check_rendered_errors(&cases);
    }
}

// ---------------------------------------------------------------------------------------
// realworld_patterns.jsonl

/// One line of `realworld_patterns.jsonl`: the pattern and what parsing it must give.
struct ParseCase {
    name: String,
    pattern: String,
    /// `ok`, or `error: <message> at offset <n>`.
    expected: String,
}

impl ParseCase {
    fn from_line(line_no: usize, line: &str) -> ParseCase {
        let doc: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("realworld_patterns.jsonl:{line_no}: not JSON: {e}"));
        let field = |key: &str| {
            doc.get(key)
                .unwrap_or_else(|| panic!("realworld_patterns.jsonl:{line_no}: no {key:?} field"))
        };
        let pattern = field("pattern").as_str().expect("pattern is a string");
        let control = field("control").as_str().unwrap_or_default();
        let expected = match field("expect_parse") {
            Value::String(s) if s == "ok" => "ok".to_owned(),
            Value::Object(err) => {
                let message = err.get("message").and_then(Value::as_str);
                let offset = err.get("offset").and_then(Value::as_u64);
                match (message, offset) {
                    (Some(m), Some(n)) => format!("error: {m} at offset {n}"),
                    _ => panic!("realworld_patterns.jsonl:{line_no}: bad expect_parse {err:?}"),
                }
            }
            other => panic!("realworld_patterns.jsonl:{line_no}: bad expect_parse {other}"),
        };
        ParseCase {
            name: format!("realworld_patterns.jsonl:{line_no} ({control})"),
            pattern: pattern.to_owned(),
            expected,
        }
    }
}

/// What parsing `pattern` gives, in the form of [`ParseCase::expected`]. A pattern that
/// parses is `ok` only when its canonical text parses back (without AWS's quotas, which the
/// canonical text of a valid pattern may exceed by a few characters) to the same form.
fn parse_outcome(pattern: &str) -> String {
    let ast = match syntax::parse(pattern) {
        Ok(ast) => ast,
        Err(e) => return format!("error: {} at offset {}", e.kind(), e.offset()),
    };
    let canonical = canon::lower(&ast);
    let text = canonical.to_string();
    let lenient = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    match syntax::parse_with(&text, lenient) {
        Ok(again) if canon::lower(&again) == canonical => "ok".to_owned(),
        Ok(again) => format!(
            "ok, but the canonical text\n  {text}\nparses back to a different form\n  {}",
            canon::lower(&again)
        ),
        Err(e) => format!("ok, but the canonical text does not parse back:\n{e}"),
    }
}

/// The parser boundary: each pattern parses (and round-trips through its canonical text)
/// or fails with exactly the expected message and offset.
#[track_caller]
fn check_parse_outcomes(cases: &[ParseCase]) {
    let outcomes: Vec<Outcome> = cases
        .iter()
        .map(|case| Outcome {
            name: case.name.clone(),
            input: case.pattern.clone(),
            expected: case.expected.clone(),
            actual: parse_outcome(&case.pattern),
        })
        .collect();
    let mismatches: Vec<&Outcome> = outcomes.iter().filter(|o| o.expected != o.actual).collect();
    if !mismatches.is_empty() {
        panic!("{}", common::report(&mismatches, outcomes.len()));
    }
}

// ---------------------------------------------------------------------------------------
// errors.txt

/// One case of `errors.txt`: its header line, name, pattern and expected diagram.
struct SnapshotCase {
    header: String,
    name: String,
    pattern: String,
    rendered: String,
}

/// Splits `errors.txt` into cases: each starts at a `### ` header line and runs to the next
/// one; the blank line that separates cases is not part of the diagram (a diagram has no
/// blank line: each of its lines starts with text or with four spaces).
fn parse_snapshots(text: &str) -> Vec<SnapshotCase> {
    let mut cases = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() {
            continue;
        }
        let Some(header) = line.strip_prefix("### ") else {
            panic!("errors.txt: expected a '### ' header, found {line:?}");
        };
        let (name, spec) = header
            .split_once(' ')
            .unwrap_or_else(|| panic!("errors.txt: header {line:?} has no pattern"));
        let mut body = Vec::new();
        while let Some(next) = lines.next_if(|l| !l.starts_with("### ")) {
            body.push(next);
        }
        while body.last().is_some_and(|l| l.is_empty()) {
            body.pop();
        }
        cases.push(SnapshotCase {
            header: line.to_owned(),
            name: name.to_owned(),
            pattern: common::error_case_pattern(name, spec),
            rendered: body.join("\n"),
        });
    }
    cases
}

/// The rendered error for `pattern`, or `None` when it parses.
fn rendered_error(pattern: &str) -> Option<String> {
    syntax::parse(pattern).err().map(|e| e.to_string())
}

/// `errors.txt` with every diagram replaced by the parser's current one (a pattern that
/// parses keeps its old text, and still fails the check).
fn render_snapshots(cases: &[SnapshotCase]) -> String {
    let blocks: Vec<String> = cases
        .iter()
        .map(|case| {
            let rendered = rendered_error(&case.pattern).unwrap_or_else(|| case.rendered.clone());
            format!("{}\n{rendered}\n", case.header)
        })
        .collect();
    blocks.join("\n")
}

/// The rendering boundary: each pattern fails, and its diagram is exactly the snapshot.
#[track_caller]
fn check_rendered_errors(cases: &[SnapshotCase]) {
    let results: Vec<(Outcome, bool)> = cases
        .iter()
        .map(|case| {
            let rendered = rendered_error(&case.pattern);
            let failed = rendered.is_some();
            let outcome = Outcome {
                name: format!("errors.txt: {}", case.name),
                input: case.pattern.clone(),
                expected: case.rendered.clone(),
                actual: rendered.unwrap_or_else(|| "(no error: the pattern parses)".to_owned()),
            };
            (outcome, failed)
        })
        .collect();
    let mismatches: Vec<&Outcome> = results
        .iter()
        .filter(|(o, failed)| !failed || o.expected != o.actual)
        .map(|(o, _)| o)
        .collect();
    if !mismatches.is_empty() {
        panic!("{}", common::report(&mismatches, results.len()));
    }
}
