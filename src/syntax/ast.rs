//! The syntax tree: what was written, with spans.
//!
//! Invariant: the tree records the pattern faithfully enough that its `Display` output parses
//! back to the same tree (spans aside): quoting, explicit parentheses and operand order are
//! kept. Meaning-level normalisation happens in [`crate::canon`], never here.

use std::fmt;

use serde::Serialize;

use crate::regex::Regex;
use crate::syntax::span::Span;

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    /// Which of the four kinds of pattern this is, with its contents.
    pub kind: PatternKind,
    /// The span of the whole pattern (leading and trailing whitespace excluded).
    pub span: Span,
}

/// The four kinds of filter pattern, chosen by the first non-blank character.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PatternKind {
    /// The empty (or all-whitespace) pattern, which matches every event.
    Empty,
    /// Terms and phrases: `ERROR -DEBUG ?WARN "a phrase"` or a standalone `%regex%`.
    Terms {
        /// The terms in the order written.
        terms: Vec<Term>,
    },
    /// A JSON pattern `{ ... }`.
    Json {
        /// The boolean expression between the braces.
        expr: Expr<Condition>,
    },
    /// A space-delimited pattern `[ ... ]`.
    Delimited {
        /// The entries between the brackets, in order.
        entries: Vec<Entry>,
    },
}

/// How a term is prefixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermPrefix {
    /// No prefix: the term must occur.
    Required,
    /// `-term`: the term must not occur.
    Excluded,
    /// `?term`: at least one optional term must occur (ignored next to other terms).
    Optional,
}

/// One item of a term pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// `-`, `?` or nothing.
    pub prefix: TermPrefix,
    /// The term's text.
    pub text: TermText,
    /// The span of the item, prefix included.
    pub span: Span,
}

/// The text of a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum TermText {
    /// An unquoted word, e.g. `ERROR` (possibly with characters that needed quotes).
    Bare(String),
    /// A double-quoted term or phrase, with escapes decoded, e.g. `"[ERROR]"`.
    Quoted(String),
    /// A `%regex%` term.
    Regex(Regex),
}

/// A boolean expression over leaves `T`, as written.
///
/// `And` and `Or` hold two or more operands in written order; `&&` binds tighter than `||`,
/// so an `Or` appears inside an `And` only within a `Paren`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Expr<T> {
    /// A single condition.
    Leaf {
        /// The condition.
        leaf: T,
    },
    /// `a && b && ...`.
    And {
        /// The operands.
        operands: Vec<Expr<T>>,
        /// The span of the whole chain.
        span: Span,
    },
    /// `a || b || ...`.
    Or {
        /// The operands.
        operands: Vec<Expr<T>>,
        /// The span of the whole chain.
        span: Span,
    },
    /// `( expr )`.
    Paren {
        /// The parenthesised expression.
        inner: Box<Expr<T>>,
        /// The span from `(` to `)`.
        span: Span,
    },
}

/// One JSON condition, e.g. `$.eventName = "CreatePolicy"` or `$.a IS NULL`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The field the condition is about.
    pub selector: Selector,
    /// What is tested about it.
    pub test: Test,
    /// The span of the whole condition.
    pub span: Span,
}

/// The test part of a JSON or space-delimited condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum Test {
    /// `op value`.
    Compare {
        /// The comparison operator.
        op: CmpOp,
        /// The right-hand value.
        value: Value,
    },
    /// `IS NULL`.
    IsNull,
    /// `IS TRUE`.
    IsTrue,
    /// `IS FALSE`.
    IsFalse,
    /// `NOT EXISTS`.
    NotExists,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CmpOp {
    /// `=`
    #[serde(rename = "=")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// True for `<`, `<=`, `>` and `>=`, which take only numbers.
    pub fn is_ordering(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
    }
}

/// A right-hand value as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// The value's form and text.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

/// The written form of a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum ValueKind {
    /// An unquoted number such as `200`, `-1.5` or `1e+3`, as written.
    Number(String),
    /// An unquoted string such as `CreatePolicy`, `Put*` or `123.123.*`.
    Bare(String),
    /// A double-quoted string, escapes decoded.
    Quoted(String),
    /// A `%regex%` value.
    Regex(Regex),
}

/// A JSON selector such as `$.userIdentity.type` or `$.items[*].name`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selector {
    /// The steps after `$`, in order.
    pub steps: Vec<Step>,
    /// Where the selector was written.
    pub span: Span,
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", content = "value", rename_all = "snake_case")]
pub enum Step {
    /// `.key`
    Key(String),
    /// `.['key.with.dots']`
    QuotedKey(String),
    /// `[n]`
    Index(u64),
    /// `[*]`: any array element.
    AnyIndex,
    /// `.*`: any object member.
    AnyKey,
}

impl Step {
    /// True for the wildcard steps `[*]` and `.*`.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, Step::AnyIndex | Step::AnyKey)
    }
}

/// One entry of a space-delimited pattern.
#[allow(clippy::large_enum_variant)] // a pattern has a handful of entries
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    /// `...`: any number of fields, possibly none.
    Ellipsis {
        /// Where it was written.
        span: Span,
    },
    /// Nothing between two commas: one unnamed field.
    Empty {
        /// The (empty) position.
        span: Span,
    },
    /// A named field, possibly with conditions: `status`, `status=4*`, `a > 1 && a < 5`.
    Field {
        /// The field's name.
        name: String,
        /// Where the name was first written.
        name_span: Span,
        /// The conditions, or `None` for a bare name.
        conditions: Option<Expr<FieldCondition>>,
        /// The span of the whole entry.
        span: Span,
    },
}

