//! The canonical layer: what a pattern means, without spans.
//!
//! [`lower()`] is the one bridge from [`crate::syntax::ast`] to this layer. The canonical form
//! is order-insensitive and normalises whitespace, quoting (`"abc"` ≡ `abc`), numbers
//! (`1e+3` ≡ `1000`), parentheses, nesting and repetition of `&&`/`||` operands, and the
//! documented term rules (`?` terms vanish next to plain or `-` terms; term order and
//! repetition do not matter). `==` on [`Canonical`] is "same canonical form", and its
//! `Display` is the canonical text, which parses back to the same [`Canonical`].
//!
//! It is a normal form of the *syntax*, not a decision procedure: two patterns with the same
//! meaning but different canonical text (`$.a = "x" || $.a = "x*"` and `$.a = "x*"`) are
//! told apart only by the semantic engine.

mod formula;
mod lower;
mod num;
mod print;

use std::collections::BTreeSet;

use serde::Serialize;

pub use formula::{Formula, FormulaKind};
pub use lower::lower;
pub use num::Num;
pub use print::json_text;

use crate::regex::Regex;

/// A pattern in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Canonical {
    /// The empty pattern: every event matches.
    All,
    /// A term pattern.
    Terms(TermSet),
    /// A JSON pattern.
    Json(Formula<JsonAtom>),
    /// A space-delimited pattern.
    Delimited(Columns),
}

/// The terms of a term pattern, as sets.
///
/// Invariant: `optional` is empty when `required` or `excluded` is not (the documented rule
/// that `?` terms are ignored next to other terms), `required` holds no term that always
/// occurs, and not all three sets are empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TermSet {
    required: BTreeSet<TermLit>,
    excluded: BTreeSet<TermLit>,
    optional: BTreeSet<TermLit>,
}

impl TermSet {
    /// Builds a term set: drops optional terms when there are required or excluded ones,
    /// then drops required terms that every event contains (`""`, `" "`: see SEMANTICS.md).
    /// Returns `None` when no term is left, i.e. the pattern matches every event.
    pub fn new(
        mut required: BTreeSet<TermLit>,
        excluded: BTreeSet<TermLit>,
        mut optional: BTreeSet<TermLit>,
    ) -> Option<TermSet> {
        if !required.is_empty() || !excluded.is_empty() {
            optional.clear();
        }
        required.retain(|t| !t.always_occurs());
        if required.is_empty() && excluded.is_empty() && optional.is_empty() {
            return None;
        }
        Some(TermSet {
            required,
            excluded,
            optional,
        })
    }

    /// Terms that must occur.
    pub fn required(&self) -> &BTreeSet<TermLit> {
        &self.required
    }

    /// Terms that must not occur.
    pub fn excluded(&self) -> &BTreeSet<TermLit> {
        &self.excluded
    }

    /// Terms of which one must occur (only when there are no required or excluded terms).
    pub fn optional(&self) -> &BTreeSet<TermLit> {
        &self.optional
    }
}

/// One term.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum TermLit {
    /// A literal text, found as a substring (written bare as a word, or double-quoted).
    Literal(String),
    /// A `%regex%` term, found by regex search.
    Regex(Regex),
    /// An unquoted term with characters other than letters, digits and `_` (such as
    /// `request-id` or `#tag`): it never occurs (see SEMANTICS.md), and is kept as written.
    Unquoted(String),
}

impl TermLit {
    /// True for a literal that is empty or only whitespace: CloudWatch documents `" "` as
    /// matching every event, so such a term occurs in every event.
    pub fn always_occurs(&self) -> bool {
        matches!(self, TermLit::Literal(s) if s.trim().is_empty())
    }
}

/// A JSON condition: a path and a test.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct JsonAtom {
    /// The field.
    pub path: Path,
    /// What is tested about it.
    pub test: Test,
}

/// A canonical selector: `$.a` and `$.['a']` are the same path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Path(pub Vec<PathStep>);

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "step", content = "value", rename_all = "snake_case")]
pub enum PathStep {
    /// An object member.
    Key(String),
    /// An array element.
    Index(u64),
    /// Any array element (`[*]`).
    AnyIndex,
    /// Any object member (`.*`).
    AnyKey,
}

/// A canonical test on a value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "op", content = "operand", rename_all = "snake_case")]
pub enum Test {
    /// `= operand`.
    Eq(Operand),
    /// `!= operand`.
    Ne(Operand),
    /// `< n`.
    Lt(Num),
    /// `<= n`.
    Le(Num),
    /// `> n`.
    Gt(Num),
    /// `>= n`.
    Ge(Num),
    /// `IS NULL`.
    IsNull,
    /// `IS TRUE`.
    IsTrue,
    /// `IS FALSE`.
    IsFalse,
    /// `NOT EXISTS`.
    NotExists,
}

/// The right-hand side of `=` and `!=`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum Operand {
    /// `*` (or `"*"`): any non-null scalar.
    Any,
    /// A string, possibly with a leading and/or trailing `*` wildcard.
    Text(TextPat),
    /// An unquoted number, compared by value.
    Num(Num),
    /// A `%regex%`, searched in the value's text.
    Regex(Regex),
}

/// A string value with its wildcards: `abc`, `abc*`, `*abc`, `*abc*`. A `*` elsewhere is a
/// literal character.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "match", content = "text", rename_all = "snake_case")]
pub enum TextPat {
    /// The whole text equals the string.
    Exact(String),
    /// The text starts with the string (`abc*`).
    Prefix(String),
    /// The text ends with the string (`*abc`).
    Suffix(String),
    /// The text contains the string (`*abc*`).
    Contains(String),
}

/// The entries of a space-delimited pattern, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Columns(pub Vec<Column>);

/// One entry of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Column {
    /// `...`: any number of fields.
    Ellipsis,
    /// One field, named or not, with an optional condition on its text.
    Field {
        /// The name, or `None` for an empty entry.
        name: Option<String>,
        /// The condition, or `None` for any field.
        condition: Option<Formula<Test>>,
    },
}

#[cfg(test)]
mod tests;
