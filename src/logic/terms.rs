//! Term patterns: boolean combinations of "the message contains t" and "a regex search
//! succeeds", all regular, decided with the automata of [`super::automata`].

use crate::canon::{Canonical, TermLit, TermSet, TextPat};
use crate::regex::Regex;

use super::automata::{self, Constraint, Lang};
use super::search::{self, Nnf, Query, SearchAtom, Verdict};

impl SearchAtom for MsgAtom {}
use super::{Budget, Event, Stop};

/// A test on the whole message.
#[derive(Debug, PartialEq, Eq, Hash)]
enum MsgAtom {
    Contains(TextPat),
    Search(Regex),
}

/// Messages for which `a` matches iff `pa` and `b` matches iff `pb`, for term patterns
/// and the empty pattern; other combinations are not decided.
pub(super) fn pair(
    a: &Canonical,
    pa: bool,
    b: &Canonical,
    pb: bool,
    want: usize,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    let (Some(sa), Some(sb)) = (as_terms(a), as_terms(b)) else {
        return Err(Stop::Undecided(format!(
            "comparing {} with {} is not decided yet",
            kind_name(a),
            kind_name(b)
        )));
    };
    let mut atoms = Vec::new();
    let shape_a = shape(sa, &mut atoms);
    let shape_b = shape(sb, &mut atoms);
    let na = build(&shape_a, &atoms, pa);
    let nb = build(&shape_b, &atoms, pb);
    let mut theory =
        |query: Query<'_, '_, MsgAtom>, budget: &mut Budget| -> Result<Verdict<Event>, Stop> {
            let constraints: Vec<Constraint<'_>> = query
                .cube
                .iter()
                .map(|(atom, positive)| Constraint {
                    lang: match atom {
                        MsgAtom::Contains(pat) => Lang::Text(pat),
                        MsgAtom::Search(re) => Lang::Regex(re),
                    },
                    positive: *positive,
                })
                .collect();
            // CloudWatch log events have at least one character.
            let mut found = None;
            automata::enumerate(&constraints, budget, &mut |text| {
                if text.is_empty() {
                    return false;
                }
                found = Some(text.to_owned());
                true
            })?;
            if found.is_none()
                && constraints
                    .iter()
                    .all(|c| c.lang.contains("") == c.positive)
            {
                // Only the empty text could satisfy the cube's constraints per state; try
                // one-character extensions explicitly.
                found = ["x", " ", "0"]
                    .iter()
                    .find(|t| constraints.iter().all(|c| c.lang.contains(t) == c.positive))
                    .map(|t| t.to_string());
            }
            Ok(match found {
                Some(text) => Verdict::Sat(Event::Text(text)),
                None => Verdict::Unsat,
            })
        };
    search::witnesses(&[&na, &nb], want, budget, &mut theory)
}

fn kind_name(p: &Canonical) -> &'static str {
    match p {
        Canonical::All => "the empty pattern",
        Canonical::Terms(_) => "a term pattern",
        Canonical::Json(_) => "a JSON pattern",
        Canonical::Delimited(_) => "a space-delimited pattern",
    }
}

/// The empty pattern is the term pattern with no terms.
fn as_terms(p: &Canonical) -> Option<Option<&TermSet>> {
    match p {
        Canonical::All => Some(None),
        Canonical::Terms(set) => Some(Some(set)),
        _ => None,
    }
}

/// A term pattern as references into the shared atom list: `None` for a term that always
/// occurs or never occurs (`Some(true)` / `Some(false)` in the second slot).
struct Shape {
    required: Vec<Term>,
    excluded: Vec<Term>,
    optional: Vec<Term>,
}

#[derive(Clone, Copy)]
enum Term {
    Atom(usize),
    Always,
    Never,
}

fn shape(set: Option<&TermSet>, atoms: &mut Vec<MsgAtom>) -> Shape {
    let mut term = |t: &TermLit| match t {
        _ if t.always_occurs() => Term::Always,
        TermLit::Unquoted(_) => Term::Never,
        TermLit::Literal(s) => {
            atoms.push(MsgAtom::Contains(TextPat::Contains(s.clone())));
            Term::Atom(atoms.len() - 1)
        }
        TermLit::Regex(re) => {
            atoms.push(MsgAtom::Search(re.clone()));
            Term::Atom(atoms.len() - 1)
        }
    };
    match set {
        None => Shape {
            required: Vec::new(),
            excluded: Vec::new(),
            optional: Vec::new(),
        },
        Some(set) => Shape {
            required: set.required().iter().map(&mut term).collect(),
            excluded: set.excluded().iter().map(&mut term).collect(),
            optional: set.optional().iter().map(&mut term).collect(),
        },
    }
}

/// `required ∧ ¬excluded ∧ (optional ≠ ∅ → ∨ optional)`, or its negation.
fn build<'a>(shape: &Shape, atoms: &'a [MsgAtom], positive: bool) -> Nnf<'a, MsgAtom> {
    let lit = |t: &Term, want: bool| -> Nnf<'a, MsgAtom> {
        match *t {
            Term::Atom(i) => Nnf::Lit(&atoms[i], want),
            // Constants: an empty `And` is true, an empty `Or` is false.
            Term::Always if want => Nnf::And(Vec::new()),
            Term::Never if !want => Nnf::And(Vec::new()),
            _ => Nnf::Or(Vec::new()),
        }
    };
    let mut parts: Vec<Nnf<'a, MsgAtom>> = Vec::new();
    // Each conjunct, in the polarity the whole formula needs: a conjunction when
    // positive, a disjunction of negations when negative.
    parts.extend(shape.required.iter().map(|t| lit(t, positive)));
    parts.extend(shape.excluded.iter().map(|t| lit(t, !positive)));
    if !shape.optional.is_empty() {
        let options: Vec<Nnf<'a, MsgAtom>> =
            shape.optional.iter().map(|t| lit(t, positive)).collect();
        parts.push(match positive {
            true => Nnf::Or(options),
            false => Nnf::And(options),
        });
    }
    match positive {
        true => Nnf::And(parts),
        false => Nnf::Or(parts),
    }
}