/// One condition on a space-delimited field, e.g. `status_code = 4*`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldCondition {
    /// The field named in this condition (equal to the entry's name).
    pub name: String,
    /// The comparison operator.
    pub op: CmpOp,
    /// The right-hand value.
    pub value: Value,
    /// The span of the condition.
    pub span: Span,
}

// ---------------------------------------------------------------- printing as written

/// A part of the tree that writes its text (what its `Display`, implemented with this,
/// shows) into any writer without the formatting machinery: lint hashes operands this way.
pub(crate) trait WriteText {
    /// Writes the text `Display` shows into `w`.
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result;
}

/// Writes `s` in double quotes, escaping `"` and `\` with a backslash.
pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    write_escaped(f, s)?;
    f.write_str("\"")
}

/// `s` with `"` and `\` escaped by a backslash, as inside a quoted value or term: written in
/// runs between the characters to escape.
pub(crate) fn write_escaped(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    let mut rest = s;
    while let Some(at) = rest.find(['"', '\\']) {
        f.write_str(&rest[..at])?;
        f.write_str("\\")?;
        f.write_str(&rest[at..at + 1])?;
        rest = &rest[at + 1..];
    }
    f.write_str(rest)
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for PatternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternKind::Empty => Ok(()),
            PatternKind::Terms { terms } => {
                for (i, term) in terms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{term}")?;
                }
                Ok(())
            }
            PatternKind::Json { expr } => write!(f, "{{ {expr} }}"),
            PatternKind::Delimited { entries } => {
                f.write_str("[")?;
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{entry}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            TermPrefix::Required => {}
            TermPrefix::Excluded => f.write_str("-")?,
            TermPrefix::Optional => f.write_str("?")?,
        }
        match &self.text {
            TermText::Bare(s) => f.write_str(s),
            TermText::Quoted(s) => write_quoted(f, s),
            TermText::Regex(r) => write!(f, "%{}%", r.source()),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_with(f, &mut |f, leaf| fmt::Display::fmt(leaf, f))
    }
}

impl<T> Expr<T> {
    /// Writes the text `Display` shows into `w`, each leaf with `leaf` (which writes its
    /// `Display` text).
    pub(crate) fn write_with<W: fmt::Write>(
        &self,
        w: &mut W,
        leaf: &mut impl FnMut(&mut W, &T) -> fmt::Result,
    ) -> fmt::Result {
        let (operands, sep) = match self {
            Expr::Leaf { leaf: l } => return leaf(w, l),
            Expr::Paren { inner, .. } => {
                w.write_str("(")?;
                inner.write_with(w, leaf)?;
                return w.write_str(")");
            }
            Expr::And { operands, .. } => (operands, " && "),
            Expr::Or { operands, .. } => (operands, " || "),
        };
        for (i, operand) in operands.iter().enumerate() {
            if i > 0 {
                w.write_str(sep)?;
            }
            operand.write_with(w, leaf)?;
        }
        Ok(())
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl WriteText for Condition {
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        self.selector.write_text(w)?;
        match &self.test {
            Test::Compare { op, value } => {
                w.write_str(" ")?;
                w.write_str(op.as_str())?;
                w.write_str(" ")?;
                value.write_text(w)
            }
            Test::IsNull => w.write_str(" IS NULL"),
            Test::IsTrue => w.write_str(" IS TRUE"),
            Test::IsFalse => w.write_str(" IS FALSE"),
            Test::NotExists => w.write_str(" NOT EXISTS"),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl WriteText for Value {
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        match &self.kind {
            ValueKind::Number(s) | ValueKind::Bare(s) => w.write_str(s),
            ValueKind::Quoted(s) => write_quoted(w, s),
            ValueKind::Regex(r) => {
                w.write_str("%")?;
                w.write_str(r.source())?;
                w.write_str("%")
            }
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl WriteText for Selector {
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        w.write_str("$")?;
        for step in &self.steps {
            step.write_text(w)?;
        }
        Ok(())
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl WriteText for Step {
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        match self {
            Step::Key(k) => {
                w.write_str(".")?;
                w.write_str(k)
            }
            Step::QuotedKey(k) => {
                w.write_str(".['")?;
                w.write_str(k)?;
                w.write_str("']")
            }
            Step::Index(n) => write!(w, "[{n}]"),
            Step::AnyIndex => w.write_str("[*]"),
            Step::AnyKey => w.write_str(".*"),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Ellipsis { .. } => f.write_str("..."),
            Entry::Empty { .. } => Ok(()),
            Entry::Field {
                name, conditions, ..
            } => match conditions {
                None => f.write_str(name),
                Some(expr) => write!(f, "{expr}"),
            },
        }
    }
}

impl fmt::Display for FieldCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

impl WriteText for FieldCondition {
    fn write_text<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        w.write_str(&self.name)?;
        w.write_str(" ")?;
        w.write_str(self.op.as_str())?;
        w.write_str(" ")?;
        self.value.write_text(w)
    }
}
