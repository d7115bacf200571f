//! What one JSON value can be, given the literals about it.
//!
//! For a single path, the literals (tests with a polarity) decide which kinds of value are
//! possible and produce one: a missing field, `null`, a boolean, a number or a string.
//! Every candidate is checked with the evaluator's own [`holds`], so the engine and the
//! evaluator cannot disagree about a value; strings are found with automata, numbers by
//! trying one point of every region the numeric literals cut the line into (and, when the
//! number's *text* is also constrained, by enumerating number texts).

use crate::canon::{Num, Operand, PathStep, Test};
use crate::eval::json::{holds, Found};

use super::automata::{self, Constraint, Lang, NumberSyntax};
use super::{Budget, Stop};

/// A test about the value at `path` (relative to some node), required to hold
/// (`positive`) or to fail.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lit<'a> {
    pub(crate) path: &'a [PathStep],
    pub(crate) test: &'a Test,
    pub(crate) positive: bool,
}

impl Lit<'_> {
    /// Does the literal hold for a path that resolved to `values`?
    pub(crate) fn holds_for(&self, values: &[Found<'_>]) -> bool {
        holds(self.test, values) == self.positive
    }
}

/// A scalar value (or a missing one) found for a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Missing,
    Null,
    Bool(bool),
    /// A number, as JSON text.
    Num(String),
    Str(String),
}

/// The first scalar value, in the order missing, string, number, boolean, null, that
/// satisfies every literal in `here` (all with an empty path). `allow_missing` says
/// whether the path may be absent.
pub(crate) fn scalar(
    here: &[Lit<'_>],
    allow_missing: bool,
    budget: &mut Budget,
) -> Result<Option<Scalar>, Stop> {
    budget.spend(here.len() as u64 + 1)?;
    let all = |values: &[Found<'_>]| here.iter().all(|l| l.holds_for(values));
    if allow_missing && all(&[]) {
        return Ok(Some(Scalar::Missing));
    }
    let mut undecided = None;
    match string(here, budget) {
        Ok(Some(s)) => return Ok(Some(Scalar::Str(s))),
        Ok(None) => {}
        Err(Stop::Undecided(why)) => undecided = Some(why),
        Err(stop) => return Err(stop),
    }
    match number(here, budget) {
        Ok(Some(n)) => return Ok(Some(Scalar::Num(n))),
        Ok(None) => {}
        Err(Stop::Undecided(why)) => undecided = Some(why),
        Err(stop) => return Err(stop),
    }
    for (found, scalar) in [
        (Found::Bool(true), Scalar::Bool(true)),
        (Found::Bool(false), Scalar::Bool(false)),
        (Found::Null, Scalar::Null),
    ] {
        if all(&[found]) {
            return Ok(Some(scalar));
        }
    }
    match undecided {
        Some(why) => Err(Stop::Undecided(why)),
        None => Ok(None),
    }
}

/// The language constraint a literal puts on a value's text, if it is a string test.
fn text_constraint<'a>(lit: &Lit<'a>) -> Option<Constraint<'a>> {
    let (operand, is_eq) = match lit.test {
        Test::Eq(o) => (o, true),
        Test::Ne(o) => (o, false),
        _ => return None,
    };
    let lang = match operand {
        Operand::Text(pat) => Lang::Text(pat),
        Operand::Regex(re) => Lang::Regex(re),
        Operand::Any | Operand::Num(_) => return None,
    };
    // `= L` wants the text in L; `!= L` wants it out (the value is a scalar either way).
    Some(Constraint {
        lang,
        positive: lit.positive == is_eq,
    })
}

