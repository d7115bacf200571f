//! The semantic engine: how the sets of events two patterns match relate.
//!
//! [`relate`] decides whether two patterns are equivalent, or one matches a subset of the
//! other's events, or they overlap, or they are disjoint — by searching for events that
//! only one side matches, and for one that both match. It is a decision procedure, not
//! sampling: every "no such event" is a proof by exhaustive search over the patterns'
//! literals (the modules `tree`, `value` and `automata` hold the theories), and every event it
//! reports is checked with the evaluator before it is returned.
//!
//! What it cannot decide, it says: [`Relation::Unknown`] carries the reason (comparing
//! patterns of different kinds — JSON with terms, terms with space-delimited —, a number
//! constrained both by its value and by its text where no witness turns up, or the
//! [`Limits`] running out). JSON, term and space-delimited patterns are each decided
//! against patterns of their own kind and against the empty pattern.

mod automata;
mod columns;
mod event;
pub(crate) mod hash;
mod search;
mod terms;
mod tree;
mod value;

use std::cell::OnceCell;

use serde::Serialize;

use crate::canon::{Canonical, Formula, JsonAtom};
use crate::eval::Matcher;

use search::{Atoms, Nnf};

/// How much work [`relate`] may do before answering `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Search steps (literals visited, automaton states built, candidates tried).
    pub max_steps: u64,
    /// How many example events to give for each side.
    pub max_witnesses: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 5_000_000,
            max_witnesses: 3,
        }
    }
}

/// The work budget of one question.
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
}

/// The budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exhausted;

impl Budget {
    pub(crate) fn new(steps: u64) -> Budget {
        Budget { left: steps }
    }

    pub(crate) fn spend(&mut self, n: u64) -> Result<(), Exhausted> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(Exhausted)
            }
        }
    }
}

/// Why a search stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    Exhausted(Exhausted),
    Undecided(String),
}

impl From<Exhausted> for Stop {
    fn from(e: Exhausted) -> Stop {
        Stop::Exhausted(e)
    }
}

impl Stop {
    fn reason(&self) -> String {
        match self {
            Stop::Exhausted(_) => "the search budget ran out (see Limits::max_steps)".to_owned(),
            Stop::Undecided(why) => why.clone(),
        }
    }
}

/// An example log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A JSON event, as compact JSON text.
    Json(String),
    /// A plain-text event.
    Text(String),
}

impl Event {
    /// The event's message, as CloudWatch would see it.
    pub fn message(&self) -> &str {
        match self {
            Event::Json(s) | Event::Text(s) => s,
        }
    }
}

/// JSON events serialise as JSON values, text events as strings.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Event::Json(text) => match serde_json::value::RawValue::from_string(text.clone()) {
                Ok(raw) => raw.serialize(s),
                Err(_) => s.serialize_str(text),
            },
            Event::Text(text) => s.serialize_str(text),
        }
    }
}

/// How the events `left` matches relate to the events `right` matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "relation", content = "reason", rename_all = "snake_case")]
pub enum Relation {
    /// Exactly the same events.
    Equivalent,
    /// Every event `left` matches, `right` matches too, but not the other way round.
    Subset,
    /// Every event `right` matches, `left` matches too, but not the other way round.
    Superset,
    /// Some events match both; each side matches some the other does not.
    Overlap,
    /// No event matches both (and neither is a subset of the other).
    Disjoint,
    /// Not decided, and why.
    Unknown(String),
}

impl Relation {
    /// The relation's name as the CLI prints it: `equivalent`, `subset`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::Subset => "subset",
            Relation::Superset => "superset",
            Relation::Overlap => "overlap",
            Relation::Disjoint => "disjoint",
            Relation::Unknown(_) => "unknown",
        }
    }
}

/// The answer of [`relate`]: the relation and example events, each checked with the
/// evaluator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The relation.
    pub relation: Relation,
    /// Events only `left` matches (empty when there are none).
    pub left_only: Vec<Event>,
    /// Events only `right` matches.
    pub right_only: Vec<Event>,
    /// An event both match, when there is one and it was needed or found.
    pub both: Option<Event>,
}

