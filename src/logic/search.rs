//! The boolean search: finding the conjunctions of literals (cubes) that make a formula
//! true, and asking the theory whether each is possible.
//!
//! The formula is put in negation normal form (the language has no negation, so only the
//! negated side of `a ∧ ¬b` needs De Morgan). The search takes every literal and
//! conjunction first and branches only on disjunctions, depth first. Two cheap rules cut
//! branches before the theory is asked: a literal and its complement (the same atom
//! required to hold and to fail), and two different exact values required of one field.
//! A disjunction of exact values of one field is indexed, so when the field's value is
//! already fixed only the matching option is tried: relating lists of eventNames costs
//! `n log n`, not `n²`. The partial cube is checked before each branch; every step is
//! charged to the budget, so a formula with exponentially many cubes ends in `Unknown`,
//! never in a hang.
//!
//! The cube is a stack: each question to the theory says how many of its literals were
//! already in the previous question's cube ([`Query::kept`]), so a theory may keep what it
//! learnt about them and look only at the new ones. Deeply nested patterns then cost a
//! theory step per literal added, not per literal of the cube.

use std::hash::Hash;
use std::marker::PhantomData;

use crate::canon::{Formula, FormulaKind, JsonAtom, Operand, PathStep, Test, TextPat};

use super::hash::HashMap;
use super::{Budget, Stop};

/// What the search needs to know about atoms.
pub(crate) trait SearchAtom: Eq + Hash {
    /// For an atom that fixes a field to one exact text (`$.eventName = "X"`, no
    /// wildcard in the path), the field. Two such atoms of one field are equal exactly
    /// when their texts are, so the search compares their numbers, not their texts.
    fn exact_field(&self) -> Option<&[PathStep]> {
        None
    }
}

impl SearchAtom for JsonAtom {
    fn exact_field(&self) -> Option<&[PathStep]> {
        let concrete = !self
            .path
            .0
            .iter()
            .any(|s| matches!(s, PathStep::AnyIndex | PathStep::AnyKey));
        match &self.test {
            Test::Eq(Operand::Text(TextPat::Exact(_))) if concrete => Some(&self.path.0),
            _ => None,
        }
    }
}

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
    dyn FnMut(Query<'_, 'a, A>, &mut Budget) -> Result<Verdict<W>, Stop> + 't;

/// A question to the theory.
#[derive(Clone, Copy)]
pub(crate) struct Query<'q, 'a, A> {
    /// The literals, each required to hold (`true`) or to fail.
    pub(crate) cube: &'q [(&'a A, bool)],
    /// The number of each literal's atom: equal atoms have equal numbers, and the numbers
    /// are small (below the number of distinct atoms of the search).
    pub(crate) ids: &'q [u32],
    /// How many of the first literals are those of the previous question of the same
    /// search, unchanged (the search only appends literals and removes the last ones).
    pub(crate) kept: usize,
    /// Whether a witness is wanted (the cube is complete) or only whether there is one.
    pub(crate) witness: bool,
}

/// What the theory says about a cube.
pub(crate) enum Verdict<W> {
    /// Possible, with a witness.
    Sat(W),
    /// Possible; only when no witness was asked for.
    Possible,
    /// Impossible.
    Unsat,
}

/// The distinct atoms of a question, numbered by content, and the fields of exact atoms,
/// so that the search itself hashes only pointers. Numbering reads every atom's content,
/// so a question that searches the same formulas several times (`relate`: both
/// differences and the intersection) numbers them once, with [`Atoms::of_formulas`].
pub(crate) struct Atoms<'a, A> {
    /// Atom numbers by address.
    ids: HashMap<*const A, u32>,
    /// The field (by number) of each exact atom (by number).
    exact: Vec<Option<u32>>,
    /// How many fields exact atoms fix.
    n_paths: usize,
    /// The numbers are by address: the formulas must outlive them.
    formulas: PhantomData<&'a A>,
}