/// A string satisfying every literal, found with automata.
fn string(here: &[Lit<'_>], budget: &mut Budget) -> Result<Option<String>, Stop> {
    string_with(here, Vec::new(), budget)
}

/// A string satisfying every literal and the extra text constraints.
pub(crate) fn string_with<'a>(
    here: &[Lit<'a>],
    mut constraints: Vec<Constraint<'a>>,
    budget: &mut Budget,
) -> Result<Option<String>, Stop> {
    for lit in here {
        match text_constraint(lit) {
            Some(c) => constraints.push(c),
            // Any other test does not depend on the string's text.
            None if lit.holds_for(&[Found::Str("".into())]) => {}
            None => return Ok(None),
        }
    }
    let Some(text) = automata::solve(&constraints, budget)? else {
        return Ok(None);
    };
    let value = [Found::Str(text.as_str().into())];
    match here.iter().all(|l| l.holds_for(&value)) {
        true => Ok(Some(text)),
        false => Err(Stop::Undecided(
            "internal: a string witness failed its own check".into(),
        )),
    }
}

/// A JSON number text satisfying every literal.
fn number(here: &[Lit<'_>], budget: &mut Budget) -> Result<Option<String>, Stop> {
    number_with(here, NumberSyntax::Json, budget)
}

/// A number text, in the given syntax, satisfying every literal.
pub(crate) fn number_with(
    here: &[Lit<'_>],
    syntax: NumberSyntax,
    budget: &mut Budget,
) -> Result<Option<String>, Stop> {
    let is_number = |t: &str| Lang::Number(syntax).contains(t);
    let mut endpoints: Vec<Num> = Vec::new();
    let mut constraints = Vec::new();
    for lit in here {
        match lit.test {
            Test::Eq(Operand::Num(n)) | Test::Ne(Operand::Num(n)) => endpoints.push(n.clone()),
            Test::Lt(n) | Test::Le(n) | Test::Gt(n) | Test::Ge(n) => endpoints.push(n.clone()),
            _ => {}
        }
        if let Some(c) = text_constraint(lit) {
            constraints.push(c);
        }
    }
    let ok = |text: &str| here.iter().all(|l| l.holds_for(&[Found::Num(text)]));
    // A required exact text is the only candidate.
    let exact = constraints
        .iter()
        .find_map(|c: &Constraint<'_>| match (c.positive, c.lang) {
            (true, Lang::Text(crate::canon::TextPat::Exact(s))) => Some(s.as_str()),
            _ => None,
        });
    if let Some(text) = exact {
        budget.spend(here.len() as u64)?;
        let valid = is_number(text) && ok(text);
        return Ok(valid.then(|| text.to_owned()));
    }
    let points = region_points(&mut endpoints).ok_or_else(|| {
        Stop::Undecided(
            "numbers too far apart to compare exactly (exponents differ by more than 4096)".into(),
        )
    })?;
    let no_text = constraints.is_empty();
    // The literals that do not look at the text are constant on each region: only the
    // regions they allow can hold a solution.
    let by_value = |text: &str| {
        here.iter()
            .filter(|l| text_constraint(l).is_none())
            .all(|l| l.holds_for(&[Found::Num(text)]))
    };
    let points: Vec<Num> = points
        .into_iter()
        .filter(|p| by_value(&p.to_string()))
        .collect();
    if points.is_empty() {
        return Ok(None);
    }
    for p in &points {
        // With text tests, other spellings of the same value may pass where the shortest
        // does not (`4.04e2` starts with 4, `0.404e3` does not).
        let spellings = if no_text {
            vec![p.to_string()]
        } else {
            spellings(p, syntax)
        };
        for text in spellings {
            budget.spend(here.len() as u64)?;
            if ok(&text) {
                return Ok(Some(text));
            }
        }
    }
    if no_text {
        // Every literal's truth is constant on each region, and each region was tried.
        return Ok(None);
    }
    constraints.push(Constraint {
        lang: Lang::Number(syntax),
        positive: true,
    });
    let numeric = !endpoints.is_empty();
    if numeric {
        // No number text passes the text tests at all: impossible, whatever the value.
        let any_text = automata::enumerate(&constraints, budget, &mut |_| true)?;
        if !any_text {
            return Ok(None);
        }
    }
    let mut found = None;
    let exhausted = if numeric {
        automata::enumerate_texts(&constraints, 20_000, budget, &mut |t| {
            let hit = ok(t);
            if hit {
                found = Some(t.to_owned());
            }
            hit
        })
    } else {
        automata::enumerate(&constraints, budget, &mut |t| {
            let hit = ok(t);
            if hit {
                found = Some(t.to_owned());
            }
            hit
        })
    };
    match (exhausted, found) {
        (_, Some(text)) => Ok(Some(text)),
        (Ok(false), None) => Ok(None),
        (Ok(true), None) => Ok(None),
        (Err(_), None) if numeric => Err(Stop::Undecided(
            "a number constrained both by its value and by its text (wildcard or regex)".into(),
        )),
        (Err(e), None) => Err(Stop::Exhausted(e)),
    }
}

/// Ways to write the number `n` as JSON text: the shortest, with an exponent, with a
/// fraction, and in scientific forms with the point in other places.
fn spellings(n: &Num, syntax: NumberSyntax) -> Vec<String> {
    let shortest = n.to_string();
    let mut out = vec![shortest.clone()];
    let (sign, body) = match shortest.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", shortest.as_str()),
    };
    if n.is_zero() {
        out.extend(["0.0", "0e0", "-0", "0.00", "0E0", "+0", "00"].map(str::to_owned));
        out.retain(|t| Lang::Number(syntax).contains(t));
        return out;
    }
    if !body.contains(['e', 'E']) {
        out.push(format!("{shortest}e0"));
        out.push(format!("{shortest}E0"));
        if !body.contains('.') {
            out.push(format!("{shortest}.0"));
        }
    }
    if let (Some(digits), Some(exp)) = (n.digits(), n.exponent()) {
        let (first, rest) = digits.split_at(1);
        out.push(format!("{sign}0.{digits}e{exp}"));
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        out.push(format!("{sign}{first}{point}e{}", exp - 1));
        out.push(format!("{sign}{digits}e{}", exp - digits.len() as i64));
        out.push(format!("{sign}{first}{point}E+{}", exp - 1));
    }
    if syntax == NumberSyntax::Pattern {
        out.push(format!("+{shortest}"));
        out.push(format!("0{shortest}"));
    }
    out.retain(|t| Lang::Number(syntax).contains(t));
    out.dedup();
    out
}

/// One number in each region that the endpoints cut the real line into: below the
/// smallest, each endpoint, between neighbours, and above the largest. `None` when exact
/// arithmetic would need too many digits.
pub(crate) fn region_points(endpoints: &mut Vec<Num>) -> Option<Vec<Num>> {
    endpoints.sort();
    endpoints.dedup();
    let one = Num::parse("1")?;
    let Some(first) = endpoints.first() else {
        return Some(vec![Num::zero()]);
    };
    let mut points = vec![first.checked_add(&one.negated())?];
    for pair in endpoints.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        points.push(a.clone());
        let step = match (a.lsd(), b.lsd()) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x.min(0),
            (None, None) => 0,
        };
        points.push(a.checked_add(&Num::pow10(step - 1))?);
    }
    let last = endpoints.last()?;
    points.push(last.clone());
    points.push(last.checked_add(&one)?);
    Some(points)
}