/// Decides how two patterns relate, with the default [`Limits`].
///
/// ```
/// use cwpattern::{canon, logic::{relate, Relation}, syntax};
/// let p = |s: &str| canon::lower(&syntax::parse(s).unwrap());
/// let cis = p("{ ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) }");
/// let wider = p(r#"{ $.eventName = "CreatePolicy" || $.eventName = "DeletePolicy" || $.eventName = "AddUserToGroup" }"#);
/// let answer = relate(&cis, &wider);
/// assert_eq!(answer.relation, Relation::Subset);
/// assert_eq!(answer.right_only[0].message(), r#"{"eventName":"AddUserToGroup"}"#);
/// ```
pub fn relate(left: &Canonical, right: &Canonical) -> Comparison {
    relate_with(left, right, &Limits::default())
}

/// Decides how two patterns relate within `limits`.
pub fn relate_with(left: &Canonical, right: &Canonical, limits: &Limits) -> Comparison {
    let mut budget = Budget::new(limits.max_steps);
    let want = limits.max_witnesses.max(1);
    let left_m = Matcher::new(left);
    let right_m = Matcher::new(right);
    let atoms = json_atoms(left, right);
    let atoms = atoms.as_ref();
    // Events only `left` matches, only `right` matches, and both.
    let only_left = difference(left, right, want, atoms, &mut budget);
    let only_right = difference(right, left, want, atoms, &mut budget);
    let (left_only, left_unknown) = checked(only_left, &left_m, &right_m, true);
    let (right_only, right_unknown) = checked(only_right, &right_m, &left_m, true);
    let unknown = left_unknown.or(right_unknown);
    let mut both = None;
    let mut both_unknown = None;
    if !left_only.is_empty() && !right_only.is_empty() {
        let (found, why) = checked(
            intersection(left, right, atoms, &mut budget),
            &left_m,
            &right_m,
            false,
        );
        both = found.into_iter().next();
        both_unknown = why;
    }
    comparison(left_only, right_only, both, unknown, both_unknown)
}

/// The atoms of two patterns numbered once for all the searches of a question, when both
/// are JSON (or match everything): numbering reads every atom, a search often only a few.
fn json_atoms<'f>(left: &'f Canonical, right: &'f Canonical) -> Option<Atoms<'f, JsonAtom>> {
    let mut formulas = Vec::new();
    for side in [left, right] {
        match side {
            Canonical::Json(f) => formulas.push(f),
            Canonical::All => {}
            _ => return None,
        }
    }
    Some(Atoms::of_formulas(&formulas))
}

/// Facts that every event is assumed to satisfy, such as "every CloudTrail record has a
/// string `eventName`". Only JSON patterns can be compared under assumptions.
#[derive(Debug, Clone, Default)]
pub struct Assumptions {
    parts: Vec<(Formula<JsonAtom>, bool)>,
}

impl Assumptions {
    /// No assumption: any event at all.
    pub fn none() -> Assumptions {
        Assumptions::default()
    }

    /// Assumes that `formula` holds (`holds == true`) or fails for every event.
    pub fn assume(&mut self, formula: Formula<JsonAtom>, holds: bool) -> &mut Self {
        self.parts.push((formula, holds));
        self
    }