impl<'a, A: SearchAtom> Atoms<'a, A> {
    /// Numbers the atoms of `formulas`.
    pub(crate) fn of_formulas(formulas: &[&'a Formula<A>]) -> Atoms<'a, A> {
        let mut stack: Vec<&'a Formula<A>> = formulas.to_vec();
        let mut n = 0;
        while let Some(f) = stack.pop() {
            match f.kind() {
                FormulaKind::Atom(_) => n += 1,
                FormulaKind::And(ops) | FormulaKind::Or(ops) => stack.extend(ops),
            }
        }
        let mut numbering = Numbering::with_capacity(n);
        stack.extend(formulas);
        while let Some(f) = stack.pop() {
            match f.kind() {
                FormulaKind::Atom(a) => numbering.add(a),
                FormulaKind::And(ops) | FormulaKind::Or(ops) => stack.extend(ops),
            }
        }
        numbering.finish()
    }

    /// Numbers the atoms of `parts`.
    fn of_nnfs(parts: &[&'a Nnf<'a, A>]) -> Atoms<'a, A> {
        let mut numbering: Numbering<'a, A> = Numbering::with_capacity(count_lits(parts));
        let mut stack: Vec<&'a Nnf<'a, A>> = parts.to_vec();
        while let Some(node) = stack.pop() {
            match node {
                Nnf::Lit(atom, _) => numbering.add(*atom),
                Nnf::And(ops) | Nnf::Or(ops) => stack.extend(ops.iter()),
            }
        }
        numbering.finish()
    }
}

/// [`Atoms`] being built.
struct Numbering<'a, A> {
    ids: HashMap<*const A, u32>,
    by_content: HashMap<&'a A, u32>,
    paths: HashMap<&'a [PathStep], u32>,
    exact: Vec<Option<u32>>,
}

impl<'a, A: SearchAtom> Numbering<'a, A> {
    fn with_capacity(n: usize) -> Numbering<'a, A> {
        let sized = || std::hash::BuildHasherDefault::default();
        Numbering {
            ids: HashMap::with_capacity_and_hasher(n, sized()),
            by_content: HashMap::with_capacity_and_hasher(n, sized()),
            paths: HashMap::with_capacity_and_hasher(4, sized()),
            exact: Vec::new(),
        }
    }

    fn add(&mut self, atom: &'a A) {
        let address = atom as *const A;
        if self.ids.contains_key(&address) {
            return;
        }
        let next = self.by_content.len() as u32;
        let id = *self.by_content.entry(atom).or_insert(next);
        if id == next {
            let paths = &mut self.paths;
            let fixed = atom.exact_field().map(|path| {
                let next_path = paths.len() as u32;
                *paths.entry(path).or_insert(next_path)
            });
            self.exact.push(fixed);
        }
        self.ids.insert(address, id);
    }

    fn finish(self) -> Atoms<'a, A> {
        Atoms {
            ids: self.ids,
            exact: self.exact,
            n_paths: self.paths.len(),
            formulas: PhantomData,
        }
    }
}

/// Finds up to `want` witnesses of the conjunction of `parts`. Returns the witnesses, and
/// the reason a cube was left undecided, if any (then an empty list proves nothing).
pub(crate) fn witnesses<'a, A: SearchAtom, W: PartialEq>(
    parts: &[&'a Nnf<'a, A>],
    want: usize,
    budget: &mut Budget,
    theory: &mut Theory<'_, 'a, A, W>,
) -> Result<(Vec<W>, Option<String>), Stop> {
    let atoms = Atoms::of_nnfs(parts);
    witnesses_with(parts, &atoms, want, budget, theory)
}

/// [`witnesses`], with the atoms already numbered: `atoms` must hold every atom of `parts`
/// (an atom it lacks would cut its branches).
pub(crate) fn witnesses_with<'a, A: SearchAtom, W: PartialEq>(
    parts: &[&'a Nnf<'a, A>],
    atoms: &Atoms<'a, A>,
    want: usize,
    budget: &mut Budget,
    theory: &mut Theory<'_, 'a, A, W>,
) -> Result<(Vec<W>, Option<String>), Stop> {
    let mut search = Search {
        want,
        found: Vec::new(),
        undecided: None,
        theory,
        cube: Vec::new(),
        cube_ids: Vec::new(),
        asked: 0,
        polarity: vec![[0, 0]; atoms.exact.len()],
        fixed: vec![None; atoms.n_paths],
        ids: &atoms.ids,
        exact: &atoms.exact,
        indexes: HashMap::default(),
    };
    search.dfs(parts.to_vec(), budget)?;
    Ok((search.found, search.undecided))
}

