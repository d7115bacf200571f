//! The bridge: [`ast::Pattern`] → [`Canonical`]. The only module that sees both trees.

use std::collections::BTreeSet;

use super::{
    Canonical, Column, Columns, Formula, JsonAtom, Num, Operand, Path, PathStep, TermLit, TermSet,
    Test, TextPat,
};
use crate::syntax::ast;

/// Lowers a parsed pattern to its canonical form.
///
/// ```
/// use cwpattern::{canon, syntax};
/// let a = canon::lower(&syntax::parse(r#"{ ($.b = 1) || $.a = "x" }"#)?);
/// let b = canon::lower(&syntax::parse("{$.a=x||$.b=1e0||$.a=x}")?);
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "{ $.a = x || $.b = 1 }");
/// # Ok::<(), cwpattern::syntax::Error>(())
/// ```
pub fn lower(pattern: &ast::Pattern) -> Canonical {
    match &pattern.kind {
        ast::PatternKind::Empty => Canonical::All,
        ast::PatternKind::Terms { terms } => lower_terms(terms),
        ast::PatternKind::Json { expr } => match lower_expr(expr, &lower_condition) {
            Some(formula) => Canonical::Json(formula),
            None => Canonical::All,
        },
        ast::PatternKind::Delimited { entries } => {
            Canonical::Delimited(Columns(entries.iter().map(lower_entry).collect()))
        }
    }
}

fn lower_terms(terms: &[ast::Term]) -> Canonical {
    let mut sets: [BTreeSet<TermLit>; 3] = Default::default();
    for term in terms {
        let lit = match &term.text {
            ast::TermText::Bare(s) if is_word(s) => TermLit::Literal(s.clone()),
            ast::TermText::Bare(s) => TermLit::Unquoted(s.clone()),
            ast::TermText::Quoted(s) => TermLit::Literal(s.clone()),
            ast::TermText::Regex(r) => TermLit::Regex(r.clone()),
        };
        let slot = match term.prefix {
            ast::TermPrefix::Required => 0,
            ast::TermPrefix::Excluded => 1,
            ast::TermPrefix::Optional => 2,
        };
        sets[slot].insert(lit);
    }
    let [required, excluded, optional] = sets;
    match TermSet::new(required, excluded, optional) {
        Some(set) => Canonical::Terms(set),
        None => Canonical::All,
    }
}

/// A bare term that is a plain word: ASCII letters, digits and `_`.
pub(crate) fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Lowers an expression. The parser never builds an `And`/`Or` without operands; in a
/// hand-built tree such a node is dropped (`None`), and so is a parent left with nothing.
fn lower_expr<T, A: Ord + Clone>(
    expr: &ast::Expr<T>,
    leaf: &dyn Fn(&T) -> A,
) -> Option<Formula<A>> {
    let (operands, is_and) = match expr {
        ast::Expr::Leaf { leaf: l } => return Some(Formula::atom(leaf(l))),
        ast::Expr::Paren { inner, .. } => return lower_expr(inner, leaf),
        ast::Expr::And { operands, .. } => (operands, true),
        ast::Expr::Or { operands, .. } => (operands, false),
    };
    // One allocation of the right size (a filtered iterator would grow the vector).
    let mut lowered = Vec::with_capacity(operands.len());
    lowered.extend(operands.iter().filter_map(|e| lower_expr(e, leaf)));
    Formula::join_all(is_and, lowered)
}

fn lower_condition(c: &ast::Condition) -> JsonAtom {
    let path = Path(c.selector.steps.iter().map(lower_step).collect());
    let test = match &c.test {
        ast::Test::Compare { op, value } => lower_compare(*op, value),
        ast::Test::IsNull => Test::IsNull,
        ast::Test::IsTrue => Test::IsTrue,
        ast::Test::IsFalse => Test::IsFalse,
        ast::Test::NotExists => Test::NotExists,
    };
    JsonAtom { path, test }
}

fn lower_step(step: &ast::Step) -> PathStep {
    match step {
        ast::Step::Key(k) | ast::Step::QuotedKey(k) => PathStep::Key(k.clone()),
        ast::Step::Index(n) => PathStep::Index(*n),
        ast::Step::AnyIndex => PathStep::AnyIndex,
        ast::Step::AnyKey => PathStep::AnyKey,
    }
}

fn lower_compare(op: ast::CmpOp, value: &ast::Value) -> Test {
    let operand = lower_value(value);
    let number = |operand| match operand {
        Operand::Num(n) => n,
        // The parser accepts only numbers after ordering operators.
        _ => Num::zero(),
    };
    match op {
        ast::CmpOp::Eq => Test::Eq(operand),
        ast::CmpOp::Ne => Test::Ne(operand),
        ast::CmpOp::Lt => Test::Lt(number(operand)),
        ast::CmpOp::Le => Test::Le(number(operand)),
        ast::CmpOp::Gt => Test::Gt(number(operand)),
        ast::CmpOp::Ge => Test::Ge(number(operand)),
    }
}

/// A value's meaning: quoting does not matter; `*` at either end is a wildcard.
fn lower_value(value: &ast::Value) -> Operand {
    match &value.kind {
        ast::ValueKind::Number(s) => match Num::parse(s) {
            Some(n) => Operand::Num(n),
            None => text_operand(s),
        },
        ast::ValueKind::Bare(s) | ast::ValueKind::Quoted(s) => text_operand(s),
        ast::ValueKind::Regex(r) => Operand::Regex(r.clone()),
    }
}

/// `*` and `**` mean any value; otherwise one leading and one trailing `*` are wildcards.
pub(crate) fn text_operand(s: &str) -> Operand {
    if s == "*" || s == "**" {
        return Operand::Any;
    }
    let (lead, rest) = match s.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (trail, core) = match rest.strip_suffix('*') {
        Some(core) => (true, core),
        None => (false, rest),
    };
    let core = core.to_owned();
    Operand::Text(match (lead, trail) {
        (false, false) => TextPat::Exact(core),
        (false, true) => TextPat::Prefix(core),
        (true, false) => TextPat::Suffix(core),
        (true, true) => TextPat::Contains(core),
    })
}

fn lower_entry(entry: &ast::Entry) -> Column {
    match entry {
        ast::Entry::Ellipsis { .. } => Column::Ellipsis,
        ast::Entry::Empty { .. } => Column::Field {
            name: None,
            condition: None,
        },
        ast::Entry::Field {
            name, conditions, ..
        } => Column::Field {
            name: Some(name.clone()),
            condition: conditions.as_ref().and_then(|e| {
                lower_expr(e, &|c: &ast::FieldCondition| lower_compare(c.op, &c.value))
            }),
        },
    }
}
