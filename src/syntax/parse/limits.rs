//! AWS's quotas, checked on a parsed pattern: at most 2 regexes, at most one wildcard step
//! per selector and 3 per pattern. (The 1024-character limit is checked before parsing.)

use super::expr::Spanned;
use super::{AWS_MAX_REGEXES, AWS_MAX_WILDCARDS};
use crate::syntax::ast::{Entry, Expr, Pattern, PatternKind, TermText, Test, ValueKind};
use crate::syntax::error::ErrorKind;
use crate::syntax::span::Span;

/// Checks the quotas, returning the first violation and where it is.
pub(super) fn check(pattern: &Pattern) -> Result<(), (ErrorKind, Span)> {
    let mut regexes = Vec::new();
    let mut wildcards = 0;
    match &pattern.kind {
        PatternKind::Empty => {}
        PatternKind::Terms { terms } => {
            regexes.extend(
                terms
                    .iter()
                    .filter(|t| matches!(t.text, TermText::Regex(_)))
                    .map(|t| t.span),
            );
        }
        PatternKind::Json { expr } => {
            let mut conditions = Vec::new();
            leaves(expr, &mut conditions);
            for c in conditions {
                if let Test::Compare { value, .. } = &c.test {
                    if matches!(value.kind, ValueKind::Regex(_)) {
                        regexes.push(value.span);
                    }
                }
                let n = c.selector.steps.iter().filter(|s| s.is_wildcard()).count();
                if n > 1 {
                    return Err((ErrorKind::TooManyWildcardsInSelector, c.selector.span));
                }
                wildcards += n;
                if wildcards > AWS_MAX_WILDCARDS {
                    let limit = AWS_MAX_WILDCARDS;
                    return Err((ErrorKind::TooManyWildcards { limit }, c.selector.span));
                }
            }
        }
        PatternKind::Delimited { entries } => {
            for entry in entries {
                if let Entry::Field {
                    conditions: Some(expr),
                    ..
                } = entry
                {
                    let mut conditions = Vec::new();
                    leaves(expr, &mut conditions);
                    for c in conditions {
                        if matches!(c.value.kind, ValueKind::Regex(_)) {
                            regexes.push(c.value.span);
                        }
                    }
                }
            }
        }
    }
    match regexes.get(AWS_MAX_REGEXES) {
        Some(&span) => Err((
            ErrorKind::TooManyRegexes {
                limit: AWS_MAX_REGEXES,
            },
            span,
        )),
        None => Ok(()),
    }
}

/// Collects the leaves of `expr` in written order (depth is bounded by the parser).
fn leaves<'t, T: Spanned>(expr: &'t Expr<T>, out: &mut Vec<&'t T>) {
    match expr {
        Expr::Leaf { leaf } => out.push(leaf),
        Expr::Paren { inner, .. } => leaves(inner, out),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => {
            for operand in operands {
                leaves(operand, out);
            }
        }
    }
}
