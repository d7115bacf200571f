//! Boolean formulas in canonical form.
//!
//! Invariant (enforced by the constructors, the only way to build a [`Formula`]): an `And`
//! or `Or` has at least two operands, none of which is a node of the same operator
//! (flattened); the operands are sorted by the total order of [`Formula`] and contain no
//! duplicates; absorbed operands are removed (`a || (a && b)` is `a`). So two formulas that
//! differ only in operand order, grouping, parentheses or repetition are `==`.

use serde::Serialize;

/// A canonical boolean formula over atoms `A`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Formula<A> {
    kind: FormulaKind<A>,
}

/// The shape of a [`Formula`], for inspection. There is intentionally no way to turn a
/// `FormulaKind` back into a `Formula`: use the constructors.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormulaKind<A> {
    /// A single atom.
    Atom(A),
    /// All operands hold (two or more, sorted, distinct, none an `And`).
    And(Vec<Formula<A>>),
    /// Some operand holds (two or more, sorted, distinct, none an `Or`).
    Or(Vec<Formula<A>>),
}

impl<A: Ord + Clone> Formula<A> {
    /// A formula of one atom.
    pub fn atom(atom: A) -> Formula<A> {
        Formula {
            kind: FormulaKind::Atom(atom),
        }
    }

    /// The conjunction of `first` and `rest`: flattened, sorted, deduplicated and absorbed;
    /// a single remaining operand is returned as is.
    pub fn and(first: Formula<A>, rest: impl IntoIterator<Item = Formula<A>>) -> Formula<A> {
        Formula::join(true, first, rest)
    }

    /// The disjunction of `first` and `rest`, normalised like [`Formula::and`].
    pub fn or(first: Formula<A>, rest: impl IntoIterator<Item = Formula<A>>) -> Formula<A> {
        Formula::join(false, first, rest)
    }

    fn join(
        is_and: bool,
        first: Formula<A>,
        rest: impl IntoIterator<Item = Formula<A>>,
    ) -> Formula<A> {
        let rest = rest.into_iter();
        let mut operands = Vec::with_capacity(1 + rest.size_hint().0);
        operands.push(first);
        operands.extend(rest);
        Formula::join_all(is_and, operands)
            // Sorting, deduplicating and absorbing never empty a non-empty vector.
            .unwrap_or_else(|| unreachable!("join_all of a non-empty vector"))
    }

    /// The conjunction (`is_and`) or disjunction of `operands`, normalised like
    /// [`Formula::and`]; `None` when there are none. Takes the vector as it is when no
    /// operand needs flattening.
    pub(crate) fn join_all(is_and: bool, mut operands: Vec<Formula<A>>) -> Option<Formula<A>> {
        let nested = |f: &Formula<A>| match f.kind {
            FormulaKind::And(_) => is_and,
            FormulaKind::Or(_) => !is_and,
            FormulaKind::Atom(_) => false,
        };
        if operands.iter().any(nested) {
            // The nested operands' own operands are sorted and distinct already (the
            // invariant): merge them, in linear time, with the others sorted. (Sorting all
            // of them again made lowering `a && (b && (c && ...))` quadratic.)
            let mut loose = Vec::new();
            let mut runs = Vec::new();
            for f in operands {
                match f.kind {
                    FormulaKind::And(inner) if is_and => runs.push(inner),
                    FormulaKind::Or(inner) if !is_and => runs.push(inner),
                    kind => loose.push(Formula { kind }),
                }
            }
            sort_dedup(&mut loose);
            operands = runs.into_iter().fold(loose, merge_sorted);
        } else {
            sort_dedup(&mut operands);
        }
        absorb(is_and, &mut operands);
        if operands.len() <= 1 {
            return operands.pop();
        }
        let kind = match is_and {
            true => FormulaKind::And(operands),
            false => FormulaKind::Or(operands),
        };
        Some(Formula { kind })
    }
}

impl<A> Formula<A> {
    /// The formula's shape.
    pub fn kind(&self) -> &FormulaKind<A> {
        &self.kind
    }

    /// The same formula over borrowed atoms, for building others from it without copying
    /// its atoms. (Still canonical: `&A` is ordered as `A` is.)
    pub(crate) fn borrowed(&self) -> Formula<&A> {
        let kind = match &self.kind {
            FormulaKind::Atom(a) => FormulaKind::Atom(a),
            FormulaKind::And(ops) => FormulaKind::And(ops.iter().map(Formula::borrowed).collect()),
            FormulaKind::Or(ops) => FormulaKind::Or(ops.iter().map(Formula::borrowed).collect()),
        };
        Formula { kind }
    }

