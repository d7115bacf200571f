//! Lint: what in a pattern is probably not what its author meant.

use serde::Serialize;

use crate::canon::{self, Canonical};
use crate::eval::Matcher;
use crate::syntax::ast::{self, Expr, PatternKind, TermPrefix, TermText, ValueKind};
use crate::syntax::{self, ParseOptions, Span};

/// What kind of problem a [`Lint`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintKind {
    /// The pattern matches no event at all.
    MatchesNothing,
    /// The pattern matches (almost) every CloudTrail record.
    MatchesAlmostEverything,
    /// `a || b && c` written without parentheses: `&&` binds tighter.
    MixedPrecedence,
    /// A `*` in the middle of a value, which CloudWatch treats as a literal character.
    LiteralStar,
    /// An unquoted term with characters other than letters, digits and `_`: it never matches.
    UnquotedTerm,
    /// `?` terms next to plain or `-` terms, which CloudWatch ignores.
    IgnoredOptionalTerms,
    /// The same operand twice in one `&&` or `||`.
    DuplicateOperand,
    /// Over one of AWS's quotas (length, regexes, wildcards): AWS would reject it.
    OverQuota,
}

/// One problem, where it is, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// The kind of problem.
    pub kind: LintKind,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, when it is one place.
    pub span: Option<Span>,
    /// What to write instead.
    pub suggestion: Option<String>,
}

/// Lints a pattern (an invalid pattern has no lints; parse it for the error).
///
/// ```
/// let lints = cwpattern::rules::lint(r#"{ $.eventName = "Put*Policy" }"#);
/// assert_eq!(lints[0].kind, cwpattern::rules::LintKind::LiteralStar);
/// ```
pub fn lint(pattern: &str) -> Vec<Lint> {
    let mut out = Vec::new();
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let Ok(ast) = syntax::parse_with(pattern, relaxed) else {
        return out;
    };
    if let Err(e) = syntax::parse(pattern) {
        out.push(Lint {
            kind: LintKind::OverQuota,
            message: format!("AWS would reject this pattern: {}", e.kind()),
            span: Some(e.span()),
            suggestion: None,
        });
    }
    match &ast.kind {
        PatternKind::Terms { terms } => lint_terms(terms, &mut out),
        PatternKind::Json { expr } => {
            lint_expr(
                expr,
                &mut out,
                &mut |c: &ast::Condition, out: &mut Vec<Lint>| {
                    if let ast::Test::Compare { value, .. } = &c.test {
                        lint_value(value, out);
                    }
                },
            );
        }
        PatternKind::Delimited { entries } => {
            for entry in entries {
                if let ast::Entry::Field {
                    conditions: Some(expr),
                    ..
                } = entry
                {
                    lint_expr(
                        expr,
                        &mut out,
                        &mut |c: &ast::FieldCondition, out: &mut Vec<Lint>| {
                            lint_value(&c.value, out)
                        },
                    );
                }
            }
        }
        PatternKind::Empty => {}
    }
    let canonical = canon::lower(&ast);
    if crate::logic::is_empty(&canonical) == Some(true) {
        out.push(Lint {
            kind: LintKind::MatchesNothing,
            message: "this pattern matches no event at all".to_owned(),
            span: None,
            suggestion: None,
        });
    } else if matches_generic_records(&canonical) {
        out.push(Lint {
            kind: LintKind::MatchesAlmostEverything,
            message: "this pattern matches CloudTrail records of any API (it matched a record of a made-up API); an alarm on it fires on almost every event".to_owned(),
            span: None,
            suggestion: None,
        });
    }
    out
}

/// Does the pattern match records of APIs it cannot be about?
fn matches_generic_records(p: &Canonical) -> bool {
    if matches!(p, Canonical::All) {
        return true;
    }
    let m = Matcher::new(p);
    let records = [
        r#"{"eventVersion":"1.09","eventSource":"zz.amazonaws.com","eventName":"ZzNotAnApi","eventTime":"2026-01-01T00:00:00Z","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"IAMUser","accountId":"123456789012"},"eventType":"AwsApiCall"}"#,
        r#"{"eventVersion":"1.09","eventSource":"yy.amazonaws.com","eventName":"YyOther","eventTime":"2026-01-01T00:00:00Z","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userIdentity":{"type":"AssumedRole","accountId":"123456789012"},"eventType":"AwsApiCall","errorCode":"ThrottlingException"}"#,
    ];
    records.iter().all(|r| m.matches(r))
}

fn lint_terms(terms: &[ast::Term], out: &mut Vec<Lint>) {
    let has_plain = terms.iter().any(|t| t.prefix != TermPrefix::Optional);
    for term in terms {
        if let TermText::Bare(s) = &term.text {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push(Lint {
                    kind: LintKind::UnquotedTerm,
                    message: format!("the unquoted term '{s}' has characters other than letters, digits and '_'; CloudWatch finds nothing with it"),
                    span: Some(term.span),
                    suggestion: Some(format!("\"{s}\"")),
                });
            }
        }
        if has_plain && term.prefix == TermPrefix::Optional {
            out.push(Lint {
                kind: LintKind::IgnoredOptionalTerms,
                message: "'?' terms are ignored when the pattern also has plain or '-' terms"
                    .to_owned(),
                span: Some(term.span),
                suggestion: None,
            });
        }
    }
}

fn lint_value(value: &ast::Value, out: &mut Vec<Lint>) {
    let (ValueKind::Bare(s) | ValueKind::Quoted(s)) = &value.kind else {
        return;
    };
    let inner = s.strip_prefix('*').unwrap_or(s);
    let inner = inner.strip_suffix('*').unwrap_or(inner);
    if inner.contains('*') {
        out.push(Lint {
            kind: LintKind::LiteralStar,
            message: format!("a '*' in the middle of a value is a literal character in CloudWatch: this matches only the exact text '{inner}', not every value like it"),
            span: Some(value.span),
            suggestion: Some("list the values, or use a leading/trailing wildcard or a %regex%".to_owned()),
        });
    }
}

fn lint_expr<T: std::fmt::Display>(
    expr: &Expr<T>,
    out: &mut Vec<Lint>,
    leaf: &mut dyn FnMut(&T, &mut Vec<Lint>),
) {
    match expr {
        Expr::Leaf { leaf: l } => leaf(l, out),
        Expr::Paren { inner, .. } => lint_expr(inner, out, leaf),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => {
            if let Expr::Or { .. } = expr {
                for op in operands {
                    if let Expr::And { span, .. } = op {
                        out.push(Lint {
                            kind: LintKind::MixedPrecedence,
                            message: "'&&' binds tighter than '||': these conditions are read as one group of the '||'".to_owned(),
                            span: Some(*span),
                            suggestion: Some("add parentheses to say which grouping you mean".to_owned()),
                        });
                    }
                }
            }
            let printed: Vec<String> = operands.iter().map(without_parens).collect();
            for (i, p) in printed.iter().enumerate() {
                if printed[..i].contains(p) {
                    out.push(Lint {
                        kind: LintKind::DuplicateOperand,
                        message: "this operand appears twice".to_owned(),
                        span: None,
                        suggestion: Some(format!("remove the second '{p}'")),
                    });
                }
            }
            for op in operands {
                lint_expr(op, out, leaf);
            }
        }
    }
}

/// An operand as written (normalised spacing), without enclosing parentheses.
fn without_parens<T: std::fmt::Display>(e: &Expr<T>) -> String {
    match e {
        Expr::Paren { inner, .. } => without_parens(inner),
        other => other.to_string(),
    }
}
