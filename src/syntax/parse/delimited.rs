//! Space-delimited patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`.

use super::expr::{or_expr, single_operator, Spanned};
use super::json::is_key_char;
use super::lexeme::{operator, run, value, ws};
use super::{Ctx, Fail, PResult};
use crate::syntax::ast::{CmpOp, Entry, Expr, FieldCondition, PatternKind, Value};
use crate::syntax::error::ErrorKind;
use crate::syntax::span::Span;

/// A field condition as read, before the entry is checked: the operator may be missing
/// only when the entry is a lone field name.
struct RawCondition {
    name: String,
    name_span: Span,
    compare: Option<(CmpOp, Value)>,
    span: Span,
}

impl Spanned for RawCondition {
    fn span(&self) -> Span {
        self.span
    }
}

impl Spanned for FieldCondition {
    fn span(&self) -> Span {
        self.span
    }
}

/// `DelimPattern = "[" [ Entry { "," Entry } ] "]"`, followed by nothing but whitespace.
pub(super) fn pattern<'a>(cx: &Ctx<'a>, i: &'a str) -> Result<PatternKind, nom::Err<Fail<'a>>> {
    let mut rest = ws(&i[1..]);
    let mut entries = Vec::new();
    let mut names: Vec<(String, Span)> = Vec::new();
    let mut ellipsis: Option<Span> = None;
    if let Some(after) = rest.strip_prefix(']') {
        return finish(cx, after, entries);
    }
    loop {
        let (after, entry) = entry(cx, rest)?;
        match &entry {
            Entry::Ellipsis { span } => {
                if let Some(first) = ellipsis {
                    let fail = cx.fail_data(rest, 3, ErrorKind::MultipleEllipses);
                    return Err(nom::Err::Failure(fail.with_aux(first)));
                }
                ellipsis = Some(*span);
            }
            Entry::Field {
                name, name_span, ..
            } => {
                if let Some((_, first)) = names.iter().find(|(n, _)| n == name) {
                    let fail = cx.fail_data(rest, name.len(), ErrorKind::DuplicateFieldName);
                    return Err(nom::Err::Failure(fail.with_aux(*first)));
                }
                names.push((name.clone(), *name_span));
            }
            Entry::Empty { .. } => {}
        }
        entries.push(entry);
        let after = ws(after);
        if let Some(next) = after.strip_prefix(',') {
            rest = ws(next);
        } else if let Some(end) = after.strip_prefix(']') {
            return finish(cx, end, entries);
        } else {
            let kind = single_operator(after).unwrap_or(ErrorKind::ExpectedCommaOrBracket);
            return Err(cx.fail(after, 0, kind));
        }
    }
}

fn finish<'a>(
    cx: &Ctx<'a>,
    after: &'a str,
    entries: Vec<Entry>,
) -> Result<PatternKind, nom::Err<Fail<'a>>> {
    let trailing = ws(after);
    if !trailing.is_empty() {
        let len = trailing.trim_end().len();
        return Err(cx.fail(trailing, len, ErrorKind::TrailingInput { close: ']' }));
    }
    Ok(PatternKind::Delimited { entries })
}

/// `Entry = "..." | FieldExpr | (* empty *)`.
fn entry<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, Entry> {
    if let Some(rest) = i.strip_prefix("...") {
        let span = cx.span_between(i, rest);
        return Ok((rest, Entry::Ellipsis { span }));
    }
    if i.starts_with([',', ']']) {
        let span = Span::splat(cx.offset(i));
        return Ok((i, Entry::Empty { span }));
    }
    if !i.starts_with(|c: char| is_key_char(c) || c == '(') {
        return Err(cx.fail(i, 0, ErrorKind::ExpectedFieldName));
    }
    let (rest, expr) = or_expr(cx, i, 0, field_condition)?;
    let span = cx.span_between(i, rest);
    let entry = match expr {
        Expr::Leaf { leaf } if leaf.compare.is_none() => Entry::Field {
            name: leaf.name,
            name_span: leaf.name_span,
            conditions: None,
            span,
        },
        expr => {
            let (name, name_span) = first_name(&expr);
            let conditions = checked(cx, expr, &name)?;
            Entry::Field {
                name,
                name_span,
                conditions: Some(conditions),
                span,
            }
        }
    };
    Ok((rest, entry))
}

fn first_name(expr: &Expr<RawCondition>) -> (String, Span) {
    match expr {
        Expr::Leaf { leaf } => (leaf.name.clone(), leaf.name_span),
        Expr::Paren { inner, .. } => first_name(inner),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => match operands.first() {
            Some(first) => first_name(first),
            None => (String::new(), Span::default()),
        },
    }
}

/// Checks that every condition names `name` and has an operator.
fn checked<'a>(
    cx: &Ctx<'a>,
    expr: Expr<RawCondition>,
    name: &str,
) -> Result<Expr<FieldCondition>, nom::Err<Fail<'a>>> {
    let fail_at = |span: Span, kind: ErrorKind| {
        let rest = &cx.full[span.start.min(cx.full.len())..];
        cx.fail(rest, span.len(), kind)
    };
    Ok(match expr {
        Expr::Leaf { leaf } => {
            if leaf.name != name {
                let kind = ErrorKind::MixedFieldNames {
                    expected: name.to_owned(),
                };
                return Err(fail_at(leaf.name_span, kind));
            }
            let Some((op, value)) = leaf.compare else {
                return Err(fail_at(leaf.name_span, ErrorKind::ExpectedFieldOperator));
            };
            let leaf = FieldCondition {
                name: leaf.name,
                op,
                value,
                span: leaf.span,
            };
            Expr::Leaf { leaf }
        }
        Expr::Paren { inner, span } => Expr::Paren {
            inner: Box::new(checked(cx, *inner, name)?),
            span,
        },
        Expr::And { operands, span } => Expr::And {
            operands: check_all(cx, operands, name)?,
            span,
        },
        Expr::Or { operands, span } => Expr::Or {
            operands: check_all(cx, operands, name)?,
            span,
        },
    })
}

fn check_all<'a>(
    cx: &Ctx<'a>,
    operands: Vec<Expr<RawCondition>>,
    name: &str,
) -> Result<Vec<Expr<FieldCondition>>, nom::Err<Fail<'a>>> {
    operands.into_iter().map(|e| checked(cx, e, name)).collect()
}

/// `FieldCond = FieldName [ CmpOp Value ]`.
fn field_condition<'a>(cx: &Ctx<'a>, i: &'a str) -> PResult<'a, RawCondition> {
    let (rest, name) = run(i, is_key_char);
    if name.is_empty() {
        return Err(cx.fail(i, 0, ErrorKind::ExpectedFieldName));
    }
    let name_span = cx.span_between(i, rest);
    let after_name = ws(rest);
    let (rest, compare) = match operator(cx, after_name) {
        Some(found) => {
            let (after_op, op) = found?;
            let (rest, value) = value(cx, ws(after_op), op)?;
            (rest, Some((op, value)))
        }
        None => (rest, None),
    };
    let span = cx.span_between(i, rest);
    let name = name.to_owned();
    Ok((
        rest,
        RawCondition {
            name,
            name_span,
            compare,
            span,
        },
    ))
}
