//! Parse errors as data: a kind, the pattern, a primary span and an optional second span.
//!
//! Rendering (the pattern, a caret line and `at offset N`) is done by [`Error`]'s `Display`
//! and by nothing else; messages are lower case, with no final period, and say what was
//! expected.

use std::fmt;

use crate::regex::RegexError;
use crate::syntax::span::Span;

/// Why a pattern could not be parsed.
///
/// Each variant's doc shows a pattern that triggers it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A pattern of more than 1024 characters (AWS's limit).
    TooLong {
        /// The pattern's length in characters.
        chars: usize,
    },
    /// Parentheses nested deeper than the parser's limit, e.g. 200 × `(`.
    NestTooDeep {
        /// The nesting limit.
        limit: usize,
    },
    /// `"abc` — a double-quoted string without its closing quote.
    UnclosedString,
    /// `%abc` — a regex without its closing `%`.
    UnclosedRegex,
    /// `%a(b%` — a regex outside the subset CloudWatch accepts.
    InvalidRegex(RegexError),
    /// `{ $.a = %x% || $.b = %y% || $.c = %z% }` — more than 2 regexes in one pattern.
    TooManyRegexes {
        /// The limit.
        limit: usize,
    },
    /// `{ $.a[*].b.* = 1 }` — more than one wildcard step in one selector.
    TooManyWildcardsInSelector,
    /// More than 3 wildcard selectors in one pattern.
    TooManyWildcards {
        /// The limit.
        limit: usize,
    },
    /// `ERROR -` — a `-` or `?` prefix with no term after it.
    ExpectedTerm {
        /// The prefix character.
        after: char,
    },
    /// `"a""b"` — two terms with no whitespace between them.
    MissingSpaceBetweenTerms,
    /// `{ eventName = x }` — a condition that does not start with a `$.` selector.
    ExpectedSelector,
    /// `{ $.a. = 1 }` — a selector step without a key.
    ExpectedKey,
    /// `{ $.a[x] = 1 }` — a bracket step that is neither an index, `*` nor `'key'`.
    ExpectedIndex,
    /// `{ $.['a = 1 }` — a quoted key without its closing `']`.
    UnclosedKey,
    /// `{ $.a 1 }` — no comparison operator after the selector.
    ExpectedOperator,
    /// `{ $.a = }` — no value after a comparison operator.
    ExpectedValue {
        /// The operator.
        op: &'static str,
    },
    /// `{ $.a > abc }` — an ordering operator followed by something other than a number.
    ExpectedNumber {
        /// The operator.
        op: &'static str,
    },
    /// `{ $.a = b:c }` — an unquoted value with a character that needs double quotes.
    UnquotedValue {
        /// The offending character.
        found: char,
    },
    /// `{ $.a = 'x' }` — single quotes around a value.
    SingleQuotedValue,
    /// `{ $.a IS }` — a keyword missing after `IS` or `NOT`.
    ExpectedKeyword {
        /// The keyword already read.
        after: &'static str,
        /// What may follow it.
        expected: &'static str,
    },
    /// `{ $.a IS NOT NULL }` — `IS NOT` is not supported by CloudWatch.
    IsNot,
    /// `{ $.a EXISTS }` — `EXISTS` without `NOT` is not supported by CloudWatch.
    BareExists,
    /// `{ $.a is null }` — a keyword written in lower case.
    LowercaseKeyword {
        /// The keyword in upper case.
        expected: &'static str,
    },
    /// `{ ($.a = 1 }` — an opening parenthesis that is never closed.
    UnclosedParen {
        /// The offset of the `(`.
        open: usize,
    },
    /// `{ $.a == 1 }` — an operator CloudWatch does not have.
    WrongOperator {
        /// What was written.
        found: &'static str,
        /// The operator meant.
        meant: &'static str,
    },
    /// `{ $.a[1 = 1 }` — an array index without its closing `]`.
    UnclosedIndex,
    /// `{ $.a[99999999999999999999999] = 1 }` — an index beyond 2^64.
    IndexTooLarge,
    /// `{ $.café = 1 }` — a character that keys after `.` cannot contain.
    InvalidKeyChar {
        /// The character.
        found: char,
    },
    /// `{ $.a = %abc\% }` — a backslash before the closing `%`, which cannot be escaped.
    RegexEscapedDelimiter,
    /// `{ $.a = 1 & $.b = 2 }` — a single `&` or `|` instead of `&&` or `||`.
    SingleOperator {
        /// The character written.
        found: char,
        /// The doubled operator meant.
        meant: &'static str,
    },
    /// `{ $.a = 1 $.b = 2 }` — a condition followed by something other than `&&`, `||` or
    /// the closing bracket.
    ExpectedConnective {
        /// The closing character expected at this point.
        close: char,
    },
    /// `{ }` — an expression that is missing (after `{`, `(`, `&&` or `||`).
    ExpectedCondition,
    /// `{ $.a = 1 } || { $.b = 2 }` — text after the end of a JSON or delimited pattern.
    TrailingInput {
        /// The closing character of the pattern.
        close: char,
    },
    /// `[a, =b]` — an entry that is not a field name, `...` or empty.
    ExpectedFieldName,
    /// `[a b]` — an entry followed by something other than `,` or `]`.
    ExpectedCommaOrBracket,
    /// `[a = 1 && b = 2]` — conditions on different fields within one entry.
    MixedFieldNames {
        /// The entry's field name.
        expected: String,
    },
    /// `[a, a]` — the same field name used twice.
    DuplicateFieldName,
    /// `[..., a, ...]` — more than one `...`.
    MultipleEllipses,
    /// `[a || b]` — a field name without a comparison inside a chain of conditions.
    ExpectedFieldOperator,
    /// The pattern ends where more was expected (a fallback; the parser names what was
    /// expected wherever it can).
    UnexpectedEnd,
    /// `{ \ }` — a character that cannot start anything here.
    UnexpectedChar {
        /// The character found.
        found: char,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind as K;
        match self {
            K::TooLong { chars } => write!(
                f,
                "the pattern is {chars} characters long; AWS accepts at most 1024"
            ),
            K::NestTooDeep { limit } => write!(
                f,
                "parentheses are nested too deeply; the limit is {limit} levels"
            ),
            K::UnclosedString => f.write_str("unclosed quoted string; missing '\"'"),
            K::UnclosedRegex => f.write_str("unclosed regex; missing '%'"),
            K::InvalidRegex(e) => write!(f, "invalid regex: {e}"),
            K::TooManyRegexes { limit } => {
                write!(f, "a pattern may contain at most {limit} regexes")
            }
            K::TooManyWildcardsInSelector => {
                f.write_str("a selector may contain at most one wildcard ('[*]' or '.*')")
            }
            K::TooManyWildcards { limit } => write!(
                f,
                "a pattern may contain at most {limit} selectors with wildcards"
            ),
            K::ExpectedTerm { after } => write!(f, "expected a term after '{after}'"),
            K::MissingSpaceBetweenTerms => f.write_str("expected whitespace between terms"),
            K::ExpectedSelector => {
                f.write_str("expected a selector starting with '$.', such as '$.eventName'")
            }
            K::ExpectedKey => f.write_str("expected a key, '*' or \"['key']\" after '.'"),
            K::ExpectedIndex => {
                f.write_str("expected an array index, '*' or a quoted key after '['")
            }
            K::UnclosedKey => f.write_str("unclosed quoted key; missing \"']\""),
            K::ExpectedOperator => f.write_str(
                "expected an operator (=, !=, <, <=, >, >=, IS or NOT EXISTS) after the selector",
            ),
            K::ExpectedValue { op } => write!(f, "expected a value after '{op}'"),
            K::ExpectedNumber { op } => write!(f, "expected a number after '{op}'"),
            K::UnquotedValue { found } => write!(
                f,
                "'{found}' cannot appear in an unquoted value; put the value in double quotes"
            ),
            K::SingleQuotedValue => {
                f.write_str("single quotes do not delimit values; use double quotes")
            }
            K::ExpectedKeyword { after, expected } => {
                write!(f, "expected {expected} after '{after}'")
            }
            K::IsNot => {
                f.write_str("'IS NOT' is not supported; use '!=' or 'NOT EXISTS' to negate a test")
            }
            K::BareExists => {
                f.write_str("'EXISTS' is not supported; use '= *' to test that a field exists")
            }
            K::LowercaseKeyword { expected } => {
                write!(f, "keywords are upper case; write '{expected}'")
            }
            K::UnclosedParen { .. } => f.write_str("expected ')' to close an earlier '('"),
            K::WrongOperator { found, meant } => {
                write!(f, "'{found}' is not an operator; write '{meant}'")
            }
            K::UnclosedIndex => f.write_str("expected ']' after the array index"),
            K::IndexTooLarge => f.write_str("the array index is too large"),
            K::InvalidKeyChar { found } => write!(
                f,
                "'{found}' cannot appear in a key after '.'; write the key as .['key']"
            ),
            K::RegexEscapedDelimiter => f.write_str(
                "a regex cannot end with '\\': '\\%' does not escape the closing '%'; write \\x25 for a literal '%'",
            ),
            K::SingleOperator { found, meant } => {
                write!(f, "'{found}' is not an operator; write '{meant}'")
            }
            K::ExpectedConnective { close } => {
                write!(f, "expected '&&', '||' or '{close}' after a condition")
            }
            K::ExpectedCondition => f.write_str("expected a condition"),
            K::TrailingInput { close } => write!(
                f,
                "unexpected text after the closing '{close}'; a pattern is a single expression"
            ),
            K::ExpectedFieldName => f.write_str("expected a field name, '...' or ','"),
            K::ExpectedCommaOrBracket => f.write_str("expected ',' or ']' after a field"),
            K::MixedFieldNames { expected } => write!(
                f,
                "every condition in one entry must be about the same field, here '{expected}'"
            ),
            K::DuplicateFieldName => f.write_str("this field name is already used"),
            K::MultipleEllipses => f.write_str("only one '...' is allowed in a pattern"),
            K::ExpectedFieldOperator => {
                f.write_str("expected a comparison after the field name in a chain of conditions")
            }
            K::UnexpectedEnd => f.write_str("unexpected end of the pattern"),
            K::UnexpectedChar { found } => write!(f, "unexpected character '{found}'"),
        }
    }
}

