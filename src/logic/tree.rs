//! A conjunction of literals about a JSON event, solved exactly: is there a JSON object
//! for which every literal holds, and which one (with as few fields as possible)?
//!
//! Literals are grouped by their paths into a tree. Each node is given the first kind of
//! value, in the order missing, string, number, boolean, null, object, array, that its own
//! literals and all of its children allow: a scalar, `null` or a missing node forces
//! every path below it to be missing; an object admits key children, an array index
//! children. Siblings never constrain each other, so the greedy choice is exact.
//!
//! Wildcards: the literals below `[*]` or `.*` are about *some* element (a test required
//! to hold, or `NOT EXISTS` required to fail) or about *every* element (the others). Each
//! "some" literal gets an element of its own, every element (named ones too) obeys the
//! "every" literals, and gaps in arrays are filled with an element that obeys them.

use std::collections::BTreeMap;

use crate::canon::{PathStep, Test};
use crate::eval::json::Found;

use super::value::{self, Lit, Scalar};
use super::{Budget, Stop};

/// A JSON value built as a witness, keeping number texts exactly as chosen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Doc {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Doc>),
    Obj(Vec<(String, Doc)>),
}

impl Doc {
    /// Compact JSON text.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Num(n) => out.push_str(n),
            Doc::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Doc::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Doc::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Solves literals about a whole event, which must be a JSON object.
pub(crate) fn solve_event(lits: &[Lit<'_>], budget: &mut Budget) -> Result<Option<Doc>, Stop> {
    let groups = Groups::of(lits)?;
    if !groups.here.iter().all(|l| l.holds_for(&[Found::Compound])) {
        return Ok(None);
    }
    object(&groups, budget, 0)
}

/// Solves the literals about one member of an event (paths relative to the member), as
/// [`solve_event`] does for each member when no literal is about the event itself, an
/// index or a `.*` member: `Some(None)` when the member may be missing, `None` when no
/// value satisfies them.
pub(crate) fn solve_member(
    lits: &[Lit<'_>],
    budget: &mut Budget,
) -> Result<Option<Option<Doc>>, Stop> {
    node(lits, false, budget, 1)
}

/// The literals at one node: those about the node itself, and those about each child.
struct Groups<'a> {
    here: Vec<Lit<'a>>,
    children: BTreeMap<&'a PathStep, Vec<Lit<'a>>>,
}

impl<'a> Groups<'a> {
    fn of(lits: &[Lit<'a>]) -> Result<Groups<'a>, Stop> {
        let mut here = Vec::new();
        let mut children: BTreeMap<&'a PathStep, Vec<Lit<'a>>> = BTreeMap::new();
        for lit in lits {
            match lit.path.split_first() {
                None => here.push(*lit),
                Some((step, rest)) => children
                    .entry(step)
                    .or_default()
                    .push(Lit { path: rest, ..*lit }),
            }
        }
        Ok(Groups { here, children })
    }

    /// True when every literal below this node holds with the node's children missing.
    fn children_may_be_missing(&self) -> bool {
        self.children.values().flatten().all(|l| l.holds_for(&[]))
    }

    fn may_be_missing(&self, steps: impl Fn(&PathStep) -> bool) -> bool {
        self.children
            .iter()
            .filter(|(s, _)| steps(s))
            .flat_map(|(_, l)| l)
            .all(|l| l.holds_for(&[]))
    }
}

const MAX_DEPTH: usize = 256;

/// Solves the literals about one node (paths relative to it).
fn node(
    lits: &[Lit<'_>],
    must_exist: bool,
    budget: &mut Budget,
    depth: usize,
) -> Result<Option<Option<Doc>>, Stop> {
    if depth > MAX_DEPTH {
        return Err(Stop::Undecided("selectors nested too deeply".into()));
    }
    budget.spend(lits.len() as u64 + 1)?;
    let groups = Groups::of(lits)?;
    let mut undecided = None;
    if groups.children_may_be_missing() {
        match value::scalar(&groups.here, !must_exist, budget) {
            Ok(Some(s)) => return Ok(scalar_doc(s)),
            Ok(None) => {}
            Err(Stop::Undecided(why)) => undecided = Some(why),
            Err(stop) => return Err(stop),
        }
    }
    if groups.here.iter().all(|l| l.holds_for(&[Found::Compound])) {
        for attempt in [
            object(&groups, budget, depth),
            array(&groups, budget, depth),
        ] {
            match attempt {
                Ok(Some(doc)) => return Ok(Some(Some(doc))),
                Ok(None) => {}
                Err(Stop::Undecided(why)) => undecided = Some(why),
                Err(stop) => return Err(stop),
            }
        }
    }
    match undecided {
        Some(why) => Err(Stop::Undecided(why)),
        None => Ok(None),
    }
}

fn scalar_doc(s: Scalar) -> Option<Option<Doc>> {
    Some(match s {
        Scalar::Missing => None,
        Scalar::Null => Some(Doc::Null),
        Scalar::Bool(b) => Some(Doc::Bool(b)),
        Scalar::Num(n) => Some(Doc::Num(n)),
        Scalar::Str(s) => Some(Doc::Str(s)),
    })
}

/// Splits the literals below a wildcard into "some element" and "every element" ones.
fn split_wildcard<'a>(lits: &[Lit<'a>]) -> (Vec<Lit<'a>>, Vec<Lit<'a>>) {
    lits.iter()
        .partition(|l| l.positive != matches!(l.test, Test::NotExists))
}

/// The node as an object: key children, and `.*` members.
fn object(groups: &Groups<'_>, budget: &mut Budget, depth: usize) -> Result<Option<Doc>, Stop> {
    if !groups.may_be_missing(|s| matches!(s, PathStep::Index(_) | PathStep::AnyIndex)) {
        return Ok(None);
    }
    let empty = Vec::new();
    let wild = groups.children.get(&PathStep::AnyKey).unwrap_or(&empty);
    let (some, every) = split_wildcard(wild);
    let mut members = Vec::new();
    for (step, lits) in &groups.children {
        let PathStep::Key(key) = step else { continue };
        let with_every;
        let all: &[Lit<'_>] = if every.is_empty() {
            lits
        } else {
            with_every = [&lits[..], &every[..]].concat();
            &with_every
        };
        match node(all, false, budget, depth + 1)? {
            None => return Ok(None),
            Some(None) => {}
            Some(Some(doc)) => members.push((key.clone(), doc)),
        }
    }
    let mut fresh = 0usize;
    for lit in &some {
        let mut all = vec![*lit];
        all.extend(every.iter().copied());
        let Some(Some(doc)) = node(&all, true, budget, depth + 1)? else {
            return Ok(None);
        };
        let name = loop {
            let candidate = format!("k{fresh}");
            fresh += 1;
            if !groups
                .children
                .contains_key(&PathStep::Key(candidate.clone()))
            {
                break candidate;
            }
        };
        members.push((name, doc));
    }
    Ok(Some(Doc::Obj(members)))
}

/// The node as an array: index children, and `[*]` elements.
fn array(groups: &Groups<'_>, budget: &mut Budget, depth: usize) -> Result<Option<Doc>, Stop> {
    if !groups.may_be_missing(|s| matches!(s, PathStep::Key(_) | PathStep::AnyKey)) {
        return Ok(None);
    }
    let empty = Vec::new();
    let wild = groups.children.get(&PathStep::AnyIndex).unwrap_or(&empty);
    let (some, every) = split_wildcard(wild);
    let indexed: Vec<(u64, &Vec<Lit<'_>>)> = groups
        .children
        .iter()
        .filter_map(|(s, l)| match s {
            PathStep::Index(n) => Some((*n, l)),
            _ => None,
        })
        .collect();
    // Indices whose literals want an element there.
    let mut wanted_len = 0u64;
    for (n, lits) in &indexed {
        let mut all = (*lits).clone();
        all.extend(every.iter().copied());
        if let Some(Some(_)) = node(&all, false, budget, depth + 1)? {
            wanted_len = wanted_len.max(n + 1);
        }
    }
    if wanted_len > 10_000 {
        return Err(Stop::Undecided(
            "an array index too large to build a witness".into(),
        ));
    }
    // Try every "some" literal in an element of its own, appended after the wanted
    // elements or after every indexed one; and, when a fresh element would force an index
    // that must stay missing, try placing the literals in existing elements.
    let after_all = indexed.iter().map(|(n, _)| n + 1).max().unwrap_or(0);
    let mut bases = vec![wanted_len];
    if after_all > wanted_len && !some.is_empty() {
        bases.push(after_all);
    }
    let n_some = some.len();
    for base in bases {
        let mut placements: Vec<Vec<Option<u64>>> = vec![vec![None; n_some]];
        if n_some > 0 && base > 0 && n_some <= 3 && base <= 16 {
            let choices: Vec<Option<u64>> =
                std::iter::once(None).chain((0..base).map(Some)).collect();
            let mut all = vec![Vec::new()];
            for _ in 0..n_some {
                all = all
                    .into_iter()
                    .flat_map(|p: Vec<Option<u64>>| {
                        choices.iter().map(move |c| [p.clone(), vec![*c]].concat())
                    })
                    .collect();
            }
            placements.extend(all.into_iter().filter(|p| p.iter().any(Option::is_some)));
        }
        for placement in placements {
            budget.spend(1)?;
            if let Some(doc) =
                build_array(&indexed, &some, &every, &placement, base, budget, depth)?
            {
                return Ok(Some(doc));
            }
        }
    }
    Ok(None)
}

/// Builds the array for one placement of the "some" literals (`None`: a fresh element).
#[allow(clippy::too_many_arguments)]
fn build_array(
    indexed: &[(u64, &Vec<Lit<'_>>)],
    some: &[Lit<'_>],
    every: &[Lit<'_>],
    placement: &[Option<u64>],
    wanted_len: u64,
    budget: &mut Budget,
    depth: usize,
) -> Result<Option<Doc>, Stop> {
    let n_fresh = placement.iter().filter(|p| p.is_none()).count() as u64;
    let len = wanted_len + n_fresh;
    let mut items = Vec::new();
    let mut filler: Option<Doc> = None;
    for i in 0..len {
        let mut all: Vec<Lit<'_>> = every.to_vec();
        if let Some((_, lits)) = indexed.iter().find(|(n, _)| *n == i) {
            all.extend(lits.iter().copied());
        }
        if i < wanted_len {
            all.extend(
                some.iter()
                    .zip(placement)
                    .filter(|(_, p)| **p == Some(i))
                    .map(|(l, _)| *l),
            );
        } else {
            let k = (i - wanted_len) as usize;
            let fresh = some
                .iter()
                .zip(placement)
                .filter(|(_, p)| p.is_none())
                .nth(k)
                .map(|(l, _)| *l);
            all.extend(fresh);
        }
        let only_every = all.len() == every.len();
        if only_every {
            if let Some(doc) = &filler {
                items.push(doc.clone());
                continue;
            }
        }
        let Some(Some(doc)) = node(&all, true, budget, depth + 1)? else {
            return Ok(None);
        };
        if only_every {
            filler = Some(doc.clone());
        }
        items.push(doc);
    }
    // Indices at or past the end must accept being missing.
    for (n, lits) in indexed {
        if *n >= len && !lits.iter().all(|l| l.holds_for(&[])) {
            return Ok(None);
        }
    }
    Ok(Some(Doc::Arr(items)))
}
