//! Lexemes shared by every kind of pattern: whitespace, quoted strings, regex literals,
//! numbers and right-hand values.

use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::{char as nom_char, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::sequence::preceded;
use nom::Parser;

use super::{Ctx, PResult};
use crate::regex::Regex;
use crate::syntax::ast::{CmpOp, Value, ValueKind};
use crate::syntax::error::ErrorKind;

/// Pattern whitespace: space, tab, carriage return and newline (tabs and newlines are our
/// choice; AWS documents only spaces).
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Skips optional whitespace.
pub(crate) fn ws(i: &str) -> &str {
    i.trim_start_matches(is_ws)
}

/// `Number = [Sign] Digits ["." Digits] [("e"|"E") [Sign] Digits]`, recognised as text.
pub(crate) fn number(i: &str) -> PResult<'_, &str> {
    recognize((
        opt(one_of("+-")),
        digit1,
        opt(preceded(nom_char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(i)
}

/// True when the whole of `s` is a `Number`.
pub(crate) fn is_number(s: &str) -> bool {
    matches!(number(s), Ok(("", _)))
}

/// `DQString = '"' { DQChar } '"'`; `\"` and `\\` are escapes, any other backslash is kept.
pub(crate) fn quoted<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, String> {
    // Without a backslash before the closing quote, the value is the text between the quotes.
    let body = &i[1..];
    if let Some(end) = memchr::memchr2(b'"', b'\\', body.as_bytes()) {
        if body.as_bytes()[end] == b'"' {
            return Ok((&body[end + 1..], body[..end].to_owned()));
        }
    }
    let mut out = String::new();
    let mut chars = i.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((&i[at + 1..], out)),
            '\\' => match i[at + 1..].chars().next() {
                Some(next @ ('"' | '\\')) => {
                    out.push(next);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    Err(cx.fail(i, 1, ErrorKind::UnclosedString))
}

/// `Regex = "%" RegexBody "%"`; the body is validated and parsed by [`crate::regex`].
pub(crate) fn regex<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Regex> {
    let body_and_rest = &i[1..];
    let Some(end) = body_and_rest.find('%') else {
        return Err(cx.fail(i, 1, ErrorKind::UnclosedRegex));
    };
    let body = &body_and_rest[..end];
    let trailing_backslashes = body.len() - body.trim_end_matches('\\').len();
    if trailing_backslashes % 2 == 1 {
        let at = &body_and_rest[end - 1..];
        return Err(cx.fail(at, 2, ErrorKind::RegexEscapedDelimiter));
    }
    match Regex::parse(body) {
        Ok(re) => Ok((&body_and_rest[end + 1..], re)),
        Err(e) => {
            let at = &body[e.offset().min(body.len())..];
            let len = e.len();
            Err(cx.fail(at, len, ErrorKind::InvalidRegex(e)))
        }
    }
}

/// Characters allowed in an unquoted value (and `+`, which only numbers may use).
fn is_bare_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | '+')
}

/// Characters that may follow a value: whitespace, or the end of the condition.
fn ends_value(c: char) -> bool {
    is_ws(c) || matches!(c, ')' | '}' | ']' | ',' | '&' | '|')
}

/// `StrValue | Number | Regex` after the operator `op`, as in JSON and space-delimited
/// conditions. Ordering operators accept only numbers.
pub(crate) fn value<'a>(cx: &Ctx<'a>, i: &'a str, op: CmpOp) -> PResult<'a, Value> {
    let missing = || match op.is_ordering() {
        true => ErrorKind::ExpectedNumber { op: op.as_str() },
        false => ErrorKind::ExpectedValue { op: op.as_str() },
    };
    let Some(first) = i.chars().next() else {
        return Err(cx.fail(i, 0, missing()));
    };
    let (rest, kind) = match first {
        '"' => {
            let (rest, s) = quoted(cx, i)?;
            (rest, ValueKind::Quoted(s))
        }
        '%' => {
            let (rest, re) = regex(cx, i)?;
            (rest, ValueKind::Regex(re))
        }
        '\'' => return Err(cx.fail(i, 1, ErrorKind::SingleQuotedValue)),
        c if ends_value(c) => return Err(cx.fail(i, 0, missing())),
        c if !is_bare_value_char(c) => {
            let kind = match op.is_ordering() {
                true => missing(),
                false => ErrorKind::UnquotedValue { found: c },
            };
            return Err(cx.fail(i, 0, kind));
        }
        _ => {
            let (rest, token) = take_while1(is_bare_value_char).parse(i)?;
            if is_number(token) {
                (rest, ValueKind::Number(token.to_owned()))
            } else if let Some(plus) = token.find('+').filter(|_| !op.is_ordering()) {
                let found = '+';
                return Err(cx.fail(&i[plus..], 1, ErrorKind::UnquotedValue { found }));
            } else {
                (rest, ValueKind::Bare(token.to_owned()))
            }
        }
    };
    let span = cx.span_between(i, rest);
    if op.is_ordering() && !matches!(kind, ValueKind::Number(_)) {
        let kind = ErrorKind::ExpectedNumber { op: op.as_str() };
        return Err(nom::Err::Failure(cx.fail_data(i, span.len(), kind)));
    }
    if let Some(c) = rest.chars().next().filter(|&c| !ends_value(c)) {
        let kind = match c {
            '"' | '%' | '\'' => ErrorKind::UnexpectedChar { found: c },
            _ => ErrorKind::UnquotedValue { found: c },
        };
        return Err(cx.fail(rest, 0, kind));
    }
    Ok((rest, Value { kind, span }))
}

/// A comparison operator, rejecting look-alikes such as `==` and `=>` with a hint.
pub(crate) fn operator<'a>(
    cx: &Ctx<'a>,
    i: &'a str,
) -> Option<Result<(&'a str, CmpOp), nom::Err<super::Fail<'a>>>> {
    let wrong = [
        ("!==", "!="),
        ("==", "="),
        ("=>", ">="),
        ("=<", "<="),
        ("<>", "!="),
        ("=!", "!="),
    ];
    for (found, meant) in wrong {
        if i.starts_with(found) {
            return Some(Err(cx.fail(
                i,
                found.len(),
                ErrorKind::WrongOperator { found, meant },
            )));
        }
    }
    cmp_op(i).ok().map(Ok)
}

/// A comparison operator: `!=`, `<=`, `>=`, `=`, `<` or `>`.
pub(crate) fn cmp_op(i: &str) -> PResult<'_, CmpOp> {
    let two = [("!=", CmpOp::Ne), ("<=", CmpOp::Le), (">=", CmpOp::Ge)];
    let one = [("=", CmpOp::Eq), ("<", CmpOp::Lt), (">", CmpOp::Gt)];
    for (text, op) in two.into_iter().chain(one) {
        if let Some(rest) = i.strip_prefix(text) {
            return Ok((rest, op));
        }
    }
    Err(nom::Err::Error(super::Fail::generic(i)))
}

/// An upper- or lower-case word of ASCII letters (keywords).
pub(crate) fn word(i: &str) -> PResult<'_, &str> {
    take_while1(|c: char| c.is_ascii_alphabetic()).parse(i)
}

/// A run of characters satisfying `pred`, possibly empty.
pub(crate) fn run(i: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    match take_while::<_, _, super::Fail<'_>>(pred).parse(i) {
        Ok((rest, token)) => (rest, token),
        Err(_) => (i, ""),
    }
}