/// A pattern that could not be parsed: what went wrong and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    pattern: String,
    span: Span,
    aux_span: Option<Span>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, pattern: &str, span: Span, aux_span: Option<Span>) -> Error {
        let clamp = |s: Span| Span::new(s.start.min(pattern.len()), s.end.min(pattern.len()));
        Error {
            kind,
            pattern: pattern.to_owned(),
            span: clamp(span),
            aux_span: aux_span.map(clamp),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The pattern that failed to parse.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The offending bytes.
    pub fn span(&self) -> Span {
        self.span
    }

    /// A second place involved, such as the first use of a duplicated name or the `(` that
    /// is never closed.
    pub fn aux_span(&self) -> Option<Span> {
        self.aux_span
    }

    /// The 0-based byte offset of the error.
    pub fn offset(&self) -> usize {
        self.span.start
    }

    /// The one-line message, without the diagram: `expected a value after '=' at offset 14`.
    pub fn message(&self) -> String {
        format!("{} at offset {}", self.kind, self.offset())
    }
}

impl std::error::Error for Error {}

/// Renders the diagram: the pattern line (a window of it around the error when it is
/// long), a caret line, and the message with its offset.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "filter pattern parse error:")?;
        let view = locate(&self.pattern, self.span);
        writeln!(f, "    {}", view.line)?;
        write!(f, "    {}{}", " ".repeat(view.col), "^".repeat(view.carets))?;
        if let Some(aux) = self.aux_span {
            let other = locate(&self.pattern, aux);
            if other.line_no == view.line_no && other.line == view.line {
                write!(
                    f,
                    "\n    {}{} (related)",
                    " ".repeat(other.col),
                    "-".repeat(other.carets)
                )?;
            } else {
                write!(
                    f,
                    "\nnote: related to offset {} (line {})",
                    aux.start, other.line_no
                )?;
            }
        }
        if view.line_no > 1 || self.pattern.contains('\n') {
            write!(
                f,
                "\nerror: {} (line {}, column {})",
                self.message(),
                view.line_no,
                view.col_in_line + 1
            )
        } else {
            write!(f, "\nerror: {}", self.message())
        }
    }
}

