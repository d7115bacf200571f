//! The theory of JSON events, asked incrementally by the search.
//!
//! The search's cube grows and shrinks at its end ([`Query::kept`]), and the members of an
//! event constrain each other only through literals about the event itself, an index or a
//! `.*` member (see [`super::tree`]). So the verdict on each member's literals is kept as a
//! stack, one entry per literal, and a question costs solving again only the members that
//! new literals are about (each once), not the whole cube. A member whose literals all
//! hold for a missing value (as a difference's negated literals usually do) needs no
//! solving: missing is the solver's first choice. For a member whose literals are all
//! *plain* (tests of the member's own value that the value solver always decides: no
//! comparison with a number), not even that: the value found last is kept, and a new
//! literal it satisfies leaves the member possible, one added to an impossible member
//! leaves it impossible. And when they are all exact texts (`$.eventName = "X"`, required
//! or excluded), the texts counted decide.
//!
//! The answers are exactly those of [`tree::solve_event`] on the whole cube, which solves
//! each member on its own, in key order, and stops at the first that is impossible or
//! undecided. The value solver decides plain literals exactly, so keeping a value that
//! satisfies them, or an impossibility, cannot change its verdict; and for exact texts the
//! value counted is the one it would find (missing when nothing is required, else the
//! required text). A witness is the object of the members' values in key order, each
//! member solved again unless its value is the solver's own. When a literal is not about
//! a named member, [`tree::solve_event`] is asked.
//!
//! The budget is charged for the members solved, in key order up to the first that fails:
//! never more than solving the whole cube would be.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::canon::{JsonAtom, Operand, PathStep, Test, TextPat};
use crate::eval::json::Found;

use super::hash::HashMap;
use super::search::{Query, Verdict};
use super::tree::{self, Doc};
use super::value::Lit;
use super::{Budget, Event, Stop};

/// The theory's state: what it knows about the cube of the previous question.
pub(crate) struct EventTheory<'a> {
    /// The literals of the cube, with their atom numbers, in cube order.
    placed: Vec<(&'a JsonAtom, u32, bool)>,
    /// The member of each atom (by number): [`UNSEEN`] before the atom is met, [`OTHER`]
    /// when it is not about a named member.
    member_of: Vec<u32>,
    /// How many literals of the cube require each atom (by number) to fail and to hold.
    polarity: Vec<[u32; 2]>,
    /// The members that literals were about, numbered as met.
    members: Vec<Member<'a>>,
    /// Member numbers by key, and the key of the member met last.
    by_key: HashMap<&'a str, u32>,
    last_key: Option<(&'a str, u32)>,
    /// The members with literals in the cube, by key: the whole-event solver's order.
    active: BTreeMap<&'a str, u32>,
    /// Members whose verdict on all their literals may be unknown, to solve when asked:
    /// every such member is listed (some more than once, or solved already).
    dirty: Vec<u32>,
    /// The members whose literals are impossible or undecided, by key: the first decides.
    failing: BTreeMap<&'a str, u32>,
    /// How many literals are not about a named member.
    others: usize,
    /// How many literals have a selector with more than one wildcard.
    too_wild: usize,
    /// A missing value, shared.
    missing: Rc<Option<Doc>>,
}

/// [`EventTheory::member_of`] for an atom not met yet.
const UNSEEN: u32 = u32::MAX;
/// [`EventTheory::member_of`] for an atom not about a named member.
const OTHER: u32 = u32::MAX - 1;

/// The literals about one member, with the verdict on each prefix of them.
struct Member<'a> {
    key: &'a str,
    /// The literals, in cube order, their paths relative to the member.
    lits: Vec<Lit<'a>>,
    /// The verdict on the first `i + 1` literals, for each `i` (`None`: not solved).
    verdicts: Vec<Option<Solved>>,
    /// Whether the member is in [`EventTheory::failing`].
    failing: bool,
    /// How many of the literals are not plain, how many are not exact texts, and how
    /// many fail for a missing value.
    not_plain: usize,
    inexact: usize,
    fail_missing: usize,
    /// The exact texts required by the literals (each atom once, by number).
    required: Vec<(u32, &'a str)>,
}

/// What the literals about a member allow.
enum Solved {
    /// This value (`None`: missing) satisfies them; `own` when it is the value
    /// [`tree::solve_member`] finds for them. Shared by the verdicts that keep it.
    Holds { value: Rc<Option<Doc>>, own: bool },
    /// No value does.
    Fails,
    /// Not decided, and why.
    Undecided(Rc<str>),
}

/// What an atom is about: its member's key (`None`: not a named member), whether it is
/// plain, and the text of an exact-text test.
struct About<'a> {
    key: Option<&'a str>,
    rest: &'a [PathStep],
    plain: bool,
    exact: Option<&'a str>,
    too_wild: bool,
}