    /// True when nothing is assumed.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// Finds up to `want` JSON events, satisfying the assumptions, for which each formula of
/// `parts` holds or fails as its flag says. The events are checked with the evaluator.
/// Returns the events, and the reason the search was incomplete, if it was (then an empty
/// list proves nothing).
pub fn find_events(
    parts: &[(&Formula<JsonAtom>, bool)],
    assumptions: &Assumptions,
    want: usize,
    limits: &Limits,
) -> (Vec<Event>, Option<String>) {
    let mut all: Vec<(&Formula<JsonAtom>, bool)> = parts.to_vec();
    all.extend(assumptions.parts.iter().map(|(f, p)| (f, *p)));
    let formulas: Vec<&Formula<JsonAtom>> = all.iter().map(|(f, _)| *f).collect();
    let atoms = Atoms::of_formulas(&formulas);
    let matchers: Vec<OnceCell<Matcher>> = all.iter().map(|_| OnceCell::new()).collect();
    let with: Vec<Part<'_, '_>> = all
        .iter()
        .zip(&matchers)
        .map(|(&(f, p), m)| (f, p, m))
        .collect();
    events_with(&with, &atoms, want, limits)
}

/// A formula of a search for events: whether it must hold, and its evaluator, compiled when
/// a first event is checked (and shared by the searches of a question).
type Part<'f, 'm> = (&'f Formula<JsonAtom>, bool, &'m OnceCell<Matcher>);

/// [`find_events`] for `parts` (assumptions included), whose atoms are numbered in `atoms`.
fn events_with<'f>(
    parts: &[Part<'f, '_>],
    atoms: &Atoms<'f, JsonAtom>,
    want: usize,
    limits: &Limits,
) -> (Vec<Event>, Option<String>) {
    let mut budget = Budget::new(limits.max_steps);
    let formulas: Vec<(&Formula<JsonAtom>, bool)> = parts.iter().map(|&(f, p, _)| (f, p)).collect();
    match json_parts(&formulas, Some(atoms), want, &mut budget) {
        Err(stop) => (Vec::new(), Some(stop.reason())),
        Ok((events, why)) if events.is_empty() => (events, why),
        Ok((events, why)) => {
            let total = events.len();
            let good: Vec<Event> = events
                .into_iter()
                .filter(|e| {
                    parts.iter().all(|&(f, p, m)| {
                        m.get_or_init(|| Matcher::json(f))
                            .matches_parsed(e.message())
                            == p
                    })
                })
                .collect();
            debug_assert_eq!(good.len(), total, "a witness failed the evaluator's check");
            let why = if good.len() == total {
                why
            } else {
                Some("internal: a witness failed the evaluator's check".to_owned())
            };
            (good, why)
        }
    }
}

/// Decides how two JSON patterns relate over the events that satisfy `assumptions`.
pub fn relate_assuming(
    left: &Canonical,
    right: &Canonical,
    assumptions: &Assumptions,
    limits: &Limits,
) -> Comparison {
    if assumptions.is_empty() {
        return relate_with(left, right, limits);
    }
    let (Canonical::Json(l), Canonical::Json(r)) = (left, right) else {
        return Comparison {
            relation: Relation::Unknown(
                "only JSON patterns are compared under assumptions about the events".into(),
            ),
            left_only: Vec::new(),
            right_only: Vec::new(),
            both: None,
        };
    };
    let want = limits.max_witnesses.max(1);
    // The three searches share the numbering of the atoms and the evaluators.
    let mut formulas = vec![l, r];
    formulas.extend(assumptions.parts.iter().map(|(f, _)| f));
    let atoms = Atoms::of_formulas(&formulas);
    let matchers: Vec<OnceCell<Matcher>> = formulas.iter().map(|_| OnceCell::new()).collect();
    let facts: Vec<Part<'_, '_>> = assumptions
        .parts
        .iter()
        .zip(&matchers[2..])
        .map(|((f, p), m)| (f, *p, m))
        .collect();
    let search = |lp: bool, rp: bool, want: usize| {
        let mut parts: Vec<Part<'_, '_>> = if lp {
            vec![(l, lp, &matchers[0]), (r, rp, &matchers[1])]
        } else {
            vec![(r, rp, &matchers[1]), (l, lp, &matchers[0])]
        };
        parts.extend(facts.iter().copied());
        events_with(&parts, &atoms, want, limits)
    };
    let (left_only, lu) = search(true, false, want);
    let (right_only, ru) = search(false, true, want);
    let unknown = lu.or(ru);
    let (both, bu) = if !left_only.is_empty() && !right_only.is_empty() {
        let (found, why) = search(true, true, 1);
        (found.into_iter().next(), why)
    } else {
        (None, None)
    };
    comparison(left_only, right_only, both, unknown, bu)
}