    /// The atoms, left to right.
    pub fn atoms(&self) -> Vec<&A> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match &f.kind {
                FormulaKind::Atom(a) => out.push(a),
                FormulaKind::And(ops) | FormulaKind::Or(ops) => stack.extend(ops.iter().rev()),
            }
        }
        out
    }
}

impl<A: Clone> Formula<&A> {
    /// The same formula over copies of its atoms: the inverse of [`Formula::borrowed`].
    pub(crate) fn cloned(&self) -> Formula<A> {
        let kind = match &self.kind {
            FormulaKind::Atom(a) => FormulaKind::Atom((*a).clone()),
            FormulaKind::And(ops) => FormulaKind::And(ops.iter().map(Formula::cloned).collect()),
            FormulaKind::Or(ops) => FormulaKind::Or(ops.iter().map(Formula::cloned).collect()),
        };
        Formula { kind }
    }
}

/// Sorts `items` and removes the later of adjacent equal ones: `sort` then `dedup`.
///
/// A short vector (a typical pattern's `||` list) is sorted by binary insertion, which
/// compares about `n log n` times instead of insertion sort's `n² / 4` (comparing formulas is
/// what costs). The sorted part has no duplicates, so the search finds an element equal to
/// the new one, which is then dropped (as `dedup` would drop it after a stable sort), or
/// where it goes.
fn sort_dedup<T: Ord>(items: &mut Vec<T>) {
    const SHORT: usize = 32;
    if items.len() > SHORT {
        items.sort();
        items.dedup();
        return;
    }
    let mut sorted = 1;
    for i in 1..items.len() {
        let (done, rest) = items.split_at(i);
        let Err(at) = done[..sorted].binary_search(&rest[0]) else {
            continue;
        };
        items[sorted..=i].rotate_right(1);
        items[at..=sorted].rotate_right(1);
        sorted += 1;
    }
    items.truncate(sorted);
}

/// The union of two sorted vectors without duplicates, sorted, without duplicates.
fn merge_sorted<T: Ord>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => match x.cmp(y) {
                std::cmp::Ordering::Less => a.next(),
                std::cmp::Ordering::Greater => b.next(),
                std::cmp::Ordering::Equal => {
                    b.next();
                    a.next()
                }
            },
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(x) => out.push(x),
            None => return out,
        }
    }
}

/// Removes operands absorbed by another: in an `Or`, an `And` that contains some other
/// operand (all of that operand's conjuncts); dually in an `And`.
fn absorb<A: Ord>(is_and: bool, operands: &mut Vec<Formula<A>>) {
    // Only a compound of the other operator can be absorbed.
    if operands
        .iter()
        .all(|f| matches!(f.kind, FormulaKind::Atom(_)))
    {
        return;
    }
    let mut keep = vec![true; operands.len()];
    for (i, candidate) in operands.iter().enumerate() {
        let parts = match (&candidate.kind, is_and) {
            (FormulaKind::Or(parts), true) | (FormulaKind::And(parts), false) => parts,
            _ => continue,
        };
        let absorbed = operands.iter().enumerate().any(|(j, other)| {
            if i == j || !keep[j] {
                return false;
            }
            match (&other.kind, is_and) {
                // `other` is itself a compound of the inner operator: absorbed when all of
                // its parts occur in `parts`.
                (FormulaKind::Or(sub), true) | (FormulaKind::And(sub), false) => {
                    sub.len() < parts.len() && sub.iter().all(|s| parts.binary_search(s).is_ok())
                }
                _ => parts.binary_search(other).is_ok(),
            }
        });
        if absorbed {
            keep[i] = false;
        }
    }
    let mut flags = keep.into_iter();
    operands.retain(|_| flags.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::sort_dedup;

    /// `sort_dedup` is `sort` then `dedup`, for short vectors (binary insertion) and long ones.
    #[test]
    fn sort_dedup_is_sort_then_dedup() {
        let mut seed = 7_u64;
        for len in (0..40).chain([100, 300]) {
            for _ in 0..20 {
                let items: Vec<u64> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        (seed >> 33) % 16
                    })
                    .collect();
                let mut expected = items.clone();
                expected.sort();
                expected.dedup();
                let mut got = items;
                sort_dedup(&mut got);
                assert_eq!(got, expected);
            }
        }
    }
}
