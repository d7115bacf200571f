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

use std::hash::Hash;

use crate::fxhash::FxHashMap as HashMap;

use crate::canon::{Formula, FormulaKind, JsonAtom, Operand, PathStep, Test, TextPat};

use super::{Budget, Stop};

/// What the search needs to know about atoms.
pub(crate) trait SearchAtom: Eq + Hash {
    /// For an atom that fixes a field to one exact text (`$.eventName = "X"`, no
    /// wildcard in the path), the field and the text.
    fn exact(&self) -> Option<(&[PathStep], &str)> {
        None
    }
}

impl SearchAtom for JsonAtom {
    fn exact(&self) -> Option<(&[PathStep], &str)> {
        let concrete = !self
            .path
            .0
            .iter()
            .any(|s| matches!(s, PathStep::AnyIndex | PathStep::AnyKey));
        match &self.test {
            Test::Eq(Operand::Text(TextPat::Exact(v))) if concrete => Some((&self.path.0, v)),
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
pub(crate) fn witnesses<'a, A: SearchAtom, W: PartialEq>(
    parts: &[&'a Nnf<'a, A>],
    want: usize,
    budget: &mut Budget,
    theory: &mut Theory<'_, 'a, A, W>,
) -> Result<(Vec<W>, Option<String>), Stop> {
    // Number the distinct atoms (by content) and the fields of exact atoms once, so that
    // the search itself hashes only pointers.
    let n_lits = count_lits(parts);
    let sized = || std::hash::BuildHasherDefault::default();
    let mut ids: HashMap<*const A, u32> = HashMap::with_capacity_and_hasher(n_lits, sized());
    let mut by_content: HashMap<&'a A, u32> = HashMap::with_capacity_and_hasher(n_lits, sized());
    let mut paths: HashMap<&'a [PathStep], u32> = HashMap::with_capacity_and_hasher(4, sized());
    let mut exact: Vec<Option<(u32, &'a str)>> = Vec::new();
    let mut stack: Vec<&'a Nnf<'a, A>> = parts.to_vec();
    while let Some(node) = stack.pop() {
        match node {
            Nnf::Lit(atom, _) => {
                if ids.contains_key(&(*atom as *const A)) {
                    continue;
                }
                let next = by_content.len() as u32;
                let id = *by_content.entry(atom).or_insert(next);
                if id == next {
                    let fixed = atom.exact().map(|(path, value)| {
                        let next_path = paths.len() as u32;
                        (*paths.entry(path).or_insert(next_path), value)
                    });
                    exact.push(fixed);
                }
                ids.insert(*atom as *const A, id);
            }
            Nnf::And(ops) | Nnf::Or(ops) => stack.extend(ops.iter()),
        }
    }
    let mut search = Search {
        want,
        found: Vec::new(),
        undecided: None,
        theory,
        cube: Vec::new(),
        cube_ids: Vec::new(),
        polarity: vec![[0, 0]; exact.len()],
        fixed: vec![None; paths.len()],
        ids,
        exact,
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
/// options by value.
type OrIndex<'a> = Option<(u32, HashMap<&'a str, Vec<usize>>)>;

struct Search<'t, 'a, A, W> {
    want: usize,
    found: Vec<W>,
    undecided: Option<String>,
    theory: &'t mut Theory<'t, 'a, A, W>,
    cube: Vec<(&'a A, bool)>,
    /// The atom number of each literal of the cube.
    cube_ids: Vec<u32>,
    /// How often each atom (by number) is in the cube required to fail and to hold.
    polarity: Vec<[u32; 2]>,
    /// The exact text each field (by number) is fixed to, and by how many literals.
    fixed: Vec<Option<(&'a str, u32)>>,
    /// Atom numbers by address, and the field and text of exact atoms.
    ids: HashMap<*const A, u32>,
    exact: Vec<Option<(u32, &'a str)>>,
    indexes: HashMap<*const Nnf<'a, A>, OrIndex<'a>>,
}

impl<'a, A: SearchAtom, W: PartialEq> Search<'_, 'a, A, W> {
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
            if let Some((path, value)) = self.exact[i] {
                match &mut self.fixed[path as usize] {
                    Some((v, _)) if *v != value => return false,
                    Some((_, n)) => *n += 1,
                    slot @ None => *slot = Some((value, 1)),
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
        while self.cube.len() > mark {
            let (Some((_, positive)), Some(id)) = (self.cube.pop(), self.cube_ids.pop()) else {
                break;
            };
            let i = id as usize;
            self.polarity[i][usize::from(positive)] -= 1;
            if let (true, Some((path, _))) = (positive, self.exact[i]) {
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
        match (self.theory)(&self.cube, budget) {
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

    /// The options of a disjunction worth trying given the cube: all of them, or, for an
    /// indexed disjunction on a field whose value is fixed, only the matching ones.
    fn options(&mut self, node: &'a Nnf<'a, A>) -> Vec<&'a Nnf<'a, A>> {
        let Nnf::Or(options) = node else {
            return Vec::new();
        };
        let (ids, exact) = (&self.ids, &self.exact);
        let index = self
            .indexes
            .entry(node as *const _)
            .or_insert_with(|| index_of(options, ids, exact));
        match index {
            Some((path, by_value)) => match self.fixed.get(*path as usize).copied().flatten() {
                Some((value, _)) => by_value
                    .get(value)
                    .map_or(Vec::new(), |ix| ix.iter().map(|&i| &options[i]).collect()),
                None => options.iter().collect(),
            },
            None => options.iter().collect(),
        }
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
    exact: &[Option<(u32, &'a str)>],
) -> OrIndex<'a> {
    let mut path: Option<u32> = None;
    let mut by_value: HashMap<&'a str, Vec<usize>> = HashMap::default();
    for (i, option) in options.iter().enumerate() {
        let Nnf::Lit(atom, true) = option else {
            return None;
        };
        let id = *ids.get(&(*atom as *const A))?;
        let (p, v) = exact.get(id as usize).copied().flatten()?;
        match path {
            Some(existing) if existing != p => return None,
            _ => path = Some(p),
        }
        by_value.entry(v).or_default().push(i);
    }
    path.map(|p| (p, by_value))
}
