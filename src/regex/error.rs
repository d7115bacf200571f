//! [`RegexError`] and [`RegexErrorKind`]: why a regex body was rejected, and where.

use std::fmt;

/// Why [`Regex::parse`](super::Regex::parse) rejected a body, with the byte
/// span of the offending text inside the body (not inside the whole filter
/// pattern: a caller that knows where the body starts adds that offset).
///
/// `Display` gives a lower-case, one-line message without a final period that
/// says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegexError {
    kind: RegexErrorKind,
    offset: usize,
    len: usize,
}

impl RegexError {
    pub(crate) fn new(kind: RegexErrorKind, offset: usize, len: usize) -> Self {
        RegexError { kind, offset, len }
    }

    /// What is wrong.
    pub fn kind(&self) -> &RegexErrorKind {
        &self.kind
    }

    /// Byte offset, inside the body, of the first offending byte. It is always
    /// a char boundary of the body and at most the body's length.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Length in bytes of the offending text (at least 1 unless the body is empty).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the offending span is empty (only possible for an empty body).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The offending span, `offset()..offset() + len()`, as a byte range of the body.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len
    }
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for RegexError {}

/// The distinct problems [`Regex::parse`](super::Regex::parse) reports.
/// Each variant's doc gives a body (the text between the `%`s) that triggers it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegexErrorKind {
    /// An ASCII character outside the allow-list, e.g. `!` in `error!`,
    /// `%` in `100%`, a tab, or `]`/`}` outside a class. The fix is `\xhh`.
    DisallowedChar {
        /// The rejected character.
        ch: char,
    },
    /// `(` or `)`, e.g. `(a|b)`: groups do not exist. The fix is `\x28` / `\x29`.
    Parenthesis {
        /// `(` or `)`.
        ch: char,
    },
    /// A non-ASCII (multi-byte) character, e.g. `é` in `café`.
    NonAscii {
        /// The rejected character.
        ch: char,
    },
    /// A quantifier with nothing to repeat: at the start (`*a`), after `|`
    /// (`a|+b`), after an anchor (`^*`), or after another quantifier (`a**`,
    /// `a{2}{3}`, and the lazy form `a*?`).
    NothingToRepeat {
        /// The quantifier's first character: `*`, `+`, `?` or `{`.
        quantifier: char,
    },
    /// `{` that does not start a counted repetition `{n}`, `{m,n}`, `{m,}` or
    /// `{,n}`, e.g. `a{x}`, `a{}`, `a{,}`, `a{1` or `a{1,2`.
    InvalidRepetition,
    /// A repetition count above 1000, e.g. `a{5000}`.
    RepetitionTooLarge {
        /// The count as written (saturated at `u64::MAX` if it does not fit).
        count: u64,
    },
    /// A counted repetition whose minimum exceeds its maximum, e.g. `a{3,2}`.
    RepetitionReversed {
        /// The minimum as written.
        min: u32,
        /// The maximum as written.
        max: u32,
    },
    /// `[` without a closing `]`, e.g. `[abc` or `[a\]`.
    UnclosedClass,
    /// A class with no items, e.g. `[]` or `[^]` (a `]` right after `[` or
    /// `[^` closes the class; write `\]` for a literal one).
    EmptyClass,
    /// A range whose start is after its end, e.g. `[z-a]`.
    ReversedRange {
        /// The range's start.
        start: char,
        /// The range's end.
        end: char,
    },
    /// A range whose end is a class escape rather than one char, e.g. `[a-\d]`.
    ClassRangeEndpoint,
    /// A `\` at the very end of the body, e.g. `abc\`.
    TrailingBackslash,
    /// `\` followed by a letter, digit, space or control character that is
    /// not a supported escape, e.g. `\b`, `\n`, `\1`.
    UnknownEscape {
        /// The character after the `\`.
        ch: char,
    },
    /// `\x` not followed by two hex digits, e.g. `\x4`, `\xZZ`, `\x{41}`.
    InvalidHexEscape,
    /// `\xhh` above `\x7F`, e.g. `\xE9`: only ASCII can be written this way.
    HexEscapeNotAscii {
        /// The value written.
        value: u8,
    },
    /// The regex expands to more than 20,000 matcher states, e.g.
    /// `[a-z]{1000}[a-z]{1000}` repeated eleven times. The span is the whole body.
    TooLarge,
}

/// Shows a char for a message: control characters escaped (`\t`), `'` as `\'`.
struct Shown(char);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == '\'' || self.0.is_control() {
            write!(f, "{}", self.0.escape_default())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Display for RegexErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RegexErrorKind::*;
        match self {
            DisallowedChar { ch } => write!(
                f,
                "'{}' is not allowed in a regex; write it as \\x{:02X}",
                Shown(*ch),
                u32::from(*ch)
            ),
            Parenthesis { ch } => write!(
                f,
                "parentheses are not supported in a regex; write \\x{:02X} for a literal '{}'",
                u32::from(*ch),
                ch
            ),
            NonAscii { ch } => write!(
                f,
                "non-ASCII character '{}' is not allowed in a regex; match it with '.' or a negated class",
                Shown(*ch)
            ),
            NothingToRepeat { quantifier } => write!(
                f,
                "nothing to repeat before '{q}'; put a character, '.', an escape or a class before it, or write \\{q} for a literal '{q}'",
                q = quantifier
            ),
            InvalidRepetition => f.write_str(
                "'{' does not start a valid repetition like {3}, {2,5}, {2,} or {,5}; write \\{ for a literal '{'",
            ),
            RepetitionTooLarge { count } if *count == u64::MAX => {
                f.write_str("repetition count is too large; the limit is 1000")
            }
            RepetitionTooLarge { count } => {
                write!(f, "repetition count {count} is too large; the limit is 1000")
            }
            RepetitionReversed { min, max } => write!(
                f,
                "repetition {{{min},{max}}} has its minimum above its maximum; write {{{max},{min}}}"
            ),
            UnclosedClass => f.write_str("unclosed character class; add ']' or write \\[ for a literal '['"),
            EmptyClass => f.write_str("empty character class; write \\] for a literal ']' inside a class"),
            ReversedRange { start, end } => write!(
                f,
                "range {}-{} is out of order; write {}-{}",
                Shown(*start),
                Shown(*end),
                Shown(*end),
                Shown(*start)
            ),
            ClassRangeEndpoint => f.write_str(
                "a range cannot end with a class escape such as \\d; write \\- for a literal '-'",
            ),
            TrailingBackslash => f.write_str("'\\' at the end of a regex escapes nothing; write \\\\ for a literal '\\'"),
            UnknownEscape { ch } => match ch {
                'n' => f.write_str("unknown escape \\n; write \\x0A for a newline"),
                't' => f.write_str("unknown escape \\t; write \\x09 for a tab"),
                'r' => f.write_str("unknown escape \\r; write \\x0D for a carriage return"),
                _ => write!(
                    f,
                    "unknown escape \\{}; the escapes are \\d \\D \\s \\S \\w \\W, \\xhh and '\\' before punctuation",
                    Shown(*ch)
                ),
            },
            InvalidHexEscape => f.write_str("\\x must be followed by two hex digits, as in \\x21"),
            HexEscapeNotAscii { value } => write!(
                f,
                "\\x{value:02X} is not an ASCII character; only \\x00 to \\x7F are allowed"
            ),
            TooLarge => write!(
                f,
                "regex is too large: it expands to more than {} states; use smaller repetition counts",
                super::vm::MAX_STATES
            ),
        }
    }
}