impl<'a> About<'a> {
    fn of(atom: &'a JsonAtom) -> About<'a> {
        let path = &atom.path.0;
        let wildcards = path
            .iter()
            .filter(|s| matches!(s, PathStep::AnyIndex | PathStep::AnyKey))
            .count();
        let (key, rest) = match path.split_first() {
            Some((PathStep::Key(key), rest)) if wildcards <= 1 => (Some(key.as_str()), rest),
            _ => (None, &path[..0]),
        };
        // Plain: a test of the member's own value that the value solver always decides,
        // i.e. any test but a comparison with a number (whose endpoints may be too far
        // apart to compare, and whose text may be constrained too).
        let plain = rest.is_empty()
            && !matches!(
                atom.test,
                Test::Eq(Operand::Num(_))
                    | Test::Ne(Operand::Num(_))
                    | Test::Lt(_)
                    | Test::Le(_)
                    | Test::Gt(_)
                    | Test::Ge(_)
            );
        let exact = match &atom.test {
            Test::Eq(Operand::Text(TextPat::Exact(text))) if rest.is_empty() => Some(text.as_str()),
            _ => None,
        };
        About {
            key,
            rest,
            plain,
            exact,
            too_wild: wildcards > 1,
        }
    }
}

/// Does the plain literal `lit` hold for `value` (`None`: missing)? Read as the value
/// solver reads the values it tries.
fn satisfies(value: &Option<Doc>, lit: &Lit<'_>) -> bool {
    match value {
        None => lit.holds_for(&[]),
        Some(Doc::Null) => lit.holds_for(&[Found::Null]),
        Some(Doc::Bool(b)) => lit.holds_for(&[Found::Bool(*b)]),
        Some(Doc::Num(n)) => lit.holds_for(&[Found::Num(n)]),
        Some(Doc::Str(s)) => lit.holds_for(&[Found::Str(Cow::Borrowed(s))]),
        Some(Doc::Arr(_) | Doc::Obj(_)) => lit.holds_for(&[Found::Compound]),
    }
}

impl Member<'_> {
    /// What the literals allow, when they are all exact texts (a scalar has one text, and
    /// a missing value has none): missing when nothing is required, else the one text
    /// required unless it is also excluded. These are the value solver's own choices: it
    /// tries a missing value first, then a string, and only the required text is one.
    fn by_texts(&self, polarity: &[[u32; 2]]) -> Option<Solved> {
        if self.inexact > 0 {
            return None;
        }
        let value = match self.required[..] {
            [] => None,
            [(id, text)] if polarity.get(id as usize).map_or(0, |p| p[0]) == 0 => {
                Some(Doc::Str(text.to_owned()))
            }
            _ => return Some(Solved::Fails),
        };
        Some(Solved::Holds {
            value: Rc::new(value),
            own: true,
        })
    }
}

