//! Lint: what in a pattern is probably not what its author meant.

use serde::Serialize;

use crate::canon::{self, Canonical};
use crate::eval::Matcher;
use crate::syntax::ast::{self, Expr, PatternKind, TermPrefix, TermText, ValueKind, WriteText};
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
    let canonical = canon::lower(&ast);
    lint_parsed(&ast, &canonical, out, |c| {
        let empty = crate::logic::is_empty(c) == Some(true);
        (empty, !empty && matches_generic_records(c))
    })
}

/// The lints of a pattern parsed within AWS's limits (so `out` holds no `OverQuota` lint, or
/// the one [`lint`] found), after those in `out`. `semantic` answers, for the canonical
/// form, whether it matches nothing and, when it matches something, whether it matches the
/// records of made-up APIs ([`matches_generic_records`]): `check` answers faster when it
/// can.
pub(crate) fn lint_parsed(
    ast: &ast::Pattern,
    canonical: &Canonical,
    mut out: Vec<Lint>,
    semantic: impl FnOnce(&Canonical) -> (bool, bool),
) -> Vec<Lint> {
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
    let (empty, generic) = semantic(canonical);
    if empty {
        out.push(Lint {
            kind: LintKind::MatchesNothing,
            message: "this pattern matches no event at all".to_owned(),
            span: None,
            suggestion: None,
        });
    } else if generic {
        out.push(Lint {
            kind: LintKind::MatchesAlmostEverything,
            message: "this pattern matches CloudTrail records of any API (it matched a record of a made-up API); an alarm on it fires on almost every event".to_owned(),
            span: None,
            suggestion: None,
        });
    }
    out
}

/// The (eventName, eventSource) pairs of [`GENERIC_RECORDS`], for pair formulas.
pub(crate) const GENERIC_PAIRS: [(&str, &str); 2] = [
    ("ZzNotAnApi", "zz.amazonaws.com"),
    ("YyOther", "yy.amazonaws.com"),
];

/// Records of made-up APIs: a pattern that matches both catches almost every record.
const GENERIC_RECORDS: [&str; 2] = [
    r#"{"eventVersion":"1.09","eventSource":"zz.amazonaws.com","eventName":"ZzNotAnApi","eventTime":"2026-01-01T00:00:00Z","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{"type":"IAMUser","accountId":"123456789012"},"eventType":"AwsApiCall"}"#,
    r#"{"eventVersion":"1.09","eventSource":"yy.amazonaws.com","eventName":"YyOther","eventTime":"2026-01-01T00:00:00Z","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userIdentity":{"type":"AssumedRole","accountId":"123456789012"},"eventType":"AwsApiCall","errorCode":"ThrottlingException"}"#,
];

/// Does the pattern match records of APIs it cannot be about?
pub(crate) fn matches_generic_records(p: &Canonical) -> bool {
    if matches!(p, Canonical::All) {
        return true;
    }
    let m = Matcher::new(p);
    // Two events: parsing them beats building the matcher's prefilter.
    GENERIC_RECORDS.iter().all(|r| m.matches_parsed(r))
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

fn lint_expr<T: std::fmt::Display + WriteText>(
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
            // An operand printed like an earlier one (without its parentheses). The texts
            // are hashed as they are printed, and printed in full only when two hashes meet.
            // Usually no two hashes meet (one sort shows it), and nothing is printed.
            let hashes: Vec<u64> = operands.iter().map(printed_hash).collect();
            let mut sorted = hashes.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                for (i, h) in hashes.iter().enumerate() {
                    let mut earlier = (0..i).filter(|&j| hashes[j] == *h).peekable();
                    if earlier.peek().is_none() {
                        continue;
                    }
                    let p = without_parens(&operands[i]);
                    if earlier.any(|j| without_parens(&operands[j]) == p) {
                        out.push(Lint {
                            kind: LintKind::DuplicateOperand,
                            message: "this operand appears twice".to_owned(),
                            span: None,
                            suggestion: Some(format!("remove the second '{p}'")),
                        });
                    }
                }
            }
            for op in operands {
                lint_expr(op, out, leaf);
            }
        }
    }
}

/// A hash of [`without_parens`]'s text, written into the hash without building the text.
/// (FNV-1a over the bytes, so that the same text hashes alike however it is written in
/// pieces.)
fn printed_hash<T: WriteText>(e: &Expr<T>) -> u64 {
    struct Fnv(u64);
    impl std::fmt::Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            Ok(())
        }
    }
    let mut inner = e;
    while let Expr::Paren { inner: i, .. } = inner {
        inner = i;
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    // Writing into the hash cannot fail.
    let _ = inner.write_with(&mut h, &mut |h, leaf| leaf.write_text(h));
    h.0
}

/// An operand as written (normalised spacing), without enclosing parentheses.
fn without_parens<T: std::fmt::Display>(e: &Expr<T>) -> String {
    match e {
        Expr::Paren { inner, .. } => without_parens(inner),
        other => other.to_string(),
    }
}
