//! Python bindings for cwpattern: the extension module `cwpattern._cwpattern`, which the
//! package `cwpattern` (python/cwpattern/) re-exports.
//!
//! Everything crosses the boundary as plain Python values: strings, booleans, and the
//! dicts and lists that the library's serde output becomes (see [`convert::to_python`]),
//! so a Python caller sees the same fields as the CLI's `--json` output. User input never
//! panics: bad patterns raise `PatternError`, bad arguments `ValueError` or `TypeError`.
//! The semantic engine (`relate`, `check`) runs with the GIL released.

#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

mod convert;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::Serialize;

use cwpattern::rules::{Assume, CheckError, CheckOptions, Checker};
use cwpattern::{canon, eval, logic, syntax};

use convert::{pattern_error, to_python, with_event};

pyo3::create_exception!(
    cwpattern,
    PatternError,
    PyValueError,
    "A filter pattern that cannot be parsed.\n\n\
     Attributes: `message` (what was expected, without the position), `offset` and `end` \
     (the offending range, as indices into the pattern string), `byte_span` (the same range \
     in UTF-8 bytes), `pattern`, and `rendered` (the pattern with a caret line under the \
     error, as the CLI prints it). `str(error)` is the message with its offset."
);

/// Parses and lowers a pattern, raising `PatternError` when it is invalid.
fn canonical(py: Python<'_>, pattern: &str) -> PyResult<(syntax::ast::Pattern, canon::Canonical)> {
    let ast = syntax::parse(pattern).map_err(|e| pattern_error(py, &e))?;
    let lowered = canon::lower(&ast);
    Ok((ast, lowered))
}

/// What `parse` returns (serialised in this field order).
#[derive(Serialize)]
struct Parsed<'a> {
    pattern: &'a str,
    kind: &'static str,
    canonical: String,
    tree: &'a syntax::ast::Pattern,
}

/// What `relate` returns: the fields of `cwpattern diff --json`.
#[derive(Serialize)]
struct Related<'a> {
    relation: &'static str,
    reason: Option<&'a str>,
    left_only: &'a [logic::Event],
    right_only: &'a [logic::Event],
    both: Option<&'a logic::Event>,
    left_canonical: String,
    right_canonical: String,
}

/// The name of a pattern's kind: `empty`, `terms`, `json` or `delimited`.
fn kind_name(ast: &syntax::ast::Pattern) -> &'static str {
    match ast.kind {
        syntax::ast::PatternKind::Empty => "empty",
        syntax::ast::PatternKind::Terms { .. } => "terms",
        syntax::ast::PatternKind::Json { .. } => "json",
        syntax::ast::PatternKind::Delimited { .. } => "delimited",
    }
}

/// Parses a filter pattern.
///
/// Returns a dict with `pattern` (the text given), `kind` (`"empty"`, `"terms"`, `"json"`
/// or `"delimited"`), `canonical` (the canonical text, as `fmt` returns it) and `tree` (the
/// syntax tree as `cwpattern parse` prints it; its spans are UTF-8 byte offsets).
///
/// Raises `PatternError` when the pattern is invalid.
#[pyfunction]
fn parse<'py>(py: Python<'py>, pattern: &str) -> PyResult<Bound<'py, PyAny>> {
    let (ast, lowered) = canonical(py, pattern)?;
    let doc = Parsed {
        pattern,
        kind: kind_name(&ast),
        canonical: lowered.to_string(),
        tree: &ast,
    };
    to_python(py, &doc)
}

/// The canonical text of a pattern: insensitive to the order of `&&`/`||` operands,
/// whitespace, quoting, redundant parentheses and number spelling. Two patterns with the
/// same canonical text match the same events (the converse needs `relate`).
///
/// Raises `PatternError` when the pattern is invalid.
#[pyfunction]
fn fmt(py: Python<'_>, pattern: &str) -> PyResult<String> {
    Ok(canonical(py, pattern)?.1.to_string())
}

/// Does `pattern` match the log event `event`, as CloudWatch Logs would decide?
///
/// `event` is the event's message: a `str`, UTF-8 `bytes`, or a `dict`/`list`, which is
/// serialised to JSON first. An event that is not a JSON object never matches a JSON
/// pattern. To test many events against one pattern, `compile` it once.
///
/// Raises `PatternError` for an invalid pattern, `UnicodeDecodeError` (a `ValueError`) for
/// bytes that are not UTF-8, and `TypeError` for an event of another type.
#[pyfunction]
fn matches(py: Python<'_>, pattern: &str, event: &Bound<'_, PyAny>) -> PyResult<bool> {
    let matcher = eval::Matcher::new(&canonical(py, pattern)?.1);
    with_event(event, |text| matcher.matches(text))
}

