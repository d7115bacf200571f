//! Space-delimited patterns, decided over the fields of a line.
//!
//! A line is modelled as its list of fields `f₁…f_N`. A pattern matches when `N` fits its
//! entries (exactly, or at least with `...`) and each bound field satisfies its entry's
//! condition; fields are independent of each other. Beyond `N = len(a) + len(b) + 1` every
//! count looks alike (the prefixes and suffixes of the two patterns no longer meet), so
//! trying every `N` up to there is exhaustive.
//!
//! Every list of field texts is taken to be writable as a line (quoting a field with
//! spaces, bracketing one with quotes). That makes "no such line" answers exact, and
//! "here is one" answers are checked by the evaluator on the written line; a field that
//! cannot be written (spaces, `"` and `]` together) makes the answer `Unknown`.

use crate::canon::{Column, Columns, Formula, Test};
use crate::eval::json::Found;

use super::automata::{Constraint, Lang, NumberSyntax};
use super::search::{self, Nnf, Query, SearchAtom, Verdict};
use super::value::{self, Lit};
use super::{Budget, Event, Stop};

impl SearchAtom for Test {}

/// The conditions a pattern puts on the fields of a line with `n` fields: one entry per
/// field (`None`: any text), or `None` when the pattern cannot match `n` fields.
fn bind(columns: &Columns, n: usize) -> Option<Vec<Option<&Formula<Test>>>> {
    let mut before = Vec::new();
    let mut after: Option<Vec<Option<&Formula<Test>>>> = if columns.0.is_empty() {
        Some(Vec::new())
    } else {
        None
    };
    for column in &columns.0 {
        match column {
            Column::Ellipsis => after = Some(Vec::new()),
            Column::Field { condition, .. } => match after.as_mut() {
                Some(list) => list.push(condition.as_ref()),
                None => before.push(condition.as_ref()),
            },
        }
    }
    match after {
        None if n == before.len() => Some(before),
        None => None,
        Some(after) if n >= before.len() + after.len() => {
            let middle = n - before.len() - after.len();
            let mut all = before;
            all.extend(std::iter::repeat(None).take(middle));
            all.extend(after);
            Some(all)
        }
        Some(_) => None,
    }
}

/// A way of making a line: for each field, the conditions that must hold (`true`) or fail.
type Plan<'a> = Vec<Vec<(&'a Formula<Test>, bool)>>;

fn len(columns: &Columns) -> usize {
    columns
        .0
        .iter()
        .filter(|c| matches!(c, Column::Field { .. }))
        .count()
}

/// Lines for which `a` matches iff `pa` and `b` matches iff `pb`.
pub(super) fn pair(
    a: &Columns,
    pa: bool,
    b: &Columns,
    pb: bool,
    want: usize,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    let mut found: Vec<Event> = Vec::new();
    let mut undecided = None;
    for n in 0..=len(a) + len(b) + 1 {
        if found.len() >= want {
            break;
        }
        let (sa, sb) = (bind(a, n), bind(b, n));
        // The ways of making the line: per field, the conditions that must hold and fail.
        let plans: Vec<Plan<'_>> = match (sa, sb, pa, pb) {
            (Some(x), Some(y), true, true) => {
                vec![(0..n).map(|i| both(x[i], true, y[i], true)).collect()]
            }
            (Some(x), None, true, false) => {
                vec![(0..n).map(|i| both(x[i], true, None, true)).collect()]
            }
            (None, Some(y), false, true) => {
                vec![(0..n).map(|i| both(None, true, y[i], true)).collect()]
            }
            (Some(x), Some(y), true, false) => fail_one(&x, &y, n),
            (Some(x), Some(y), false, true) => fail_one(&y, &x, n),
            _ => Vec::new(),
        };
        for plan in plans {
            if found.len() >= want {
                break;
            }
            match line(&plan, budget) {
                Ok(Some(text)) => {
                    let event = Event::Text(text);
                    if !found.contains(&event) {
                        found.push(event);
                    }
                }
                Ok(None) => {}
                Err(Stop::Undecided(why)) => {
                    undecided.get_or_insert(why);
                }
                Err(stop) => return Err(stop),
            }
        }
    }
    Ok((found, undecided))
}