/// The relation that the three searches establish. `unknown` is why a difference search was
/// incomplete, `both_unknown` why the intersection search was.
fn comparison(
    left_only: Vec<Event>,
    right_only: Vec<Event>,
    both: Option<Event>,
    unknown: Option<String>,
    both_unknown: Option<String>,
) -> Comparison {
    let relation = match (left_only.is_empty(), right_only.is_empty()) {
        _ if unknown.is_some() && (left_only.is_empty() || right_only.is_empty()) => {
            Relation::Unknown(unknown.unwrap_or_default())
        }
        (true, true) => Relation::Equivalent,
        (true, false) => Relation::Subset,
        (false, true) => Relation::Superset,
        (false, false) if both.is_some() => Relation::Overlap,
        (false, false) => match both_unknown {
            Some(why) => Relation::Unknown(why),
            None => Relation::Disjoint,
        },
    };
    Comparison {
        relation,
        left_only,
        right_only,
        both,
    }
}

/// True when every event `a` matches, `b` matches too; `None` when undecided.
pub fn implies(a: &Canonical, b: &Canonical) -> Option<bool> {
    let mut budget = Budget::new(Limits::default().max_steps);
    let (found, why) = checked(
        difference(a, b, 1, None, &mut budget),
        &Matcher::new(a),
        &Matcher::new(b),
        true,
    );
    match (found.is_empty(), why) {
        (false, _) => Some(false),
        (true, None) => Some(true),
        (true, Some(_)) => None,
    }
}

/// True when the pattern matches no event at all; `None` when undecided.
pub fn is_empty(p: &Canonical) -> Option<bool> {
    let mut budget = Budget::new(Limits::default().max_steps);
    let m = Matcher::new(p);
    match satisfying(p, 1, &mut budget) {
        Ok((found, why)) => {
            let found: Vec<Event> = found
                .into_iter()
                .filter(|e| m.matches_parsed(e.message()))
                .collect();
            match (found.is_empty(), why) {
                (false, _) => Some(false),
                (true, None) => Some(true),
                (true, Some(_)) => None,
            }
        }
        Err(_) => None,
    }
}

/// True when the pattern matches every event; `None` when undecided.
pub fn is_universal(p: &Canonical) -> Option<bool> {
    implies(&Canonical::All, p)
}

/// Keeps the events that `yes` matches and `no` does not (or, with `differ == false`,
/// that both match). The check parses every witness (no prefilter): a handful of events
/// do not repay building the prefilter's searchers. A search result that fails this check would be an engine bug: it is
/// dropped and reported as undecided rather than returned.
fn checked(
    result: Result<(Vec<Event>, Option<String>), Stop>,
    yes: &Matcher,
    no: &Matcher,
    differ: bool,
) -> (Vec<Event>, Option<String>) {
    match result {
        Err(stop) => (Vec::new(), Some(stop.reason())),
        Ok((events, why)) => {
            let total = events.len();
            let good: Vec<Event> = events
                .into_iter()
                .filter(|e| {
                    yes.matches_parsed(e.message()) && no.matches_parsed(e.message()) != differ
                })
                .collect();
            debug_assert_eq!(good.len(), total, "a witness failed the evaluator's check");
            let why = match good.len() == total {
                true => why,
                false => Some("internal: a witness failed the evaluator's check".to_owned()),
            };
            (good, why)
        }
    }
}

/// Events matched by `p`.
fn satisfying(
    p: &Canonical,
    want: usize,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    difference(p, &Canonical::Json(never_formula()), want, None, budget)
}

/// A formula no event satisfies, used as "nothing" on the right of a difference.
fn never_formula() -> Formula<JsonAtom> {
    use crate::canon::{Path, PathStep, Test};
    let path = Path(vec![PathStep::Key(String::new())]);
    let exists = Formula::atom(JsonAtom {
        path: path.clone(),
        test: Test::NotExists,
    });
    let missing = Formula::atom(JsonAtom {
        path,
        test: Test::Eq(crate::canon::Operand::Any),
    });
    Formula::and(exists, [missing])
}

/// Events `a` matches and `b` does not.
fn difference<'f>(
    a: &'f Canonical,
    b: &'f Canonical,
    want: usize,
    atoms: Option<&Atoms<'f, JsonAtom>>,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    pair(a, true, b, false, want, atoms, budget)
}

