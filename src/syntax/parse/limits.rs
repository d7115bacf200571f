//! AWS's quotas, checked on a parsed pattern: at most 2 regexes, at most one wildcard step
//! per selector and 3 per pattern. (The 1024-character limit is checked before parsing.)

use super::{AWS_MAX_REGEXES, AWS_MAX_WILDCARDS};
use crate::syntax::ast::{
    Condition, Entry, Expr, FieldCondition, Pattern, PatternKind, TermText, Test, ValueKind,
};
use crate::syntax::error::ErrorKind;
use crate::syntax::span::Span;

/// Checks the quotas, returning the first violation and where it is.
pub(super) fn check(pattern: &Pattern) -> Result<(), (ErrorKind, Span)> {
    let mut count = Count::default();
    match &pattern.kind {
        PatternKind::Empty => {}
        PatternKind::Terms { terms } => {
            for t in terms {
                if matches!(t.text, TermText::Regex(_)) {
                    count.regex(t.span);
                }
            }
        }
        PatternKind::Json { expr } => json_leaves(expr, &mut count)?,
        PatternKind::Delimited { entries } => {
            for entry in entries {
                if let Entry::Field {
                    conditions: Some(expr),
                    ..
                } = entry
                {
                    field_leaves(expr, &mut count);
                }
            }
        }
    }
    match count.regex_over_limit {
        Some(span) => Err((
            ErrorKind::TooManyRegexes {
                limit: AWS_MAX_REGEXES,
            },
            span,
        )),
        None => Ok(()),
    }
}

/// What has been counted so far, in written order.
#[derive(Default)]
struct Count {
    regexes: usize,
    /// The first regex beyond the limit.
    regex_over_limit: Option<Span>,
    wildcards: usize,
}

impl Count {
    fn regex(&mut self, span: Span) {
        if self.regexes == AWS_MAX_REGEXES {
            self.regex_over_limit = Some(span);
        }
        self.regexes += 1;
    }
}

/// Counts the regexes and wildcards of a JSON expression's conditions in written order,
/// failing at the first selector over a wildcard limit (depth is bounded by the parser).
fn json_leaves(expr: &Expr<Condition>, count: &mut Count) -> Result<(), (ErrorKind, Span)> {
    match expr {
        Expr::Leaf { leaf: c } => {
            if let Test::Compare { value, .. } = &c.test {
                if matches!(value.kind, ValueKind::Regex(_)) {
                    count.regex(value.span);
                }
            }
            let n = c.selector.steps.iter().filter(|s| s.is_wildcard()).count();
            if n > 1 {
                return Err((ErrorKind::TooManyWildcardsInSelector, c.selector.span));
            }
            count.wildcards += n;
            if count.wildcards > AWS_MAX_WILDCARDS {
                let limit = AWS_MAX_WILDCARDS;
                return Err((ErrorKind::TooManyWildcards { limit }, c.selector.span));
            }
            Ok(())
        }
        Expr::Paren { inner, .. } => json_leaves(inner, count),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => {
            operands.iter().try_for_each(|e| json_leaves(e, count))
        }
    }
}

/// Counts the regexes of a column's conditions in written order.
fn field_leaves(expr: &Expr<FieldCondition>, count: &mut Count) {
    match expr {
        Expr::Leaf { leaf: c } => {
            if matches!(c.value.kind, ValueKind::Regex(_)) {
                count.regex(c.value.span);
            }
        }
        Expr::Paren { inner, .. } => field_leaves(inner, count),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => {
            for operand in operands {
                field_leaves(operand, count);
            }
        }
    }
}