/// The number of literal occurrences in the formulas.
fn count_lits<A>(parts: &[&Nnf<'_, A>]) -> usize {
    let mut n = 0;
    let mut stack: Vec<&Nnf<'_, A>> = parts.to_vec();
    while let Some(node) = stack.pop() {
        match node {
            Nnf::Lit(..) => n += 1,
            Nnf::And(ops) | Nnf::Or(ops) => stack.extend(ops.iter()),
        }
    }
    n
}

/// A disjunction whose options each fix one field to an exact value: the field, and the
/// options by atom (the first option with each atom, each option linked to the next one
/// with the same atom: two allocations, not one per value).
struct OrIndex {
    path: u32,
    first: HashMap<u32, u32>,
    next: Vec<u32>,
}

/// The end of a chain of [`OrIndex::next`].
const NO_OPTION: u32 = u32::MAX;

struct Search<'s, 't, 'a, A, W> {
    want: usize,
    found: Vec<W>,
    undecided: Option<String>,
    theory: &'t mut Theory<'t, 'a, A, W>,
    cube: Vec<(&'a A, bool)>,
    /// The atom number of each literal of the cube.
    cube_ids: Vec<u32>,
    /// How many first literals of the cube the theory was last asked about, unchanged
    /// since: the search lowers it when it removes literals.
    asked: usize,
    /// How often each atom (by number) is in the cube required to fail and to hold.
    polarity: Vec<[u32; 2]>,
    /// The exact atom (by number) each field (by number) is fixed by, and by how many
    /// literals.
    fixed: Vec<Option<(u32, u32)>>,
    /// Atom numbers by address, and the field of exact atoms.
    ids: &'s HashMap<*const A, u32>,
    exact: &'s [Option<u32>],
    indexes: HashMap<*const Nnf<'a, A>, Option<OrIndex>>,
}

impl<'a, A: SearchAtom, W: PartialEq> Search<'_, '_, 'a, A, W> {
    fn done(&self) -> bool {
        self.found.len() >= self.want
    }

    /// Adds a literal; `false` (and nothing added) when it contradicts the cube outright.
    fn push(&mut self, atom: &'a A, positive: bool) -> bool {
        let Some(&id) = self.ids.get(&(atom as *const A)) else {
            return false;
        };
        let i = id as usize;
        if self.polarity[i][usize::from(!positive)] > 0 {
            return false;
        }
        if positive {
            if let Some(path) = self.exact[i] {
                match &mut self.fixed[path as usize] {
                    Some((by, _)) if *by != id => return false,
                    Some((_, n)) => *n += 1,
                    slot @ None => *slot = Some((id, 1)),
                }
            }
        }
        self.polarity[i][usize::from(positive)] += 1;
        self.cube.push((atom, positive));
        self.cube_ids.push(id);
        true
    }

    /// Removes the literals added after `mark`.
    fn truncate(&mut self, mark: usize) {
        self.asked = self.asked.min(mark);
        while self.cube.len() > mark {
            let (Some((_, positive)), Some(id)) = (self.cube.pop(), self.cube_ids.pop()) else {
                break;
            };
            let i = id as usize;
            self.polarity[i][usize::from(positive)] -= 1;
            if let (true, Some(path)) = (positive, self.exact[i]) {
                let slot = &mut self.fixed[path as usize];
                if let Some((_, n)) = slot {
                    *n -= 1;
                    if *n == 0 {
                        *slot = None;
                    }
                }
            }
        }
    }

    /// Ask the theory about the cube; `Ok(true)` when the cube may be extended.
    fn check(&mut self, record: bool, budget: &mut Budget) -> Result<bool, Stop> {
        let query = Query {
            cube: &self.cube,
            ids: &self.cube_ids,
            kept: self.asked,
            witness: record,
        };
        self.asked = self.cube.len();
        match (self.theory)(query, budget) {
            Ok(Verdict::Sat(w)) => {
                if record && !self.found.contains(&w) {
                    self.found.push(w);
                }
                Ok(true)
            }
            Ok(Verdict::Possible) => Ok(true),
            Ok(Verdict::Unsat) => Ok(false),
            Err(Stop::Undecided(why)) => {
                self.undecided.get_or_insert(why);
                Ok(!record)
            }
            Err(stop) => Err(stop),
        }
    }

    /// The options of a disjunction worth trying given the cube: all of them, or, for an
    /// indexed disjunction on a field whose value is fixed, only the matching ones.
    fn options(&mut self, node: &'a Nnf<'a, A>) -> Vec<&'a Nnf<'a, A>> {
        let Nnf::Or(options) = node else {
            return Vec::new();
        };
        let (ids, exact) = (self.ids, self.exact);
        let index = self
            .indexes
            .entry(node as *const _)
            .or_insert_with(|| index_of(options, ids, exact));
        let Some(index) = index else {
            return options.iter().collect();
        };
        let Some((by, _)) = self.fixed.get(index.path as usize).copied().flatten() else {
            return options.iter().collect();
        };
        let mut matching = Vec::new();
        let mut at = index.first.get(&by).copied().unwrap_or(NO_OPTION);
        while let Some(option) = options.get(at as usize) {
            matching.push(option);
            at = index.next.get(at as usize).copied().unwrap_or(NO_OPTION);
        }
        matching
    }

    fn dfs(&mut self, mut agenda: Vec<&'a Nnf<'a, A>>, budget: &mut Budget) -> Result<(), Stop> {
        let mark = self.cube.len();
        let mut ors: Vec<&'a Nnf<'a, A>> = Vec::new();
        while let Some(node) = agenda.pop() {
            budget.spend(1)?;
            match node {
                Nnf::Lit(a, p) => {
                    if !self.push(a, *p) {
                        self.truncate(mark);
                        return Ok(());
                    }
                }
                Nnf::And(ops) => agenda.extend(ops.iter()),
                Nnf::Or(ops) if ops.len() == 1 => agenda.extend(ops.iter()),
                Nnf::Or(ops) if ops.is_empty() => {
                    self.truncate(mark);
                    return Ok(());
                }
                Nnf::Or(_) => ors.push(node),
            }
        }
        if ors.is_empty() {
            self.check(true, budget)?;
            self.truncate(mark);
            return Ok(());
        }
        // Branch first on the disjunction with the fewest options left to try.
        let mut best = 0;
        let mut best_options = self.options(ors[0]);
        for (i, &or) in ors.iter().enumerate().skip(1) {
            if best_options.len() <= 1 {
                break;
            }
            let options = self.options(or);
            if options.len() < best_options.len() {
                best = i;
                best_options = options;
            }
        }
        ors.swap_remove(best);
        if best_options.len() > 1 && !self.check(false, budget)? {
            self.truncate(mark);
            return Ok(());
        }
        for option in best_options {
            if self.done() {
                break;
            }
            let mut next = ors.clone();
            next.push(option);
            self.dfs(next, budget)?;
        }
        self.truncate(mark);
        Ok(())
    }
}

/// Indexes a disjunction whose options are all exact values of one field.
fn index_of<'a, A>(
    options: &'a [Nnf<'a, A>],
    ids: &HashMap<*const A, u32>,
    exact: &[Option<u32>],
) -> Option<OrIndex> {
    let n = u32::try_from(options.len())
        .ok()
        .filter(|&n| n < NO_OPTION)?;
    if !options.iter().all(|o| matches!(o, Nnf::Lit(_, true))) {
        return None;
    }
    let mut path: Option<u32> = None;
    let mut first: HashMap<u32, u32> =
        HashMap::with_capacity_and_hasher(options.len(), Default::default());
    let mut next = vec![NO_OPTION; options.len()];
    // Backwards, so that each chain lists its options in order.
    for (i, option) in (0..n).zip(options).rev() {
        let Nnf::Lit(atom, true) = option else {
            return None;
        };
        let id = *ids.get(&(*atom as *const A))?;
        let p = exact.get(id as usize).copied().flatten()?;
        match path {
            Some(existing) if existing != p => return None,
            _ => path = Some(p),
        }
        if let Some(later) = first.insert(id, i) {
            next[i as usize] = later;
        }
    }
    path.map(|path| OrIndex { path, first, next })
}
