//! The boolean search: finding the conjunctions of literals (cubes) that make a formula
//! true, and asking the theory whether each is possible.
//!
//! The formula is put in negation normal form (the language has no negation, so only the
//! negated side of `a ∧ ¬b` needs De Morgan). The search takes every literal and
//! conjunction first and branches only on disjunctions, depth first, checking the partial
//! cube before each branch so that impossible branches are cut early. Every step is
//! charged to the budget: a formula with exponentially many cubes ends in `Unknown`, never
//! in a hang.

use crate::canon::{Formula, FormulaKind};

use super::{Budget, Stop};

/// A formula in negation normal form over atoms `A`.
#[derive(Debug)]
pub(crate) enum Nnf<'a, A> {
    Lit(&'a A, bool),
    And(Vec<Nnf<'a, A>>),
    Or(Vec<Nnf<'a, A>>),
}

impl<'a, A> Nnf<'a, A> {
    /// `formula` (when `positive`) or its negation.
    pub(crate) fn of(formula: &'a Formula<A>, positive: bool) -> Nnf<'a, A> {
        match (formula.kind(), positive) {
            (FormulaKind::Atom(a), _) => Nnf::Lit(a, positive),
            (FormulaKind::And(ops), true) | (FormulaKind::Or(ops), false) => {
                Nnf::And(ops.iter().map(|f| Nnf::of(f, positive)).collect())
            }
            (FormulaKind::Or(ops), true) | (FormulaKind::And(ops), false) => {
                Nnf::Or(ops.iter().map(|f| Nnf::of(f, positive)).collect())
            }
        }
    }
}

/// The theory: what a cube of literals allows.
pub(crate) type Theory<'t, 'a, A, W> =
    dyn FnMut(&[(&'a A, bool)], &mut Budget) -> Result<Verdict<W>, Stop> + 't;

/// What the theory says about a cube.
pub(crate) enum Verdict<W> {
    /// Possible, with a witness.
    Sat(W),
    /// Impossible.
    Unsat,
}

/// Finds up to `want` witnesses of the conjunction of `parts`. Returns the witnesses, and
/// the reason a cube was left undecided, if any (then an empty list proves nothing).
pub(crate) fn witnesses<'a, A, W: PartialEq>(
    parts: &[&'a Nnf<'a, A>],
    want: usize,
    budget: &mut Budget,
    theory: &mut Theory<'_, 'a, A, W>,
) -> Result<(Vec<W>, Option<String>), Stop> {
    let mut search = Search {
        want,
        found: Vec::new(),
        undecided: None,
        theory,
    };
    let mut cube = Vec::new();
    let agenda: Vec<&Nnf<'a, A>> = parts.to_vec();
    search.dfs(agenda, &mut cube, budget)?;
    Ok((search.found, search.undecided))
}

struct Search<'t, 'a, A, W> {
    want: usize,
    found: Vec<W>,
    undecided: Option<String>,
    theory: &'t mut Theory<'t, 'a, A, W>,
}

impl<'a, A, W: PartialEq> Search<'_, 'a, A, W> {
    fn done(&self) -> bool {
        self.found.len() >= self.want
    }

    /// Ask the theory about `cube`; `Ok(true)` when the cube may be extended.
    fn check(
        &mut self,
        cube: &[(&'a A, bool)],
        record: bool,
        budget: &mut Budget,
    ) -> Result<bool, Stop> {
        match (self.theory)(cube, budget) {
            Ok(Verdict::Sat(w)) => {
                if record && !self.found.contains(&w) {
                    self.found.push(w);
                }
                Ok(true)
            }
            Ok(Verdict::Unsat) => Ok(false),
            Err(Stop::Undecided(why)) => {
                self.undecided.get_or_insert(why);
                Ok(!record)
            }
            Err(stop) => Err(stop),
        }
    }

    fn dfs(
        &mut self,
        mut agenda: Vec<&'a Nnf<'a, A>>,
        cube: &mut Vec<(&'a A, bool)>,
        budget: &mut Budget,
    ) -> Result<(), Stop>
    where
        A: 'a,
    {
        let mark = cube.len();
        let mut ors: Vec<&'a Nnf<'a, A>> = Vec::new();
        while let Some(node) = agenda.pop() {
            budget.spend(1)?;
            match node {
                Nnf::Lit(a, p) => cube.push((*a, *p)),
                Nnf::And(ops) => agenda.extend(ops.iter()),
                Nnf::Or(ops) if ops.len() == 1 => agenda.extend(ops.iter()),
                Nnf::Or(ops) if ops.is_empty() => {
                    cube.truncate(mark);
                    return Ok(());
                }
                Nnf::Or(_) => ors.push(node),
            }
        }
        let Some((first, rest)) = ors.split_first() else {
            self.check(cube, true, budget)?;
            cube.truncate(mark);
            return Ok(());
        };
        if !self.check(cube, false, budget)? {
            cube.truncate(mark);
            return Ok(());
        }
        if let Nnf::Or(options) = first {
            for option in options {
                if self.done() {
                    break;
                }
                let mut next: Vec<&'a Nnf<'a, A>> = rest.to_vec();
                next.push(option);
                self.dfs(next, cube, budget)?;
            }
        }
        cube.truncate(mark);
        Ok(())
    }
}
