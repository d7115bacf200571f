//! Lexemes shared by every kind of pattern: whitespace, quoted strings, regex literals,
//! numbers and right-hand values.

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
    // Whitespace is ASCII, so the first other byte starts a character.
    let n = i
        .bytes()
        .take_while(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    &i[n..]
}

/// `Number = [Sign] Digits ["." Digits] [("e"|"E") [Sign] Digits]`: the length of the longest
/// prefix of `i` that is a `Number`, if any. Each optional part is taken only when it is
/// complete (`1.` is the number `1` followed by `.`).
pub(crate) fn number_len(i: &str) -> Option<usize> {
    let bytes = i.as_bytes();
    let digits_from = |at: usize| {
        let n = bytes.get(at..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        (n > 0).then_some(at + n)
    };
    let sign = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let mut end = digits_from(sign)?;
    if bytes.get(end) == Some(&b'.') {
        if let Some(after) = digits_from(end + 1) {
            end = after;
        }
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        if let Some(after) = digits_from(end + 1 + sign) {
            end = after;
        }
    }
    Some(end)
}

/// True when the whole of `s` is a `Number`.
pub(crate) fn is_number(s: &str) -> bool {
    number_len(s) == Some(s.len())
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
            // `first` is a bare value character, so the token is not empty.
            let (rest, token) = run(i, is_bare_value_char);
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
    let bytes = i.as_bytes();
    let second = bytes.get(1).copied();
    // The look-alikes, by their first two characters: `!==`, `==`, `=>`, `=<`, `<>`, `=!`.
    let wrong = match (bytes.first().copied()?, second) {
        (b'!', Some(b'=')) if bytes.get(2) == Some(&b'=') => Some(("!==", "!=")),
        (b'=', Some(b'=')) => Some(("==", "=")),
        (b'=', Some(b'>')) => Some(("=>", ">=")),
        (b'=', Some(b'<')) => Some(("=<", "<=")),
        (b'<', Some(b'>')) => Some(("<>", "!=")),
        (b'=', Some(b'!')) => Some(("=!", "!=")),
        _ => None,
    };
    if let Some((found, meant)) = wrong {
        let kind = ErrorKind::WrongOperator { found, meant };
        return Some(Err(cx.fail(i, found.len(), kind)));
    }
    cmp_op(i).ok().map(Ok)
}

/// A comparison operator: `!=`, `<=`, `>=`, `=`, `<` or `>`.
pub(crate) fn cmp_op(i: &str) -> PResult<'_, CmpOp> {
    let bytes = i.as_bytes();
    let (op, len) = match (bytes.first(), bytes.get(1)) {
        (Some(b'!'), Some(b'=')) => (CmpOp::Ne, 2),
        (Some(b'<'), Some(b'=')) => (CmpOp::Le, 2),
        (Some(b'>'), Some(b'=')) => (CmpOp::Ge, 2),
        (Some(b'='), _) => (CmpOp::Eq, 1),
        (Some(b'<'), _) => (CmpOp::Lt, 1),
        (Some(b'>'), _) => (CmpOp::Gt, 1),
        _ => return Err(nom::Err::Error(super::Fail::generic(i))),
    };
    Ok((&i[len..], op))
}

/// An upper- or lower-case word of ASCII letters (keywords).
pub(crate) fn word(i: &str) -> PResult<'_, &str> {
    match run(i, |c| c.is_ascii_alphabetic()) {
        (_, "") => Err(nom::Err::Error(super::Fail::generic(i))),
        found => Ok(found),
    }
}

/// A run of characters satisfying `pred`, possibly empty: (the rest, the run).
pub(crate) fn run(i: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    // ASCII characters are read as bytes; from the first other character on, as characters.
    let bytes = i.as_bytes();
    let mut end = 0;
    while let Some(&b) = bytes.get(end) {
        if !b.is_ascii() {
            let tail = &i[end..];
            end += tail.find(|c: char| !pred(c)).unwrap_or(tail.len());
            break;
        }
        if !pred(char::from(b)) {
            break;
        }
        end += 1;
    }
    (&i[end..], &i[..end])
}

#[cfg(test)]
mod tests {
    use super::{is_number, number_len};

    #[test]
    fn numbers_are_recognised_by_the_grammar() {
        for s in ["0", "+1", "-12", "1.5", "1e3", "1E-3", "-2.5e+10", "007"] {
            assert!(is_number(s), "{s}");
        }
        for s in [
            "", "+", "-", ".5", "1.", "1e", "1e+", "1.e3", "a1", "1a", "1.5.2", "--1",
        ] {
            assert!(!is_number(s), "{s}");
        }
        assert_eq!(number_len("1.x"), Some(1));
        assert_eq!(number_len("2e+x"), Some(1));
        assert_eq!(number_len("3.25e-7!"), Some(7));
        assert_eq!(number_len("x"), None);
    }
}
