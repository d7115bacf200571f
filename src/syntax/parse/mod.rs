//! The parser: pattern text → [`ast::Pattern`](crate::syntax::ast::Pattern).
//!
//! One function per grammar production (see `../shared/spec/syntax.md` §3, mirrored in
//! SEMANTICS.md), built from nom combinators over `&str`. The nom error type is internal:
//! failures carry an [`ErrorKind`] and a span and become [`Error`] at the top.
//!
//! Input safety: recursion happens only through parentheses and is bounded by
//! [`ParseOptions::max_depth`]; every other loop consumes input, so parsing is linear in the
//! pattern's length and never panics.

mod delimited;
mod expr;
mod json;
mod lexeme;
mod limits;
mod terms;

use crate::syntax::ast::{Pattern, PatternKind};
use crate::syntax::error::{Error, ErrorKind};
use crate::syntax::span::Span;

/// The longest pattern AWS accepts, in characters.
pub const AWS_MAX_PATTERN_CHARS: usize = 1024;
/// The most regexes AWS accepts in one pattern.
pub const AWS_MAX_REGEXES: usize = 2;
/// The most wildcard selector steps AWS accepts in one pattern.
pub const AWS_MAX_WILDCARDS: usize = 3;

/// True when `token`, written unquoted as a value, reads back as the string `token` (and not
/// as a number): letters, digits, `_`, `.`, `-` and `*` only.
pub fn is_bare_value_token(token: &str) -> bool {
    // A number starts with a sign or a digit; the bytes of characters other than ASCII are
    // not ASCII, so checking bytes checks characters.
    let might_be_number = matches!(token.as_bytes().first(), Some(b'0'..=b'9' | b'+' | b'-'));
    !token.is_empty()
        && token.bytes().all(|b| is_bare_value_char(char::from(b)))
        && !(might_be_number && lexeme::is_number(token))
}

/// A character a bare value token may have: ASCII letters and digits, `_`, `.`, `*`, `-`.
pub const fn is_bare_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-')
}

/// How strictly to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Enforce AWS's quotas: 1024 characters, 2 regexes, 1 wildcard per selector and 3 per
    /// pattern. On by default; benchmarks and generated patterns may turn it off.
    pub aws_limits: bool,
    /// The deepest nesting of parentheses accepted.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            aws_limits: true,
            max_depth: 100,
        }
    }
}

/// Parses a filter pattern with AWS's limits enforced.
///
/// ```
/// let pattern = cwpattern::syntax::parse(r#"{ $.eventName = "CreatePolicy" }"#)?;
/// assert_eq!(pattern.to_string(), r#"{ $.eventName = "CreatePolicy" }"#);
/// # Ok::<(), cwpattern::syntax::Error>(())
/// ```
pub fn parse(pattern: &str) -> Result<Pattern, Error> {
    parse_with(pattern, ParseOptions::default())
}

/// Parses a filter pattern with the given options.
pub fn parse_with(pattern: &str, options: ParseOptions) -> Result<Pattern, Error> {
    let cx = Ctx {
        full: pattern,
        options,
    };
    // A pattern of at most 1024 bytes has at most 1024 characters: only longer ones are
    // counted.
    if options.aws_limits && pattern.len() > AWS_MAX_PATTERN_CHARS {
        if let Some((start, _)) = pattern.char_indices().nth(AWS_MAX_PATTERN_CHARS) {
            let chars = pattern.chars().count();
            let kind = ErrorKind::TooLong { chars };
            return Err(Error::new(
                kind,
                pattern,
                Span::new(start, pattern.len()),
                None,
            ));
        }
    }
    let parsed = top(&cx).map_err(|e| cx.error(e))?;
    if options.aws_limits {
        limits::check(&parsed).map_err(|(kind, span)| Error::new(kind, pattern, span, None))?;
    }
    Ok(parsed)
}

fn top<'a>(cx: &Ctx<'a>) -> Result<Pattern, Fail<'a>> {
    top_kind(cx).map_err(|e| match e {
        nom::Err::Error(fail) | nom::Err::Failure(fail) => fail,
        nom::Err::Incomplete(_) => Fail::generic(""),
    })
}

fn top_kind<'a>(cx: &Ctx<'a>) -> Result<Pattern, nom::Err<Fail<'a>>> {
    let rest = lexeme::ws(cx.full);
    let start = cx.offset(rest);
    let trimmed_len = rest.trim_end_matches(lexeme::is_ws).len();
    let span = Span::new(start, start + trimmed_len);
    let kind = match rest.chars().next() {
        None => PatternKind::Empty,
        Some('{') => json::pattern(cx, rest)?,
        Some('[') => delimited::pattern(cx, rest)?,
        Some(_) => terms::pattern(cx, rest)?,
    };
    Ok(Pattern { kind, span })
}

/// Per-parse context: the whole pattern (for offsets) and the options.
pub(crate) struct Ctx<'a> {
    full: &'a str,
    options: ParseOptions,
}

impl<'a> Ctx<'a> {
    /// The byte offset of `rest`, a suffix of the pattern.
    fn offset(&self, rest: &str) -> usize {
        self.full.len().saturating_sub(rest.len())
    }

    /// The span of the first `len` bytes of `rest` (at least one character where there is one).
    fn span_at(&self, rest: &str, len: usize) -> Span {
        let start = self.offset(rest);
        let len = if len == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            len
        };
        Span::new(start, start + len.min(rest.len()))
    }

    /// The span from `from` (a suffix) up to `to` (a later suffix).
    fn span_between(&self, from: &str, to: &str) -> Span {
        Span::new(self.offset(from), self.offset(to))
    }

    /// A committed failure of kind `kind` at the first `len` bytes of `rest`.
    fn fail(&self, rest: &'a str, len: usize, kind: ErrorKind) -> nom::Err<Fail<'a>> {
        nom::Err::Failure(self.fail_data(rest, len, kind))
    }

    fn fail_data(&self, rest: &'a str, len: usize, kind: ErrorKind) -> Fail<'a> {
        Fail {
            rest,
            kind,
            span: Some(self.span_at(rest, len)),
            aux: None,
        }
    }

    fn error(&self, fail: Fail<'a>) -> Error {
        let span = fail.span.unwrap_or_else(|| self.span_at(fail.rest, 0));
        Error::new(fail.kind, self.full, span, fail.aux)
    }
}

/// An internal failure: where, what, and a second place if any.
#[derive(Debug)]
pub(crate) struct Fail<'a> {
    rest: &'a str,
    kind: ErrorKind,
    span: Option<Span>,
    aux: Option<Span>,
}

impl<'a> Fail<'a> {
    /// A backtrackable failure at `rest`, as nom's own combinators produce.
    fn generic(rest: &'a str) -> Self {
        let kind = match rest.chars().next() {
            Some(found) => ErrorKind::UnexpectedChar { found },
            None => ErrorKind::UnexpectedEnd,
        };
        Fail {
            rest,
            kind,
            span: None,
            aux: None,
        }
    }

    fn with_aux(mut self, aux: Span) -> Self {
        self.aux = Some(aux);
        self
    }
}

impl<'a> nom::error::ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        Fail::generic(input)
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// The parsers' result: the remaining input and the value, or a failure. A committed
/// failure (`nom::Err::Failure`) carries the final error; `nom::Err::Error` lets an
/// alternative be tried.
type PResult<'a, T> = nom::IResult<&'a str, T, Fail<'a>>;

#[cfg(test)]
mod tests;