/// What the diagram shows of the pattern around a span.
struct View {
    /// The text shown (control characters as spaces; `…` where the line was cut).
    line: String,
    /// 1-based line number.
    line_no: usize,
    /// Column of the caret in the text shown, in characters.
    col: usize,
    /// Column of the span in the full line, in characters.
    col_in_line: usize,
    /// Number of carets (at least 1).
    carets: usize,
}

/// The most characters of a line shown before and after the error.
const CONTEXT: usize = 40;

fn locate(pattern: &str, span: Span) -> View {
    let start = floor_char_boundary(pattern, span.start);
    let line_start = pattern[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = pattern[start..]
        .find('\n')
        .map_or(pattern.len(), |i| start + i);
    let chars: Vec<char> = pattern[line_start..line_end]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let col_in_line = pattern[line_start..start].chars().count();
    let end = floor_char_boundary(pattern, span.end.min(line_end).max(start));
    let carets = pattern[start..end].chars().count().max(1);
    let line_no = pattern[..start].matches('\n').count() + 1;
    let from = col_in_line.saturating_sub(CONTEXT);
    let to = (col_in_line + carets.min(CONTEXT) + CONTEXT).min(chars.len());
    let mut line: String = chars[from..to.max(from)].iter().collect();
    let mut col = col_in_line - from;
    if from > 0 {
        line.insert(0, '…');
        col += 1;
    }
    if to < chars.len() {
        line.push('…');
    }
    View {
        line,
        line_no,
        col,
        col_in_line,
        carets: carets.min(CONTEXT * 2),
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