/// Compiles a pattern once into a `Matcher`, to evaluate many events without parsing the
/// pattern again.
///
/// Raises `PatternError` when the pattern is invalid.
#[pyfunction]
fn compile(py: Python<'_>, pattern: &str) -> PyResult<Matcher> {
    let (ast, lowered) = canonical(py, pattern)?;
    Ok(Matcher {
        matcher: eval::Matcher::new(&lowered),
        pattern: pattern.to_owned(),
        canonical: lowered.to_string(),
        kind: kind_name(&ast),
    })
}

/// A compiled filter pattern (made by `compile`), ready to evaluate events.
#[pyclass(frozen, module = "cwpattern")]
#[derive(Debug)]
struct Matcher {
    matcher: eval::Matcher,
    pattern: String,
    canonical: String,
    kind: &'static str,
}

#[pymethods]
impl Matcher {
    /// The pattern as given to `compile`.
    #[getter]
    fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The pattern's canonical text.
    #[getter]
    fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The pattern's kind: `"empty"`, `"terms"`, `"json"` or `"delimited"`.
    #[getter]
    fn kind(&self) -> &str {
        self.kind
    }

    /// Does the pattern match `event` (a `str`, UTF-8 `bytes`, or a `dict`/`list`
    /// serialised to JSON)?
    fn matches(&self, event: &Bound<'_, PyAny>) -> PyResult<bool> {
        with_event(event, |text| self.matcher.matches(text))
    }

    /// Evaluates `event` as `aws logs test-metric-filter` does: a dict with `matched`, the
    /// `extracted` values (`$.field` for JSON patterns, `$name` or `$N` for
    /// space-delimited ones; empty when the event does not match), and for JSON patterns
    /// `json`: how the event was read (`{"status": "object"}`, `"not_object"`, or
    /// `"invalid"` with a `reason`).
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outcome = with_event(event, |text| self.matcher.evaluate(text))?;
        to_python(py, &outcome)
    }

    fn __repr__(&self) -> String {
        format!("cwpattern.compile({:?})", self.pattern)
    }
}

/// How the sets of events two patterns match relate, decided by the semantic engine.
///
/// Returns a dict, as `cwpattern diff --json` prints it: `relation` (`"equivalent"`,
/// `"subset"` — every event `left` matches, `right` matches too —, `"superset"`,
/// `"overlap"`, `"disjoint"` or `"unknown"`), `reason` (why, when unknown, else `None`),
/// `left_only` and `right_only` (example events only one side matches: a dict for a JSON
/// event, a str for a text event; each is checked with the evaluator), `both` (an event
/// both match, or `None`), `left_canonical` and `right_canonical`.
///
/// Raises `PatternError` when either pattern is invalid.
#[pyfunction]
fn relate<'py>(py: Python<'py>, left: &str, right: &str) -> PyResult<Bound<'py, PyAny>> {
    let (_, left) = canonical(py, left)?;
    let (_, right) = canonical(py, right)?;
    let answer = py.detach(|| logic::relate(&left, &right));
    let reason = match &answer.relation {
        logic::Relation::Unknown(why) => Some(why.as_str()),
        _ => None,
    };
    let doc = Related {
        relation: answer.relation.name(),
        reason,
        left_only: &answer.left_only,
        right_only: &answer.right_only,
        both: answer.both.as_ref(),
        left_canonical: left.to_string(),
        right_canonical: right.to_string(),
    };
    to_python(py, &doc)
}

