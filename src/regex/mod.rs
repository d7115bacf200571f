//! The regular-expression subset CloudWatch Logs accepts between `%` and `%`.
//!
//! # Place in the pipeline
//!
//! The filter-pattern parser (`crate::syntax`) finds a `%…%` literal (a
//! standalone term, a JSON condition value or a space-delimited field value)
//! and hands the text *between* the `%`s to [`Regex::parse`]. Parsing
//! validates the body against the documented subset (spec section 3,
//! `RegexBody`, and section 4.2), builds the small AST exposed here
//! ([`Sequence`], [`Piece`], [`Atom`], [`CharClass`]) and compiles a matcher
//! once. Evaluation then calls [`Regex::is_match`] on the subject: the whole
//! log message, a JSON value, or a delimited field. A [`RegexError`]'s span is
//! relative to the body; the caller adds the body's offset in the pattern.
//!
//! # The language
//!
//! * Literals: ASCII letters, digits, space and `: _ # = @ / ; , -`. Every
//!   other character is rejected, notably `(` `)` (there are no groups),
//!   `! " ' < > % &`, tab and all non-ASCII characters; write them as `\xhh`.
//! * `.` matches any char except `\n`.
//! * `^` and `$` are zero-width anchors that hold only at the start and the
//!   end of the subject (no multi-line mode). They may appear anywhere, e.g.
//!   `^a|b$`, and cannot be quantified.
//! * `|` separates top-level alternatives. An empty alternative (`a|`, `|a`,
//!   or the empty body `%%`) matches the empty string, so it matches every
//!   subject.
//! * Quantifiers `?` `*` `+` `{n}` `{m,n}` `{m,}` `{,n}` follow a
//!   char-consuming atom. Counts are at most 1000, `{0}` is allowed (it
//!   matches the empty string), `{,}` is rejected. A quantifier cannot follow
//!   another one: `a*?` is an error, not a lazy quantifier; all matching is
//!   a yes/no search, so greediness would not matter anyway.
//! * Classes `[…]` and `[^…]` hold literals, ranges `a-z` and escapes. Inside a
//!   class `. * + ? $ | { } ^` are literals too (`^` only when not first).
//!   `-` is literal when first, last, or right after a range (`[a-c-e]`), as in
//!   PCRE. `]` right after `[` or `[^` closes the class, so `[]` and `[^]` are
//!   errors; write `\]`. A negated class matches any char not listed,
//!   including `\n` and non-ASCII chars.
//! * Escapes: `\d` = `[0-9]`, `\w` = `[A-Za-z0-9_]`, `\s` = space, `\t`,
//!   `\n`, `\r`, `\x0B`, `\x0C`, and their negations `\D` `\W` `\S` (over all
//!   of Unicode); `\xhh` with two hex digits, at most `\x7F`; `\` before any
//!   ASCII punctuation character is that character (`\. \\ \[ \- \/ \%` …).
//!   `\` before a letter, digit or anything else is an error.
//! * Matching is case-sensitive and is an unanchored search: a subject
//!   matches when some substring of it matches some alternative.
//!
//! # Invariants
//!
//! * A [`Regex`] only exists for a body that passed validation; it has at
//!   least one alternative and its [`source`](Regex::source) is the body as
//!   written. Equality, hashing and ordering of [`Regex`] compare the source.
//! * Every [`Piece`] has `min <= max` (when `max` is `Some`) and both are at
//!   most 1000. Anchor pieces always have `min == max == Some(1)`.
//! * Every [`CharClass`] is canonical: sorted, non-overlapping, non-adjacent
//!   ranges of Unicode scalar values. Literals are single-char classes.
//! * The compiled program has at most 20,000 instructions, so
//!   [`Regex::is_match`] runs in `O(len(subject) × 20,000)` time at worst, with
//!   no backtracking and no recursion. Nothing in this module panics on any
//!   input or uses `unsafe`.

mod class;
mod error;
mod parse;
mod vm;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

pub use class::CharClass;
pub use error::{RegexError, RegexErrorKind};

