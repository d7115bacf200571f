//! The canonical text: one line, stable spacing, values quoted only where needed.
//!
//! The printed text parses (with AWS's limits off, since canonical text can be a little
//! longer than a compact original) back to the same [`Canonical`].

use std::borrow::Borrow;
use std::fmt;

use super::lower::is_word;
use super::{
    Canonical, Column, Formula, FormulaKind, JsonAtom, Operand, Path, PathStep, TermLit, Test,
    TextPat,
};
use crate::syntax::ast::write_escaped;
use crate::syntax::parse::{is_bare_value_char, is_bare_value_token};

impl fmt::Display for Canonical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Canonical::All => Ok(()),
            Canonical::Terms(set) => {
                let mut items: Vec<String> = Vec::new();
                items.extend(set.required().iter().map(|t| term(t, "")));
                items.extend(set.excluded().iter().map(|t| term(t, "-")));
                items.extend(set.optional().iter().map(|t| term(t, "?")));
                // A term pattern must not start with `{` or `[` (that would make it a JSON
                // or space-delimited pattern): put the always-true `""` first.
                if items.first().is_some_and(|t| t.starts_with(['{', '['])) {
                    items.insert(0, "\"\"".to_owned());
                }
                f.write_str(&items.join(" "))
            }
            Canonical::Json(formula) => json_formula(f, formula),
            Canonical::Delimited(columns) => {
                f.write_str("[")?;
                for (i, column) in columns.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match column {
                        Column::Ellipsis => f.write_str("...")?,
                        Column::Field { name, condition } => {
                            let name = name.as_deref().unwrap_or("");
                            match condition {
                                None => f.write_str(name)?,
                                Some(formula) => formula_text(
                                    f,
                                    formula,
                                    &mut |f: &mut fmt::Formatter<'_>, t: &Test| {
                                        write!(f, "{name} ")?;
                                        test(f, t)
                                    },
                                )?,
                            }
                        }
                    }
                }
                f.write_str("]")
            }
        }
    }
}

/// The canonical text of the JSON pattern whose formula is `formula`: the same text as
/// `Canonical::Json(formula.clone()).to_string()`, without the clone, written straight
/// into a string of about the right size. The atoms may be borrowed (`Formula<&JsonAtom>`).
pub fn json_text<A: Borrow<JsonAtom>>(formula: &Formula<A>) -> String {
    let mut out = String::with_capacity(json_text_len(formula));
    // Writing into a String cannot fail.
    let _ = json_formula(&mut out, formula);
    out
}

/// About the length of [`json_text`]'s text (a little more, usually).
fn json_text_len<A: Borrow<JsonAtom>>(formula: &Formula<A>) -> usize {
    match formula.kind() {
        FormulaKind::Atom(atom) => {
            let atom = atom.borrow();
            let path: usize = atom
                .path
                .0
                .iter()
                .map(|step| match step {
                    PathStep::Key(k) => k.len() + 5,
                    _ => 4,
                })
                .sum();
            let value = match &atom.test {
                Test::Eq(Operand::Text(t)) | Test::Ne(Operand::Text(t)) => match t {
                    TextPat::Exact(s)
                    | TextPat::Prefix(s)
                    | TextPat::Suffix(s)
                    | TextPat::Contains(s) => s.len(),
                },
                Test::Eq(Operand::Regex(r)) | Test::Ne(Operand::Regex(r)) => r.source().len(),
                _ => 8,
            };
            path + value + 12
        }
        FormulaKind::And(ops) | FormulaKind::Or(ops) => {
            ops.iter().map(|op| json_text_len(op) + 6).sum::<usize>() + 4
        }
    }
}

fn json_formula<W: fmt::Write, A: Borrow<JsonAtom>>(
    w: &mut W,
    formula: &Formula<A>,
) -> fmt::Result {
    w.write_str("{ ")?;
    formula_text(w, formula, &mut |w: &mut W, atom: &A| {
        let atom = atom.borrow();
        path(w, &atom.path)?;
        w.write_str(" ")?;
        test(w, &atom.test)
    })?;
    w.write_str(" }")
}