fn both<'a>(
    x: Option<&'a Formula<Test>>,
    px: bool,
    y: Option<&'a Formula<Test>>,
    py: bool,
) -> Vec<(&'a Formula<Test>, bool)> {
    let mut out = Vec::new();
    out.extend(x.map(|f| (f, px)));
    out.extend(y.map(|f| (f, py)));
    out
}

/// Plans where every field satisfies `x` and one field `j` fails `y`.
fn fail_one<'a>(
    x: &[Option<&'a Formula<Test>>],
    y: &[Option<&'a Formula<Test>>],
    n: usize,
) -> Vec<Plan<'a>> {
    (0..n)
        .filter(|&j| y[j].is_some())
        .map(|j| {
            (0..n)
                .map(|i| {
                    if i == j {
                        both(x[i], true, y[i], false)
                    } else {
                        both(x[i], true, None, true)
                    }
                })
                .collect()
        })
        .collect()
}

/// The line for a plan: a text for each field, written with quoting where needed.
fn line(plan: &[Vec<(&Formula<Test>, bool)>], budget: &mut Budget) -> Result<Option<String>, Stop> {
    let mut fields = Vec::new();
    for parts in plan {
        match field(parts, budget)? {
            Some(text) => fields.push(write_field(&text)?),
            None => return Ok(None),
        }
    }
    // A log event has at least one character: a line of no fields is a single space.
    let text = fields.join(" ");
    Ok(Some(if text.is_empty() {
        " ".to_owned()
    } else {
        text
    }))
}

fn write_field(text: &str) -> Result<String, Stop> {
    let plain = !text.is_empty()
        && !text.contains([' ', '\t', '\n', '\r'])
        && !text.starts_with(['"', '[']);
    if plain {
        Ok(text.to_owned())
    } else if !text.contains('"') && !text.contains('\n') {
        Ok(format!("\"{text}\""))
    } else if !text.contains(']') && !text.contains('\n') {
        Ok(format!("[{text}]"))
    } else {
        Err(Stop::Undecided(
            "a field text that cannot be written in a line".into(),
        ))
    }
}

/// A field text for which each formula holds or fails as flagged.
fn field(parts: &[(&Formula<Test>, bool)], budget: &mut Budget) -> Result<Option<String>, Stop> {
    if parts.is_empty() {
        return Ok(Some("x".to_owned()));
    }
    let nnfs: Vec<Nnf<'_, Test>> = parts.iter().map(|(f, p)| Nnf::of(f, *p)).collect();
    let refs: Vec<&Nnf<'_, Test>> = nnfs.iter().collect();
    let mut theory =
        |query: Query<'_, '_, Test>, budget: &mut Budget| -> Result<Verdict<String>, Stop> {
            let lits: Vec<Lit<'_>> = query
                .cube
                .iter()
                .map(|(t, p)| Lit {
                    path: &[],
                    test: t,
                    positive: *p,
                })
                .collect();
            match field_text(&lits, budget)? {
                Some(text) => Ok(Verdict::Sat(text)),
                None => Ok(Verdict::Unsat),
            }
        };
    let (found, why) = search::witnesses(&refs, 1, budget, &mut theory)?;
    match (found.into_iter().next(), why) {
        (Some(text), _) => Ok(Some(text)),
        (None, Some(why)) => Err(Stop::Undecided(why)),
        (None, None) => Ok(None),
    }
}

/// A field's text satisfying every literal. A field that reads as a number is tested like a
/// JSON number (its text and its value), any other like a string.
fn field_text(lits: &[Lit<'_>], budget: &mut Budget) -> Result<Option<String>, Stop> {
    let not_a_number = Constraint {
        lang: Lang::Number(NumberSyntax::Pattern),
        positive: false,
    };
    if let Some(text) = value::string_with(lits, vec![not_a_number], budget)? {
        return Ok(Some(text));
    }
    let text = value::number_with(lits, NumberSyntax::Pattern, budget)?;
    Ok(text.filter(|t| lits.iter().all(|l| l.holds_for(&[Found::Num(t)]))))
}