impl<'a> EventTheory<'a> {
    /// A theory that has been asked nothing yet.
    pub(crate) fn new() -> EventTheory<'a> {
        EventTheory {
            placed: Vec::new(),
            member_of: Vec::new(),
            polarity: Vec::new(),
            members: Vec::new(),
            by_key: HashMap::default(),
            last_key: None,
            active: BTreeMap::new(),
            dirty: Vec::new(),
            failing: BTreeMap::new(),
            others: 0,
            too_wild: 0,
            missing: Rc::new(None),
        }
    }

    /// Is there a JSON object for which every literal of the cube holds or fails as
    /// required? With a witness when one is asked for.
    pub(crate) fn ask(
        &mut self,
        query: Query<'_, 'a, JsonAtom>,
        budget: &mut Budget,
    ) -> Result<Verdict<Event>, Stop> {
        let kept = query.kept.min(self.placed.len());
        while self.placed.len() > kept {
            self.pop();
        }
        let new = query.ids.get(kept..).unwrap_or_default();
        self.placed.reserve(new.len());
        if let Some(&top) = new.iter().max() {
            let atoms = top as usize + 1;
            if self.member_of.len() < atoms {
                self.member_of.resize(atoms, UNSEEN);
                self.polarity.resize(atoms, [0, 0]);
            }
        }
        for (&(atom, positive), &id) in query.cube.iter().zip(query.ids).skip(kept) {
            self.push(atom, id, positive);
        }
        if self.too_wild > 0 {
            return Err(too_wild());
        }
        if self.others > 0 {
            return whole(query.cube, budget);
        }
        self.solve_dirty(budget)?;
        if let Some(&m) = self.failing.values().next() {
            return match self.members[m as usize].verdicts.last() {
                Some(Some(Solved::Undecided(why))) => Err(Stop::Undecided(why.to_string())),
                _ => Ok(Verdict::Unsat),
            };
        }
        match query.witness {
            true => self.witness(query.cube, budget),
            false => Ok(Verdict::Possible),
        }
    }

    /// The object of the members' values, in key order: what [`tree::solve_event`] builds
    /// when every literal is about a named member and every member is possible.
    fn witness(
        &self,
        cube: &[(&JsonAtom, bool)],
        budget: &mut Budget,
    ) -> Result<Verdict<Event>, Stop> {
        let mut fields = Vec::new();
        for &m in self.active.values() {
            let member = &self.members[m as usize];
            let value = match member.verdicts.last() {
                Some(Some(Solved::Holds { value, own: true })) => value.as_ref().clone(),
                _ => match tree::solve_member(&member.lits, budget)? {
                    Some(value) => value,
                    // A member found possible must be: let the whole-event solver answer.
                    None => return whole(cube, budget),
                },
            };
            if let Some(doc) = value {
                fields.push((member.key.to_owned(), doc));
            }
        }
        Ok(Verdict::Sat(Event::Json(Doc::Obj(fields).to_json())))
    }

    /// The member of atom `id` (or [`OTHER`]), numbering the member when it is met first.
    fn member(&mut self, id: u32, about: &About<'a>) -> u32 {
        let i = id as usize;
        if let Some(&m) = self.member_of.get(i).filter(|&&m| m != UNSEEN) {
            return m;
        }
        let m = match about.key {
            None => OTHER,
            Some(key) => match self.last_key {
                Some((last, m)) if last == key => m,
                _ => {
                    let next = self.members.len() as u32;
                    let m = *self.by_key.entry(key).or_insert(next);
                    if m == next {
                        self.members.push(Member {
                            key,
                            lits: Vec::new(),
                            verdicts: Vec::new(),
                            failing: false,
                            not_plain: 0,
                            inexact: 0,
                            fail_missing: 0,
                            required: Vec::new(),
                        });
                    }
                    self.last_key = Some((key, m));
                    m
                }
            },
        };
        if self.member_of.len() <= i {
            self.member_of.resize(i + 1, UNSEEN);
            self.polarity.resize(i + 1, [0, 0]);
        }
        self.member_of[i] = m;
        m
    }

    /// Adds a literal at the end of the cube. The member's verdict is left unsolved unless
    /// it follows from the previous one, or from the exact texts, at once.
    fn push(&mut self, atom: &'a JsonAtom, id: u32, positive: bool) {
        let about = About::of(atom);
        let m = self.member(id, &about);
        self.polarity[id as usize][usize::from(positive)] += 1;
        self.placed.push((atom, id, positive));
        if m == OTHER {
            self.others += 1;
            self.too_wild += usize::from(about.too_wild);
            return;
        }
        let lit = Lit {
            path: about.rest,
            test: &atom.test,
            positive,
        };
        let member = &mut self.members[m as usize];
        member.lits.push(lit);
        member.not_plain += usize::from(!about.plain);
        member.inexact += usize::from(about.exact.is_none());
        member.fail_missing += usize::from(!lit.holds_for(&[]));
        if let (Some(text), true) = (about.exact, positive) {
            if self.polarity[id as usize][1] == 1 {
                member.required.push((id, text));
            }
        }
        let unknown = matches!(member.verdicts.last(), Some(None));
        let solved = match member.verdicts.last() {
            // Missing is the value solver's first choice for a member.
            _ if member.fail_missing == 0 => Some(Solved::Holds {
                value: Rc::clone(&self.missing),
                own: true,
            }),
            _ if member.not_plain > 0 => None,
            Some(Some(Solved::Fails)) => Some(Solved::Fails),
            Some(Some(Solved::Holds { value, .. })) if satisfies(value, &lit) => {
                Some(Solved::Holds {
                    value: Rc::clone(value),
                    own: false,
                })
            }
            _ => member.by_texts(&self.polarity),
        };
        // A member whose verdict was unknown already is listed already.
        if solved.is_none() && !unknown {
            self.dirty.push(m);
        }
        member.verdicts.push(solved);
        self.refresh(m);
    }

    /// Solves the members whose verdict is not known, in key order, up to the first member
    /// that fails: the whole-event solver would solve no further, and it is charged no more
    /// than that solver would be.
    fn solve_dirty(&mut self, budget: &mut Budget) -> Result<(), Stop> {
        let members = &self.members;
        // Last is first.
        self.dirty
            .sort_unstable_by(|&a, &b| members[b as usize].key.cmp(members[a as usize].key));
        self.dirty.dedup();
        while let Some(&m) = self.dirty.last() {
            let member = &mut self.members[m as usize];
            if let Some((&first, _)) = self.failing.first_key_value() {
                if first < member.key {
                    break;
                }
            }
            if let Some(top @ None) = member.verdicts.last_mut() {
                *top = Some(solve(&member.lits, budget)?);
                self.refresh(m);
            }
            self.dirty.pop();
        }
        Ok(())
    }

    /// Removes the last literal of the cube.
    fn pop(&mut self) {
        let Some((atom, id, positive)) = self.placed.pop() else {
            return;
        };
        let about = About::of(atom);
        let m = self.member_of[id as usize];
        let polarity = &mut self.polarity[id as usize];
        polarity[usize::from(positive)] -= 1;
        if m == OTHER {
            self.others -= 1;
            self.too_wild -= usize::from(about.too_wild);
            return;
        }
        let member = &mut self.members[m as usize];
        if let Some(lit) = member.lits.pop() {
            member.fail_missing -= usize::from(!lit.holds_for(&[]));
        }
        let known = matches!(member.verdicts.pop(), Some(Some(_)));
        if known && matches!(member.verdicts.last(), Some(None)) {
            self.dirty.push(m);
        }
        member.not_plain -= usize::from(!about.plain);
        member.inexact -= usize::from(about.exact.is_none());
        if positive && about.exact.is_some() && polarity[1] == 0 {
            if let Some(at) = member.required.iter().position(|&(r, _)| r == id) {
                member.required.swap_remove(at);
            }
        }
        self.refresh(m);
    }

    /// Records whether member `m` has literals, and whether it is failing.
    fn refresh(&mut self, m: u32) {
        let member = &mut self.members[m as usize];
        match member.lits.len() {
            0 => {
                self.active.remove(member.key);
            }
            1 => {
                self.active.insert(member.key, m);
            }
            _ => {}
        }
        let failing = matches!(
            member.verdicts.last(),
            Some(Some(Solved::Fails | Solved::Undecided(_)))
        );
        if failing == member.failing {
            return;
        }
        member.failing = failing;
        match failing {
            true => self.failing.insert(member.key, m),
            false => self.failing.remove(member.key),
        };
    }
}

