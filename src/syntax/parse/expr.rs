//! The boolean structure shared by JSON and space-delimited conditions:
//!
//! ```text
//! OrExpr  = AndExpr { "||" AndExpr } ;
//! AndExpr = Primary { "&&" Primary } ;
//! Primary = "(" OrExpr ")" | Leaf ;
//! ```
//!
//! `&&` binds tighter than `||` (documented). Recursion goes only through `(` and is bounded
//! by the nesting limit.

use super::lexeme::ws;
use super::{Ctx, PResult};
use crate::syntax::ast::Expr;
use crate::syntax::error::ErrorKind;
use crate::syntax::span::Span;

/// Something with a span.
pub(crate) trait Spanned {
    /// Where it was written.
    fn span(&self) -> Span;
}

impl<T: Spanned> Spanned for Expr<T> {
    fn span(&self) -> Span {
        match self {
            Expr::Leaf { leaf } => leaf.span(),
            Expr::And { span, .. } | Expr::Or { span, .. } | Expr::Paren { span, .. } => *span,
        }
    }
}

/// A parser of one leaf condition.
pub(crate) type Leaf<'a, T> = fn(&Ctx<'a>, &'a str) -> PResult<'a, T>;

/// `OrExpr`. Stops, without failing, before anything that is not `||` or `&&`; the caller
/// checks what follows.
pub(crate) fn or_expr<'a, T: Spanned>(
    cx: &Ctx<'a>,
    i: &'a str,
    depth: usize,
    leaf: Leaf<'a, T>,
) -> PResult<'a, Expr<T>> {
    chain(cx, i, depth, leaf, "||")
}

fn chain<'a, T: Spanned>(
    cx: &Ctx<'a>,
    i: &'a str,
    depth: usize,
    leaf: Leaf<'a, T>,
    op: &'static str,
) -> PResult<'a, Expr<T>> {
    let operand = |i: &'a str| match op {
        "||" => chain(cx, i, depth, leaf, "&&"),
        _ => primary(cx, i, depth, leaf),
    };
    let (mut rest, first) = operand(i)?;
    // Most operands stand alone (every `&&` level of a `||` list): no vector for them.
    let Some(next) = ws(rest).strip_prefix(op) else {
        return Ok((rest, first));
    };
    let (next_rest, second) = operand(ws(next))?;
    rest = next_rest;
    let mut operands = Vec::with_capacity(8);
    operands.push(first);
    operands.push(second);
    while let Some(next) = ws(rest).strip_prefix(op) {
        let (next_rest, e) = operand(ws(next))?;
        operands.push(e);
        rest = next_rest;
    }
    let span = operands[0].span().to(operands[operands.len() - 1].span());
    Ok(match op {
        "||" => (rest, Expr::Or { operands, span }),
        _ => (rest, Expr::And { operands, span }),
    })
}

fn primary<'a, T: Spanned>(
    cx: &Ctx<'a>,
    i: &'a str,
    depth: usize,
    leaf: Leaf<'a, T>,
) -> PResult<'a, Expr<T>> {
    let i = ws(i);
    let Some(after_paren) = i.strip_prefix('(') else {
        let starts_badly = i.is_empty() || i.starts_with(['}', ']', ')', ',', '&', '|']);
        if starts_badly {
            return Err(cx.fail(i, 0, ErrorKind::ExpectedCondition));
        }
        let (rest, leaf) = leaf(cx, i)?;
        return Ok((rest, Expr::Leaf { leaf }));
    };
    if depth >= cx.options.max_depth {
        let limit = cx.options.max_depth;
        return Err(cx.fail(i, 1, ErrorKind::NestTooDeep { limit }));
    }
    let (rest, inner) = or_expr(cx, after_paren, depth + 1, leaf)?;
    let rest = ws(rest);
    match rest.strip_prefix(')') {
        Some(after) => {
            let span = cx.span_between(i, after);
            let inner = Box::new(inner);
            Ok((after, Expr::Paren { inner, span }))
        }
        None => {
            let open = cx.span_at(i, 1);
            let fail = match rest.chars().next() {
                None | Some('}' | ']' | ',') => {
                    let kind = ErrorKind::UnclosedParen { open: open.start };
                    cx.fail_data(rest, 0, kind)
                }
                _ => after_expr(cx, rest, ')'),
            };
            Err(nom::Err::Failure(fail.with_aux(open)))
        }
    }
}

/// The failure for text after a complete expression that should have been closed by `close`.
pub(crate) fn after_expr<'a>(cx: &Ctx<'a>, rest: &'a str, close: char) -> super::Fail<'a> {
    let kind = single_operator(rest).unwrap_or(ErrorKind::ExpectedConnective { close });
    cx.fail_data(rest, 0, kind)
}

/// `&` or `|` written alone where `&&` or `||` was meant.
pub(crate) fn single_operator(rest: &str) -> Option<ErrorKind> {
    match rest.chars().next() {
        Some('&') => Some(ErrorKind::SingleOperator {
            found: '&',
            meant: "&&",
        }),
        Some('|') => Some(ErrorKind::SingleOperator {
            found: '|',
            meant: "||",
        }),
        _ => None,
    }
}
