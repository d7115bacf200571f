//! JSON patterns: `{ $.a = "x" && ($.b > 1 || $.c IS NULL) }`.

use super::expr::{after_expr, or_expr, Spanned};
use super::lexeme::{operator, run, value, word, ws};
use super::{Ctx, PResult};
use crate::syntax::ast::{Condition, PatternKind, Selector, Step, Test};
use crate::syntax::error::ErrorKind;
use crate::syntax::span::Span;

impl Spanned for Condition {
    fn span(&self) -> Span {
        self.span
    }
}

/// `JsonPattern = "{" OrExpr "}"`, followed by nothing but whitespace.
pub(super) fn pattern<'a>(
    cx: &Ctx<'a>,
    i: &'a str,
) -> Result<PatternKind, nom::Err<super::Fail<'a>>> {
    let inner = ws(&i[1..]);
    let (rest, expr) = or_expr(cx, inner, 0, condition)?;
    let rest = ws(rest);
    let Some(after) = rest.strip_prefix('}') else {
        return Err(nom::Err::Failure(after_expr(cx, rest, '}')));
    };
    let trailing = ws(after);
    if !trailing.is_empty() {
        let len = trailing.trim_end().len();
        return Err(cx.fail(trailing, len, ErrorKind::TrailingInput { close: '}' }));
    }
    Ok(PatternKind::Json { expr })
}

/// `Condition = Selector (CmpOp Value | "IS" ("NULL"|"TRUE"|"FALSE") | "NOT" "EXISTS")`.
fn condition<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Condition> {
    let (rest, selector) = selector(cx, i)?;
    let (rest, test) = test(cx, ws(rest))?;
    let span = cx.span_between(i, rest);
    Ok((
        rest,
        Condition {
            selector,
            test,
            span,
        },
    ))
}

/// The part of a condition after its selector.
fn test<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Test> {
    if let Some(found) = operator(cx, i) {
        let (rest, op) = found?;
        let (rest, value) = value(cx, ws(rest), op)?;
        return Ok((rest, Test::Compare { op, value }));
    }
    if let Some(c) = i
        .chars()
        .next()
        .filter(|c| !c.is_ascii() && c.is_alphanumeric())
    {
        return Err(cx.fail(i, 0, ErrorKind::InvalidKeyChar { found: c }));
    }
    let Ok((rest, kw)) = word(i) else {
        return Err(cx.fail(i, 0, ErrorKind::ExpectedOperator));
    };
    let after = ws(rest);
    let next = word(after).ok();
    let phrase_end = next.map_or(rest, |(end, _)| end);
    let phrase_len = cx.span_between(i, phrase_end).len();
    let test = match (kw, next.map(|(_, w)| w)) {
        ("IS", Some("NULL")) => Test::IsNull,
        ("IS", Some("TRUE")) => Test::IsTrue,
        ("IS", Some("FALSE")) => Test::IsFalse,
        ("NOT", Some("EXISTS")) => Test::NotExists,
        ("IS", Some("NOT")) => return Err(cx.fail(i, phrase_len, ErrorKind::IsNot)),
        (_, _) if kw.eq_ignore_ascii_case("EXISTS") => {
            return Err(cx.fail(i, kw.len(), ErrorKind::BareExists))
        }
        (_, Some(w)) if keyword_phrase(kw, w).is_some() => {
            let expected = keyword_phrase(kw, w).unwrap_or_default();
            let kind = ErrorKind::LowercaseKeyword { expected };
            return Err(cx.fail(i, phrase_len, kind));
        }
        ("IS", _) => return Err(cx.fail(after, 0, expected_keyword("IS", "NULL, TRUE or FALSE"))),
        ("NOT", _) => return Err(cx.fail(after, 0, expected_keyword("NOT", "EXISTS"))),
        _ => return Err(cx.fail(i, kw.len(), ErrorKind::ExpectedOperator)),
    };
    Ok((phrase_end, test))
}

fn expected_keyword(after: &'static str, expected: &'static str) -> ErrorKind {
    ErrorKind::ExpectedKeyword { after, expected }
}

/// The upper-case spelling of a keyword phrase written in another case, if it is one.
fn keyword_phrase(first: &str, second: &str) -> Option<&'static str> {
    let phrase = format!("{first} {second}").to_ascii_uppercase();
    ["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]
        .into_iter()
        .find(|known| *known == phrase)
}

/// `Selector = "$" "." Step { Step }`.
fn selector<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Selector> {
    let Some(after_dollar) = i.strip_prefix('$') else {
        let (_, name) = run(i, is_key_char);
        let looks_like_name = !name.is_empty() || i.starts_with(['.', '[', '\'', '"']);
        if !looks_like_name {
            let found = i.chars().next().unwrap_or(' ');
            return Err(cx.fail(i, 0, ErrorKind::UnexpectedChar { found }));
        }
        return Err(cx.fail(i, name.len(), ErrorKind::ExpectedSelector));
    };
    if !after_dollar.starts_with('.') {
        return Err(cx.fail(
            i,
            1 + after_dollar.chars().next().map_or(0, char::len_utf8),
            ErrorKind::ExpectedSelector,
        ));
    }
    let mut steps = Vec::new();
    let mut rest = after_dollar;
    loop {
        let next = if let Some(after_dot) = rest.strip_prefix('.') {
            dot_step(cx, after_dot)?
        } else if rest.starts_with('[') {
            bracket_step(cx, rest)?
        } else {
            break;
        };
        rest = next.0;
        steps.push(next.1);
    }
    let span = cx.span_between(i, rest);
    Ok((rest, Selector { steps, span }))
}

/// `KeyChar = ALNUM | "_" | "-"`.
pub(super) fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// A step after `.`: a key, `*`, or `['quoted key']`.
fn dot_step<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Step> {
    if let Some(rest) = i.strip_prefix('*') {
        return Ok((rest, Step::AnyKey));
    }
    if i.starts_with("['") {
        return quoted_key(cx, i);
    }
    let (rest, key) = run(i, is_key_char);
    if key.is_empty() {
        return Err(cx.fail(i, 0, ErrorKind::ExpectedKey));
    }
    Ok((rest, Step::Key(key.to_owned())))
}

/// `[n]`, `[*]` or `['quoted key']`.
fn bracket_step<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Step> {
    if i.starts_with("['") {
        return quoted_key(cx, i);
    }
    if let Some(rest) = i.strip_prefix("[*]") {
        return Ok((rest, Step::AnyIndex));
    }
    let (rest, digits) = run(&i[1..], |c| c.is_ascii_digit());
    if digits.is_empty() {
        return Err(cx.fail(&i[1..], 0, ErrorKind::ExpectedIndex));
    }
    let Some(after) = rest.strip_prefix(']') else {
        return Err(cx.fail(rest, 0, ErrorKind::UnclosedIndex));
    };
    match digits.parse::<u64>() {
        Ok(n) => Ok((after, Step::Index(n))),
        Err(_) => Err(cx.fail(&i[1..], digits.len(), ErrorKind::IndexTooLarge)),
    }
}

/// `"['" { any char except "'" } "']"`.
fn quoted_key<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Step> {
    let body = &i[2..];
    match body.find('\'') {
        Some(end) if body[end + 1..].starts_with(']') => {
            Ok((&body[end + 2..], Step::QuotedKey(body[..end].to_owned())))
        }
        _ => Err(cx.fail(i, 2, ErrorKind::UnclosedKey)),
    }
}