/// Does `pattern` catch every event the compliance rule `rule` requires? Decided from
/// meaning by the semantic engine, never by comparing text.
///
/// `version` picks the rule's reference pattern (a CIS version such as `"1.4"`; default:
/// the newest). `assume="cloudtrail"` reasons about real CloudTrail records of the rule's
/// service; `"none"` about any JSON event. `noise=False` skips the report of the AWS APIs
/// the pattern catches beyond the rule (the most expensive part).
///
/// Returns a dict with exactly the fields of `cwpattern check --json`: `pattern`,
/// `canonical`, `rule`, `version`, `assume`, `compliant`, `relation`, `covered`,
/// `missing`, `witnesses`, `unknown`, `accepted_by`, `reference`, `exact_text`, `lint`,
/// `repair` and `noise`.
///
/// Raises `PatternError` for an invalid pattern and `ValueError` for an unknown rule,
/// version or assumption.
#[pyfunction]
#[pyo3(signature = (pattern, rule = "iam-policy-changes", *, version = None, assume = "cloudtrail", noise = true))]
fn check<'py>(
    py: Python<'py>,
    pattern: &str,
    rule: &str,
    version: Option<&str>,
    assume: &str,
    noise: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let options = check_options(rule, version, assume, noise)?;
    let report = py.detach(|| checker(&options).and_then(|c| c.check(pattern)));
    to_python(py, &report.map_err(|e| check_error(py, &e))?)
}

/// Only the verdict of `check`: a dict with its fields `compliant`, `relation`, `covered`,
/// `missing`, `witnesses`, `unknown` and `accepted_by`, with the same values, decided the
/// same way but without the lint, the repair, the noise report and the text comparisons
/// (several times faster: for scanners checking many patterns). Same arguments and errors
/// as `check`, without `noise`.
#[pyfunction]
#[pyo3(signature = (pattern, rule = "iam-policy-changes", *, version = None, assume = "cloudtrail"))]
fn verdict<'py>(
    py: Python<'py>,
    pattern: &str,
    rule: &str,
    version: Option<&str>,
    assume: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let options = check_options(rule, version, assume, false)?;
    let decided = py.detach(|| checker(&options).and_then(|c| c.verdict(pattern)));
    to_python(py, &decided.map_err(|e| check_error(py, &e))?)
}

/// The Python exception for a check that could not be made: `PatternError` for an invalid
/// pattern, `ValueError` for an unknown rule or version.
fn check_error(py: Python<'_>, e: &CheckError) -> PyErr {
    match e {
        CheckError::Pattern(e) => pattern_error(py, e),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// The prepared checker for `options`, made on first use and kept: preparing a rule (its
/// reference pattern parsed and lowered, the fast path's checks) costs about as much as
/// checking a pattern. At most one per rule, version, assumption and noise setting.
fn checker(options: &CheckOptions) -> Result<Arc<Checker>, CheckError> {
    type Key = (String, Option<String>, bool, bool);
    static CHECKERS: OnceLock<Mutex<HashMap<Key, Arc<Checker>>>> = OnceLock::new();
    let key: Key = (
        options.rule.clone(),
        options.version.clone(),
        options.assume == Assume::Cloudtrail,
        options.noise,
    );
    let checkers = CHECKERS.get_or_init(Mutex::default);
    let cached = checkers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    if let Some(c) = cached {
        return Ok(c);
    }
    let made = Arc::new(Checker::new(options)?);
    checkers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&made));
    Ok(made)
}

/// `check`'s options from its Python arguments.
fn check_options(
    rule: &str,
    version: Option<&str>,
    assume: &str,
    noise: bool,
) -> PyResult<CheckOptions> {
    let assume = match assume {
        "cloudtrail" => Assume::Cloudtrail,
        "none" => Assume::None,
        other => {
            return Err(PyValueError::new_err(format!(
                "assume must be 'cloudtrail' or 'none', not {other:?}"
            )))
        }
    };
    Ok(CheckOptions {
        rule: rule.to_owned(),
        version: version.map(str::to_owned),
        assume,
        noise,
        ..CheckOptions::default()
    })
}

/// The rules `check` knows, as a list of dicts (as `cwpattern rules --json` prints them):
/// `id`, `title`, `standard`, `event_source`, `event_names`, `patterns` (the reference
/// pattern per version, with its sources) and `notes`.
#[pyfunction]
#[pyo3(name = "rules")]
fn rule_catalog(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, cwpattern::rules::rules())
}

/// Parse, format, evaluate and compare AWS CloudWatch Logs filter patterns.
#[pymodule(name = "_cwpattern")]
mod module {
    #[pymodule_export]
    use super::{
        check, compile, fmt, matches, parse, relate, rule_catalog, verdict, Matcher, PatternError,
    };

    use pyo3::prelude::*;

    /// Adds the package version.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
