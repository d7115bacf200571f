//! Term patterns: `ERROR -DEBUG ?WARN "a phrase" %regex%`.

use super::lexeme::{is_ws, quoted, regex, run, ws};
use super::{Ctx, Fail};
use crate::syntax::ast::{PatternKind, Term, TermPrefix, TermText};
use crate::syntax::error::ErrorKind;

/// `TermPattern = TermItem { WS TermItem }`.
pub(super) fn pattern<'a>(cx: &Ctx<'a>, i: &'a str) -> Result<PatternKind, nom::Err<Fail<'a>>> {
    let mut terms = Vec::new();
    let mut rest = ws(i);
    while !rest.is_empty() {
        let (after, term) = term(cx, rest)?;
        if after.chars().next().is_some_and(|c| !is_ws(c)) {
            return Err(cx.fail(after, 0, ErrorKind::MissingSpaceBetweenTerms));
        }
        terms.push(term);
        rest = ws(after);
    }
    Ok(PatternKind::Terms { terms })
}

/// `TermItem = ["?" | "-"] (DQString | BareTerm | Regex)`.
fn term<'a>(cx: &Ctx<'a>, i: &'a str) -> super::PResult<'a, Term> {
    let (prefix, body) = match i.chars().next() {
        Some('-') => (TermPrefix::Excluded, &i[1..]),
        Some('?') => (TermPrefix::Optional, &i[1..]),
        _ => (TermPrefix::Required, i),
    };
    let (rest, text) = match body.chars().next() {
        None => return Err(cx.fail(i, 1, expected_term(i))),
        Some(c) if is_ws(c) => return Err(cx.fail(i, 1, expected_term(i))),
        Some('"') => {
            let (rest, s) = quoted(cx, body)?;
            (rest, TermText::Quoted(s))
        }
        Some('%') => {
            let (rest, re) = regex(cx, body)?;
            (rest, TermText::Regex(re))
        }
        Some(_) => {
            let (rest, word) = run(body, |c| !is_ws(c) && c != '"');
            (rest, TermText::Bare(word.to_owned()))
        }
    };
    let span = cx.span_between(i, rest);
    Ok((rest, Term { prefix, text, span }))
}

fn expected_term(i: &str) -> ErrorKind {
    ErrorKind::ExpectedTerm {
        after: i.chars().next().unwrap_or('-'),
    }
}