/// Solves a member's literals from scratch.
fn solve(lits: &[Lit<'_>], budget: &mut Budget) -> Result<Solved, Stop> {
    match tree::solve_member(lits, budget) {
        Ok(Some(value)) => Ok(Solved::Holds {
            value: Rc::new(value),
            own: true,
        }),
        Ok(None) => Ok(Solved::Fails),
        Err(Stop::Undecided(why)) => Ok(Solved::Undecided(why.into())),
        Err(stop) => Err(stop),
    }
}

/// Why a cube with a selector with more than one wildcard is not decided.
fn too_wild() -> Stop {
    Stop::Undecided("a selector with more than one wildcard (AWS allows one)".into())
}

/// The theory asked from scratch: the whole cube solved, with a witness.
fn whole(cube: &[(&JsonAtom, bool)], budget: &mut Budget) -> Result<Verdict<Event>, Stop> {
    if cube.iter().any(|(a, _)| About::of(a).too_wild) {
        return Err(too_wild());
    }
    let lits: Vec<Lit<'_>> = cube
        .iter()
        .map(|(a, p)| Lit {
            path: &a.path.0,
            test: &a.test,
            positive: *p,
        })
        .collect();
    match tree::solve_event(&lits, budget)? {
        Some(doc) => Ok(Verdict::Sat(Event::Json(doc.to_json()))),
        None => Ok(Verdict::Unsat),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::canon::{JsonAtom, Num, Operand, Path, PathStep, Test, TextPat};
    use crate::logic::search::{Query, Verdict};
    use crate::logic::{Budget, Event, Stop};

    use super::{whole, EventTheory};

    /// Atoms over a few members, nested and wildcard paths, and every kind of test.
    fn vocabulary() -> Vec<JsonAtom> {
        let key = |k: &str| PathStep::Key(k.to_owned());
        let paths = [
            vec![key("a")],
            vec![key("b")],
            vec![key("a"), key("c")],
            vec![key("d"), PathStep::Index(1)],
            vec![key("e"), PathStep::AnyIndex],
            vec![PathStep::AnyKey],
            vec![key("f"), PathStep::AnyKey, PathStep::AnyIndex],
        ];
        let text = |t: &str| Operand::Text(TextPat::Exact(t.to_owned()));
        let num = |n: &str| Num::parse(n).unwrap_or_else(Num::zero);
        let tests = [
            Test::Eq(text("x")),
            Test::Eq(text("y")),
            Test::Eq(text("1")),
            Test::Eq(Operand::Text(TextPat::Prefix("x".to_owned()))),
            Test::Ne(text("x")),
            Test::Eq(Operand::Any),
            Test::Eq(Operand::Num(num("1"))),
            Test::Gt(num("0")),
            // With `1`, too far apart to compare exactly: undecided.
            Test::Lt(num("1e9999")),
            Test::IsNull,
            Test::IsTrue,
            Test::NotExists,
        ];
        let mut atoms = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            // The plain members get every test, the others a few.
            let n = if i < 2 { tests.len() } else { 4 };
            for test in tests.iter().skip(i % 3).take(n) {
                atoms.push(JsonAtom {
                    path: Path(path.clone()),
                    test: test.clone(),
                });
            }
        }
        atoms
    }

    /// What the search does to its cube.
    #[derive(Debug, Clone)]
    enum Step {
        Push(usize, bool),
        Ask(bool),
        Truncate(usize),
    }

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let n = vocabulary().len();
        let step = prop_oneof![
            4 => (0..n, any::<bool>()).prop_map(|(a, p)| Step::Push(a, p)),
            2 => any::<bool>().prop_map(Step::Ask),
            1 => (0..8usize).prop_map(Step::Truncate),
        ];
        proptest::collection::vec(step, 0..60)
    }

    /// A verdict as text, to compare.
    fn show(answer: Result<Verdict<Event>, Stop>) -> String {
        match answer {
            Ok(Verdict::Sat(event)) => format!("sat {}", event.message()),
            Ok(Verdict::Possible) => "possible".to_owned(),
            Ok(Verdict::Unsat) => "unsat".to_owned(),
            Err(Stop::Undecided(why)) => format!("undecided: {why}"),
            Err(Stop::Exhausted(_)) => "exhausted".to_owned(),
        }
    }

    proptest! {
        /// Asked incrementally, the theory answers what the whole-event solver answers on
        /// the whole cube, witness included.
        #[test]
        fn prop_incremental_is_whole(steps in steps()) {
            let atoms = vocabulary();
            let mut theory = EventTheory::new();
            let mut cube: Vec<(&JsonAtom, bool)> = Vec::new();
            let mut ids: Vec<u32> = Vec::new();
            let mut kept = 0;
            for step in steps {
                match step {
                    Step::Push(a, p) => {
                        cube.push((&atoms[a], p));
                        ids.push(a as u32);
                    }
                    Step::Truncate(k) => {
                        let len = cube.len().saturating_sub(k);
                        cube.truncate(len);
                        ids.truncate(len);
                        kept = kept.min(len);
                    }
                    Step::Ask(witness) => {
                        let query = Query { cube: &cube, ids: &ids, kept, witness };
                        kept = cube.len();
                        // Without a witness asked for, `Sat` and `Possible` say the same.
                        let answer = |verdict| match show(verdict) {
                            s if !witness && s.starts_with("sat ") => "possible".to_owned(),
                            s => s,
                        };
                        let got = answer(theory.ask(query, &mut Budget::new(1_000_000)));
                        let want = answer(whole(&cube, &mut Budget::new(1_000_000)));
                        prop_assert_eq!(got, want, "cube {:?}", cube);
                    }
                }
            }
        }
    }
}