/// A parsed, validated CloudWatch regex: the text between `%` and `%`.
///
/// ```
/// use cwpattern::regex::Regex;
/// let re = Regex::parse(r"^shutting down|\d{3}$").unwrap();
/// assert!(re.is_match("shutting down now"));
/// assert!(re.is_match("status 404"));
/// assert!(!re.is_match("not shutting down"));
/// assert!(Regex::parse("(a)").is_err());
/// ```
///
/// A `Regex` is one pointer wide: its parts are shared, and cloning it is cheap (it is
/// immutable once compiled).
#[derive(Clone)]
pub struct Regex {
    inner: std::sync::Arc<Compiled>,
}

/// A regex's text, parsed structure and matcher.
struct Compiled {
    source: String,
    alternatives: Vec<Sequence>,
    program: vm::Program,
}

impl Regex {
    /// Parses and validates a regex body (without the surrounding `%`s) and
    /// compiles its matcher.
    pub fn parse(body: &str) -> Result<Regex, RegexError> {
        let alternatives = parse::parse(body)?;
        let program = vm::Program::compile(&alternatives)
            .ok_or_else(|| RegexError::new(RegexErrorKind::TooLarge, 0, body.len()))?;
        Ok(Regex {
            inner: std::sync::Arc::new(Compiled {
                source: body.to_owned(),
                alternatives,
                program,
            }),
        })
    }

    /// The body exactly as written (without the `%`s).
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The top-level `|` alternatives, in source order (at least one).
    pub fn alternatives(&self) -> &[Sequence] {
        &self.inner.alternatives
    }

    /// Unanchored search: whether some substring of `haystack` (cut at char
    /// boundaries) is matched by some alternative, where `^` holds only at the
    /// start of `haystack` and `$` only at its end.
    pub fn is_match(&self, haystack: &str) -> bool {
        self.inner.program.is_match(haystack)
    }
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regex")
            .field("source", &self.inner.source)
            .field("alternatives", &self.inner.alternatives)
            .finish_non_exhaustive()
    }
}

/// Writes the source (without `%`s).
impl fmt::Display for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.source)
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.inner.source == other.inner.source
    }
}

impl Eq for Regex {}

impl Hash for Regex {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.source.hash(state);
    }
}

impl PartialOrd for Regex {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Regex {
    fn cmp(&self, other: &Self) -> Ordering {
        self.inner.source.cmp(&other.inner.source)
    }
}

/// Same as [`Regex::parse`].
impl std::str::FromStr for Regex {
    type Err = RegexError;

    fn from_str(body: &str) -> Result<Self, Self::Err> {
        Regex::parse(body)
    }
}

/// Serialises as the source string (without `%`s).
impl serde::Serialize for Regex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.inner.source)
    }
}

/// Deserialises from a source string, validating it with [`Regex::parse`].
impl<'de> serde::Deserialize<'de> for Regex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = String::deserialize(deserializer)?;
        Regex::parse(&body).map_err(serde::de::Error::custom)
    }
}

/// One top-level alternative: pieces matched one after another.
/// An empty sequence matches the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sequence {
    pieces: Vec<Piece>,
}

impl Sequence {
    /// The pieces in source order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }
}

/// An atom with its repetition bounds: `min..=max` copies (`max == None` is
/// unbounded). An unquantified atom has `min == 1, max == Some(1)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Piece {
    atom: Atom,
    min: u32,
    max: Option<u32>,
}

impl Piece {
    fn once(atom: Atom) -> Piece {
        Piece {
            atom,
            min: 1,
            max: Some(1),
        }
    }

    /// What is repeated.
    pub fn atom(&self) -> &Atom {
        &self.atom
    }

    /// The least number of repetitions (at most 1000).
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The greatest number of repetitions (at most 1000, and at least
    /// [`min`](Piece::min)), or `None` for unbounded (`*`, `+`, `{m,}`).
    pub fn max(&self) -> Option<u32> {
        self.max
    }
}

/// The smallest unit of a regex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// Consumes one char that is in the class. Literals, `.`, escapes and
    /// `[...]` all become classes.
    Class(CharClass),
    /// `^`: zero-width, holds only at the start of the subject.
    Start,
    /// `$`: zero-width, holds only at the end of the subject.
    End,
}