/// Events both match.
fn intersection<'f>(
    a: &'f Canonical,
    b: &'f Canonical,
    atoms: Option<&Atoms<'f, JsonAtom>>,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    pair(a, true, b, true, 1, atoms, budget)
}

/// Events for which `a` matches iff `pa` and `b` matches iff `pb`. `atoms`, when given,
/// numbers the atoms of every JSON formula of `a` and `b`.
fn pair<'f>(
    a: &'f Canonical,
    pa: bool,
    b: &'f Canonical,
    pb: bool,
    want: usize,
    atoms: Option<&Atoms<'f, JsonAtom>>,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    match (a, b) {
        (Canonical::Json(fa), Canonical::Json(fb)) => {
            json_pair(fa, pa, fb, pb, want, atoms, budget)
        }
        (Canonical::Json(fa), Canonical::All) if !pb => Ok((Vec::new(), None)),
        (Canonical::Json(fa), Canonical::All) => json_pair(fa, pa, fa, pa, want, atoms, budget),
        (Canonical::All, Canonical::Json(fb)) if !pa => Ok((Vec::new(), None)),
        (Canonical::All, Canonical::Json(fb)) if !pb => {
            // Any event that is not a JSON object is matched by `All` and by no JSON pattern;
            // and JSON objects that `fb` rejects.
            let mut found = vec![Event::Text("x".to_owned())];
            let (more, why) =
                json_pair(fb, false, fb, false, want.saturating_sub(1), atoms, budget)?;
            found.extend(more);
            Ok((found, why))
        }
        (Canonical::All, Canonical::Json(fb)) => json_pair(fb, true, fb, true, want, atoms, budget),
        (Canonical::All, Canonical::All) => Ok(if pa && pb {
            (vec![Event::Text("x".to_owned())], None)
        } else {
            (Vec::new(), None)
        }),
        (Canonical::Delimited(ca), Canonical::Delimited(cb)) => {
            columns::pair(ca, pa, cb, pb, want, budget)
        }
        (Canonical::Delimited(ca), Canonical::All) => {
            columns::pair(ca, pa, &crate::canon::Columns(Vec::new()), pb, want, budget)
        }
        (Canonical::All, Canonical::Delimited(cb)) => {
            columns::pair(&crate::canon::Columns(Vec::new()), pa, cb, pb, want, budget)
        }
        _ => terms::pair(a, pa, b, pb, want, budget),
    }
}

/// JSON objects for which `fa` holds iff `pa` and `fb` holds iff `pb` (and the assumptions
/// hold).
fn json_pair<'f>(
    fa: &'f Formula<JsonAtom>,
    pa: bool,
    fb: &'f Formula<JsonAtom>,
    pb: bool,
    want: usize,
    atoms: Option<&Atoms<'f, JsonAtom>>,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    json_parts(&[(fa, pa), (fb, pb)], atoms, want, budget)
}

/// JSON objects for which each formula holds or fails as its flag says. `atoms`, when
/// given, numbers the atoms of every formula of `parts`.
pub(crate) fn json_parts<'f>(
    parts: &[(&'f Formula<JsonAtom>, bool)],
    atoms: Option<&Atoms<'f, JsonAtom>>,
    want: usize,
    budget: &mut Budget,
) -> Result<(Vec<Event>, Option<String>), Stop> {
    if want == 0 {
        return Ok((Vec::new(), None));
    }
    let nnfs: Vec<Nnf<'_, JsonAtom>> = parts.iter().map(|(f, p)| Nnf::of(f, *p)).collect();
    let refs: Vec<&Nnf<'_, JsonAtom>> = nnfs.iter().collect();
    let mut events = event::EventTheory::new();
    let theory: &mut search::Theory<'_, '_, JsonAtom, Event> =
        &mut |query, budget| events.ask(query, budget);
    match atoms {
        Some(atoms) => search::witnesses_with(&refs, atoms, want, budget, theory),
        None => search::witnesses(&refs, want, budget, theory),
    }
}