fn term(t: &TermLit, prefix: &str) -> String {
    match t {
        TermLit::Literal(s) if is_word(s) => format!("{prefix}{s}"),
        TermLit::Literal(s) => format!("{prefix}{}", quoted(s)),
        TermLit::Regex(r) => format!("{prefix}%{}%", r.source()),
        TermLit::Unquoted(s) => format!("{prefix}{s}"),
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Writing into a String cannot fail.
    let _ = write_escaped(&mut out, s);
    out.push('"');
    out
}

/// Prints a formula: `||` between disjuncts, `&&` between conjuncts, parentheses around a
/// compound operand of the other operator.
fn formula_text<W: fmt::Write, A>(
    f: &mut W,
    formula: &Formula<A>,
    atom: &mut dyn FnMut(&mut W, &A) -> fmt::Result,
) -> fmt::Result {
    let (operands, sep) = match formula.kind() {
        FormulaKind::Atom(a) => return atom(f, a),
        FormulaKind::And(ops) => (ops, " && "),
        FormulaKind::Or(ops) => (ops, " || "),
    };
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if matches!(operand.kind(), FormulaKind::Atom(_)) {
            formula_text(f, operand, atom)?;
        } else {
            f.write_str("(")?;
            formula_text(f, operand, atom)?;
            f.write_str(")")?;
        }
    }
    Ok(())
}

/// A path as a selector: `$.a.b[0]`, with `.['k']` for keys that need quoting.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        path(f, self)
    }
}

/// [`Path`]'s text.
fn path<W: fmt::Write>(f: &mut W, p: &Path) -> fmt::Result {
    f.write_str("$")?;
    for step in &p.0 {
        match step {
            PathStep::Key(k) if !k.is_empty() && k.bytes().all(is_key_byte) => {
                f.write_str(".")?;
                f.write_str(k)?
            }
            PathStep::Key(k) => {
                f.write_str(".['")?;
                f.write_str(k)?;
                f.write_str("']")?
            }
            PathStep::Index(n) => write!(f, "[{n}]")?,
            PathStep::AnyIndex => f.write_str("[*]")?,
            PathStep::AnyKey => f.write_str(".*")?,
        }
    }
    Ok(())
}

/// A byte of a key printed bare: ASCII letters and digits, `_`, `-` (a key of such bytes is
/// a key of such characters, since the bytes of other characters are not ASCII).
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn test<W: fmt::Write>(f: &mut W, t: &Test) -> fmt::Result {
    let (op, number) = match t {
        Test::Eq(o) => return operand(f, "= ", o),
        Test::Ne(o) => return operand(f, "!= ", o),
        Test::Lt(n) => ("< ", n),
        Test::Le(n) => ("<= ", n),
        Test::Gt(n) => ("> ", n),
        Test::Ge(n) => (">= ", n),
        Test::IsNull => return f.write_str("IS NULL"),
        Test::IsTrue => return f.write_str("IS TRUE"),
        Test::IsFalse => return f.write_str("IS FALSE"),
        Test::NotExists => return f.write_str("NOT EXISTS"),
    };
    f.write_str(op)?;
    write!(f, "{number}")
}

/// An operator and its operand's text: bare where the value lexer reads it back as the same
/// string, quoted otherwise. Written in pieces, without building the token.
fn operand<W: fmt::Write>(f: &mut W, op: &str, o: &Operand) -> fmt::Result {
    f.write_str(op)?;
    let (before, text, after) = match o {
        Operand::Any => return f.write_str("*"),
        Operand::Num(n) => return write!(f, "{n}"),
        Operand::Regex(r) => {
            f.write_str("%")?;
            f.write_str(r.source())?;
            return f.write_str("%");
        }
        Operand::Text(TextPat::Exact(s)) => ("", s, ""),
        Operand::Text(TextPat::Prefix(s)) => ("", s, "*"),
        Operand::Text(TextPat::Suffix(s)) => ("*", s, ""),
        Operand::Text(TextPat::Contains(s)) => ("*", s, "*"),
    };
    // `is_bare_value_token` of the whole token: a token with a `*` is never a number.
    let bare = match (before, after) {
        ("", "") => is_bare_value_token(text),
        _ => text.chars().all(is_bare_value_char),
    };
    if bare {
        f.write_str(before)?;
        f.write_str(text)?;
        return f.write_str(after);
    }
    f.write_str("\"")?;
    f.write_str(before)?;
    write_escaped(f, text)?;
    f.write_str(after)?;
    f.write_str("\"")
}
