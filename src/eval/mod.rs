//! The evaluator: does a pattern match a log event? The offline twin of AWS
//! `TestMetricFilter`.
//!
//! A [`Matcher`] is compiled once from a [`Canonical`] pattern and then applied to event
//! messages (`&str`). Every rule it applies is written in SEMANTICS.md and lives in one
//! place here: [`text_matches`] for string values, [`json`] for selectors and comparisons,
//! [`columns`] for space-delimited splitting and binding, `terms` for term patterns.
//!
//! Evaluation is total: any bytes are an event; an event that is not a JSON object simply
//! does not match a JSON pattern ([`Outcome::json`] says why). JSON events are parsed only
//! as far as the pattern needs: the fields it names are extracted in one validating pass
//! that skips everything else without building a document tree.

pub mod columns;
pub mod json;
mod terms;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::canon::{Canonical, Formula, JsonAtom, Operand, TextPat};

/// A compiled pattern, ready to evaluate events.
///
/// ```
/// use cwpattern::{canon, eval::Matcher, syntax};
/// let pattern = canon::lower(&syntax::parse(r#"{ $.eventName = "CreatePolicy" }"#)?);
/// let matcher = Matcher::new(&pattern);
/// assert!(matcher.matches(r#"{"eventName":"CreatePolicy","eventSource":"iam.amazonaws.com"}"#));
/// assert!(!matcher.matches(r#"{"eventName":"CreateUser"}"#));
/// assert!(!matcher.matches("CreatePolicy"));
/// # Ok::<(), cwpattern::syntax::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    plan: Plan,
}

#[derive(Debug, Clone)]
enum Plan {
    All,
    Terms(crate::canon::TermSet),
    Json(json::JsonPlan),
    Columns(columns::ColumnPlan),
}

/// What evaluating one event found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Whether the pattern matches the event.
    pub matched: bool,
    /// For JSON patterns: whether the event could be read as a JSON object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json: Option<JsonStatus>,
    /// The values TestMetricFilter reports for a matching event: `$.field` for JSON patterns,
    /// `$name` or `$N` for space-delimited ones. Empty when the event does not match.
    pub extracted: BTreeMap<String, String>,
}

/// How a JSON pattern's event was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum JsonStatus {
    /// A JSON object.
    Object,
    /// Valid JSON, but not an object (an array, a string, ...): no JSON pattern matches it.
    NotObject,
    /// Not valid JSON: no JSON pattern matches it.
    Invalid(String),
}

impl Matcher {
    /// Compiles a canonical pattern.
    pub fn new(pattern: &Canonical) -> Matcher {
        let plan = match pattern {
            Canonical::All => Plan::All,
            Canonical::Terms(set) => Plan::Terms(set.clone()),
            Canonical::Json(formula) => Plan::Json(json::JsonPlan::new(formula)),
            Canonical::Delimited(columns) => Plan::Columns(columns::ColumnPlan::new(columns)),
        };
        Matcher { plan }
    }

    /// Compiles a JSON pattern's formula: `Matcher::new(&Canonical::Json(formula))`
    /// without cloning the formula.
    pub(crate) fn json(formula: &Formula<JsonAtom>) -> Matcher {
        Matcher {
            plan: Plan::Json(json::JsonPlan::new(formula)),
        }
    }

    /// Does the pattern match `event`?
    pub fn matches(&self, event: &str) -> bool {
        match &self.plan {
            Plan::All => true,
            Plan::Terms(set) => terms::matches(set, event),
            Plan::Json(plan) => plan.matches(event),
            Plan::Columns(plan) => plan.matches(event),
        }
    }

    /// Evaluates `event`, with the extracted values and, for JSON patterns, how the event
    /// was read.
    pub fn evaluate(&self, event: &str) -> Outcome {
        match &self.plan {
            Plan::All => Outcome {
                matched: true,
                json: None,
                extracted: BTreeMap::new(),
            },
            Plan::Terms(set) => Outcome {
                matched: terms::matches(set, event),
                json: None,
                extracted: BTreeMap::new(),
            },
            Plan::Json(plan) => plan.evaluate(event),
            Plan::Columns(plan) => plan.evaluate(event),
        }
    }

    /// Like [`Matcher::matches`], but always deciding by parsing the event: for checking a
    /// few events, where building the prefilter's searchers would not pay.
    pub(crate) fn matches_parsed(&self, event: &str) -> bool {
        match &self.plan {
            Plan::Json(plan) => plan.matches_parsed(event),
            _ => self.matches(event),
        }
    }

    /// False when a quick text scan proves that `event` cannot match, without parsing it
    /// (JSON patterns that need some exact, prefix, suffix or contained text; see
    /// [`json::Prefilter`]). True otherwise.
    pub fn may_match(&self, event: &str) -> bool {
        match &self.plan {
            Plan::Json(plan) => plan.may_match(event),
            _ => true,
        }
    }

    /// True for JSON patterns, whose events must be JSON objects.
    pub fn wants_json(&self) -> bool {
        matches!(self.plan, Plan::Json(_))
    }
}

/// Does the string pattern `pat` match the text `text`? `abc` is equality, `abc*` a prefix,
/// `*abc` a suffix and `*abc*` containment, all case-sensitive.
pub fn text_matches(pat: &TextPat, text: &str) -> bool {
    match pat {
        TextPat::Exact(s) => text == s,
        TextPat::Prefix(s) => text.starts_with(s.as_str()),
        TextPat::Suffix(s) => text.ends_with(s.as_str()),
        TextPat::Contains(s) => memchr::memmem::find(text.as_bytes(), s.as_bytes()).is_some(),
    }
}

/// Does `= operand` hold for a scalar whose text is `text`? `number` is the scalar's value
/// when it is a number (a JSON number, or a space-delimited field that reads as one).
pub(crate) fn operand_matches(
    operand: &Operand,
    text: &str,
    number: Option<&crate::canon::Num>,
) -> bool {
    match operand {
        Operand::Any => true,
        Operand::Text(pat) => text_matches(pat, text),
        Operand::Num(n) => number == Some(n),
        Operand::Regex(re) => re.is_match(text),
    }
}
