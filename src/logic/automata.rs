//! Regular languages of texts, decided exactly with automata.
//!
//! Every string test of the language is regular: equality, prefix, suffix, containment,
//! a `%regex%` search, and "is a number" in either number syntax. A conjunction of such
//! tests and their negations is satisfiable when the product of their automata has an
//! accepting state; the shortest text reaching one is the witness.
//!
//! Automata work over an alphabet of character *blocks*: the coarsest partition of all
//! Unicode scalar values that every class in the constraints respects, so each block
//! behaves as one character. DFAs are built lazily from Thompson NFAs (subset construction
//! on demand) and the product is explored breadth-first, so only reachable states cost
//! anything, and every step is charged to the [`Budget`].

use std::collections::VecDeque;

use crate::fxhash::FxHashMap as HashMap;

use crate::canon::TextPat;
use crate::regex::{Atom, CharClass, Regex};

use super::Budget;

/// Which number syntax a text must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberSyntax {
    /// JSON numbers: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    Json,
    /// Filter-pattern numbers (and space-delimited fields read as numbers):
    /// `[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    Pattern,
}

/// A regular language of texts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lang<'a> {
    /// Texts matching a string pattern (`abc`, `abc*`, `*abc`, `*abc*`).
    Text(&'a TextPat),
    /// Texts in which a regex search succeeds.
    Regex(&'a Regex),
    /// Texts that are numbers in the given syntax.
    Number(NumberSyntax),
}

impl Lang<'_> {
    /// Direct membership, without automata.
    pub(crate) fn contains(&self, text: &str) -> bool {
        match self {
            Lang::Text(pat) => crate::eval::text_matches(pat, text),
            Lang::Regex(re) => re.is_match(text),
            Lang::Number(NumberSyntax::Pattern) => crate::canon::Num::parse(text).is_some(),
            Lang::Number(NumberSyntax::Json) => is_json_number(text),
        }
    }
}

/// True for a JSON number lexeme.
pub(crate) fn is_json_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let int_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let int = &body[..int_end];
    if int.is_empty() || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    crate::canon::Num::parse(body).is_some() && !body.starts_with('+')
}

/// A language and whether the text must be in it (`true`) or out of it (`false`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Constraint<'a> {
    pub(crate) lang: Lang<'a>,
    pub(crate) positive: bool,
}

/// The outcome of a search: a text, or proof that there is none.
pub(crate) type Found = Option<String>;

/// Finds the shortest text satisfying every constraint (`Ok(None)`: there is none).
pub(crate) fn solve(
    constraints: &[Constraint<'_>],
    budget: &mut Budget,
) -> Result<Found, super::Exhausted> {
    // Fast path: a required exact text is the only candidate.
    if let Some(text) = constraints.iter().find_map(|c| match (c.positive, c.lang) {
        (true, Lang::Text(TextPat::Exact(s))) => Some(s.as_str()),
        _ => None,
    }) {
        budget.spend(constraints.len() as u64)?;
        let ok = constraints
            .iter()
            .all(|c| c.lang.contains(text) == c.positive);
        return Ok(ok.then(|| text.to_owned()));
    }
    // Cheap candidates first: the empty text, and each positive constraint's own text.
    let mut candidates: Vec<&str> = vec![""];
    for c in constraints.iter().filter(|c| c.positive) {
        if let Lang::Text(TextPat::Prefix(s) | TextPat::Suffix(s) | TextPat::Contains(s)) = c.lang {
            candidates.push(s);
        }
    }
    for text in candidates {
        budget.spend(constraints.len() as u64)?;
        if constraints
            .iter()
            .all(|c| c.lang.contains(text) == c.positive)
        {
            return Ok(Some(text.to_owned()));
        }
    }
    let mut found = None;
    enumerate(constraints, budget, &mut |text| {
        found = Some(text.to_owned());
        true
    })?;
    Ok(found)
}

/// Visits texts satisfying every constraint in order of length, *every* text rather than
/// one per state, until `visit` returns true or `limit` texts have been visited. Returns
/// `Ok(true)` when one was accepted, `Ok(false)` when the language has no more texts, and
/// `Err` when the limit or the budget ran out first.
pub(crate) fn enumerate_texts(
    constraints: &[Constraint<'_>],
    limit: usize,
    budget: &mut Budget,
    visit: &mut dyn FnMut(&str) -> bool,
) -> Result<bool, super::Exhausted> {
    let (blocks, mut dfas) = automata(constraints, budget)?;
    let mut queue: VecDeque<(Vec<u32>, String)> = VecDeque::new();
    queue.push_back((vec![0; dfas.len()], String::new()));
    let mut visited = 0usize;
    while let Some((state, text)) = queue.pop_front() {
        budget.spend((1 + dfas.len() * blocks.len()) as u64)?;
        if visited >= limit {
            return Err(super::Exhausted);
        }
        visited += 1;
        let accepted = dfas
            .iter_mut()
            .zip(constraints)
            .zip(&state)
            .all(|((dfa, c), &s)| dfa.accepts(s, &blocks) == c.positive);
        if accepted && visit(&text) {
            return Ok(true);
        }
        for block in 0..blocks.len() {
            let mut next = Vec::with_capacity(dfas.len());
            let mut dead = false;
            for ((dfa, c), &s) in dfas.iter_mut().zip(constraints).zip(&state) {
                let to = dfa.step(s, block, &blocks, budget)?;
                dead |= c.positive && dfa.is_dead(to);
                next.push(to);
            }
            if !dead {
                let mut t = text.clone();
                t.push(blocks.representative(block));
                queue.push_back((next, t));
            }
        }
    }
    Ok(false)
}

/// Visits texts satisfying every constraint in order of length (each reachable product
/// state once, by its shortest text), until `visit` returns true. Returns `Ok(true)` when
/// `visit` accepted one, `Ok(false)` when every such state has been visited.
pub(crate) fn enumerate(
    constraints: &[Constraint<'_>],
    budget: &mut Budget,
    visit: &mut dyn FnMut(&str) -> bool,
) -> Result<bool, super::Exhausted> {
    let (blocks, mut dfas) = automata(constraints, budget)?;
    let start: Vec<u32> = vec![0; dfas.len()];
    let mut seen: HashMap<Vec<u32>, (usize, u32)> = HashMap::default();
    let mut order: Vec<Vec<u32>> = Vec::new();
    let mut queue = VecDeque::new();
    seen.insert(start.clone(), (usize::MAX, 0));
    order.push(start.clone());
    queue.push_back(0usize);
    while let Some(at) = queue.pop_front() {
        // Each state costs a step of every automaton on every block.
        budget.spend((1 + dfas.len() * blocks.len()) as u64)?;
        let state = order[at].clone();
        let accepted = dfas
            .iter_mut()
            .zip(constraints)
            .zip(&state)
            .all(|((dfa, c), &s)| dfa.accepts(s, &blocks) == c.positive);
        if accepted {
            let text = spell(&seen, &order, at, &blocks);
            if visit(&text) {
                return Ok(true);
            }
        }
        for block in 0..blocks.len() {
            let mut next = Vec::with_capacity(dfas.len());
            for (dfa, &s) in dfas.iter_mut().zip(&state) {
                next.push(dfa.step(s, block, &blocks, budget)?);
            }
            if !seen.contains_key(&next) {
                seen.insert(next.clone(), (at, block as u32));
                order.push(next);
                queue.push_back(order.len() - 1);
            }
        }
    }
    Ok(false)
}

/// The alphabet of the constraints and one lazy DFA per constraint, charged to the budget.
fn automata(
    constraints: &[Constraint<'_>],
    budget: &mut Budget,
) -> Result<(Blocks, Vec<LazyDfa>), super::Exhausted> {
    let blocks = Blocks::new(constraints);
    let dfas: Vec<LazyDfa> = constraints
        .iter()
        .map(|c| LazyDfa::new(Nfa::of(&c.lang), &blocks))
        .collect();
    budget.spend(construction_cost(&dfas, &blocks))?;
    Ok((blocks, dfas))
}

/// What building the automata cost: every NFA state and edge, for every block.
fn construction_cost(dfas: &[LazyDfa], blocks: &Blocks) -> u64 {
    let edges: usize = dfas
        .iter()
        .map(|d| {
            d.nfa
                .states
                .iter()
                .map(|s| 1 + s.on.len() + s.eps.len())
                .sum::<usize>()
        })
        .sum();
    (edges * (1 + blocks.len())) as u64
}

/// The text that reaches product state `at`, from the BFS parents.
fn spell(
    seen: &HashMap<Vec<u32>, (usize, u32)>,
    order: &[Vec<u32>],
    mut at: usize,
    blocks: &Blocks,
) -> String {
    let mut chars = Vec::new();
    while let Some(&(parent, block)) = order.get(at).and_then(|s| seen.get(s)) {
        if parent == usize::MAX {
            break;
        }
        chars.push(blocks.representative(block as usize));
        at = parent;
    }
    chars.iter().rev().collect()
}

// ------------------------------------------------------------------------------ alphabet

/// The partition of all characters into blocks that no constraint distinguishes inside.
struct Blocks {
    classes: Vec<CharClass>,
    reps: Vec<char>,
}

impl Blocks {
    fn new(constraints: &[Constraint<'_>]) -> Blocks {
        let mut classes = vec![CharClass::any()];
        let mut refine = |c: &CharClass| {
            let mut next = Vec::with_capacity(classes.len() + 1);
            for block in &classes {
                let inside = block.intersect(c);
                let outside = block.difference(c);
                next.extend([inside, outside].into_iter().filter(|b| !b.is_empty()));
            }
            classes = next;
        };
        for c in constraints {
            for class in lang_classes(&c.lang) {
                refine(&class);
            }
        }
        let reps = classes.iter().map(representative).collect();
        Blocks { classes, reps }
    }

    fn len(&self) -> usize {
        self.classes.len()
    }

    fn representative(&self, block: usize) -> char {
        self.reps.get(block).copied().unwrap_or('a')
    }

    /// The blocks inside `class` (each block is inside or outside every class used).
    fn within(&self, class: &CharClass) -> Vec<usize> {
        (0..self.len())
            .filter(|&b| class.contains(self.reps[b]))
            .collect()
    }
}

/// A readable character of the block: a lower-case letter if there is one, then other
/// letters, digits, common punctuation, any printable ASCII, and finally the first one.
fn representative(block: &CharClass) -> char {
    let preferred = ('a'..='z')
        .chain('A'..='Z')
        .chain('0'..='9')
        .chain("_-. :/".chars())
        .chain('!'..='~');
    for c in preferred {
        if block.contains(c) {
            return c;
        }
    }
    block.ranges().first().map_or('a', |r| r.0)
}

fn lang_classes(lang: &Lang<'_>) -> Vec<CharClass> {
    match lang {
        Lang::Text(pat) => {
            let s = match pat {
                TextPat::Exact(s)
                | TextPat::Prefix(s)
                | TextPat::Suffix(s)
                | TextPat::Contains(s) => s,
            };
            s.chars().map(CharClass::single).collect()
        }
        Lang::Regex(re) => re
            .alternatives()
            .iter()
            .flat_map(|seq| seq.pieces())
            .filter_map(|p| match p.atom() {
                Atom::Class(c) => Some(c.clone()),
                Atom::Start | Atom::End => None,
            })
            .collect(),
        Lang::Number(_) => number_classes(),
    }
}

fn number_classes() -> Vec<CharClass> {
    "-+.eE0123456789".chars().map(CharClass::single).collect()
}

// ----------------------------------------------------------------------------------- NFA

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assert {
    None,
    Start,
    End,
}

#[derive(Debug, Default)]
struct NState {
    eps: Vec<(u32, Assert)>,
    on: Vec<(CharClass, u32)>,
}

/// A Thompson NFA with assertion edges; state 0 is the start, `accept` the final state.
#[derive(Debug)]
struct Nfa {
    states: Vec<NState>,
    accept: u32,
}

impl Nfa {
    fn new() -> Nfa {
        Nfa {
            states: vec![NState::default()],
            accept: 0,
        }
    }

    fn add(&mut self) -> u32 {
        self.states.push(NState::default());
        (self.states.len() - 1) as u32
    }

    fn eps(&mut self, from: u32, to: u32, a: Assert) {
        if let Some(s) = self.states.get_mut(from as usize) {
            s.eps.push((to, a));
        }
    }

    fn on(&mut self, from: u32, class: CharClass, to: u32) {
        if let Some(s) = self.states.get_mut(from as usize) {
            s.on.push((class, to));
        }
    }

    /// Appends the literal `s` after state `from`, returning the state after it.
    fn literal(&mut self, mut from: u32, s: &str) -> u32 {
        for c in s.chars() {
            let next = self.add();
            self.on(from, CharClass::single(c), next);
            from = next;
        }
        from
    }

    fn of(lang: &Lang<'_>) -> Nfa {
        let mut nfa = Nfa::new();
        let any = CharClass::any();
        match lang {
            Lang::Text(pat) => {
                let (lead, s, trail) = match pat {
                    TextPat::Exact(s) => (false, s, false),
                    TextPat::Prefix(s) => (false, s, true),
                    TextPat::Suffix(s) => (true, s, false),
                    TextPat::Contains(s) => (true, s, true),
                };
                if lead {
                    nfa.on(0, any.clone(), 0);
                }
                let end = nfa.literal(0, s);
                if trail {
                    nfa.on(end, any, end);
                }
                nfa.accept = end;
            }
            Lang::Regex(re) => nfa.regex(re),
            Lang::Number(syntax) => nfa.number(*syntax),
        }
        nfa
    }

    /// An unanchored search: `Σ* (alt₁ | alt₂ | …) Σ*`, with `^`/`$` as assertions.
    fn regex(&mut self, re: &Regex) {
        let any = CharClass::any();
        self.on(0, any.clone(), 0);
        let found = self.add();
        self.on(found, any, found);
        for seq in re.alternatives() {
            let mut at = self.add();
            self.eps(0, at, Assert::None);
            for piece in seq.pieces() {
                at = match piece.atom() {
                    Atom::Start | Atom::End => {
                        let next = self.add();
                        let kind = if *piece.atom() == Atom::Start {
                            Assert::Start
                        } else {
                            Assert::End
                        };
                        self.eps(at, next, kind);
                        next
                    }
                    Atom::Class(class) => self.repeat(at, class, piece.min(), piece.max()),
                };
            }
            self.eps(at, found, Assert::None);
        }
        self.accept = found;
    }

    /// `class{min,max}` after state `at`.
    fn repeat(&mut self, mut at: u32, class: &CharClass, min: u32, max: Option<u32>) -> u32 {
        for _ in 0..min {
            let next = self.add();
            self.on(at, class.clone(), next);
            at = next;
        }
        match max {
            None => {
                self.on(at, class.clone(), at);
                at
            }
            Some(max) => {
                let end = self.add();
                self.eps(at, end, Assert::None);
                for _ in min..max {
                    let next = self.add();
                    self.on(at, class.clone(), next);
                    self.eps(next, end, Assert::None);
                    at = next;
                }
                end
            }
        }
    }

    fn number(&mut self, syntax: NumberSyntax) {
        let digit = CharClass::new([('0', '9')]);
        let nonzero = CharClass::new([('1', '9')]);
        let int = self.add();
        match syntax {
            NumberSyntax::Json => {
                self.on(0, CharClass::single('-'), int);
                self.eps(0, int, Assert::None);
            }
            NumberSyntax::Pattern => {
                self.on(0, CharClass::new([('+', '+'), ('-', '-')]), int);
                self.eps(0, int, Assert::None);
            }
        }
        let int_end = self.add();
        match syntax {
            NumberSyntax::Json => {
                self.on(int, CharClass::single('0'), int_end);
                let more = self.add();
                self.on(int, nonzero, more);
                self.on(more, digit.clone(), more);
                self.eps(more, int_end, Assert::None);
            }
            NumberSyntax::Pattern => {
                self.on(int, digit.clone(), int_end);
                self.on(int_end, digit.clone(), int_end);
            }
        }
        let frac = self.add();
        let frac_digits = self.add();
        self.on(int_end, CharClass::single('.'), frac);
        self.on(frac, digit.clone(), frac_digits);
        self.on(frac_digits, digit.clone(), frac_digits);
        let mantissa = self.add();
        self.eps(int_end, mantissa, Assert::None);
        self.eps(frac_digits, mantissa, Assert::None);
        let exp = self.add();
        let exp_sign = self.add();
        let exp_digits = self.add();
        self.on(mantissa, CharClass::new([('E', 'E'), ('e', 'e')]), exp);
        self.on(exp, CharClass::new([('+', '+'), ('-', '-')]), exp_sign);
        self.eps(exp, exp_sign, Assert::None);
        self.on(exp_sign, digit.clone(), exp_digits);
        self.on(exp_digits, digit, exp_digits);
        let end = self.add();
        self.eps(mantissa, end, Assert::None);
        self.eps(exp_digits, end, Assert::None);
        self.accept = end;
    }
}

// ---------------------------------------------------------------------------- lazy DFA

/// A DFA built on demand from an NFA; state 0 is the start (before any character).
struct LazyDfa {
    nfa: Nfa,
    /// Per NFA state and edge: the blocks it accepts.
    edge_blocks: Vec<Vec<Vec<usize>>>,
    sets: Vec<Vec<u32>>,
    index: HashMap<Vec<u32>, u32>,
    next: Vec<Vec<Option<u32>>>,
    accepting: Vec<Option<bool>>,
}

impl LazyDfa {
    fn new(nfa: Nfa, blocks: &Blocks) -> LazyDfa {
        let edge_blocks = nfa
            .states
            .iter()
            .map(|s| s.on.iter().map(|(class, _)| blocks.within(class)).collect())
            .collect();
        let mut dfa = LazyDfa {
            nfa,
            edge_blocks,
            sets: Vec::new(),
            index: HashMap::default(),
            next: Vec::new(),
            accepting: Vec::new(),
        };
        let start = dfa.closure(vec![0], true, false);
        dfa.intern(start, blocks.len());
        dfa
    }

    /// The states reachable by epsilon edges, following `^` edges only at the start and
    /// `$` edges only at the end.
    fn closure(&self, mut stack: Vec<u32>, at_start: bool, at_end: bool) -> Vec<u32> {
        let mut seen = vec![false; self.nfa.states.len()];
        let mut out = Vec::new();
        while let Some(s) = stack.pop() {
            let Some(flag) = seen.get_mut(s as usize) else {
                continue;
            };
            if *flag {
                continue;
            }
            *flag = true;
            out.push(s);
            for &(to, a) in &self.nfa.states[s as usize].eps {
                let allowed = match a {
                    Assert::None => true,
                    Assert::Start => at_start,
                    Assert::End => at_end,
                };
                if allowed {
                    stack.push(to);
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn intern(&mut self, set: Vec<u32>, n_blocks: usize) -> u32 {
        if let Some(&id) = self.index.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.index.insert(set.clone(), id);
        self.sets.push(set);
        self.next.push(vec![None; n_blocks]);
        self.accepting.push(None);
        id
    }

    fn step(
        &mut self,
        state: u32,
        block: usize,
        blocks: &Blocks,
        budget: &mut Budget,
    ) -> Result<u32, super::Exhausted> {
        if let Some(Some(to)) = self.next.get(state as usize).and_then(|row| row.get(block)) {
            return Ok(*to);
        }
        // Charge the work: one step per NFA state of the set (and its edges) visited.
        let work: usize = self.sets[state as usize]
            .iter()
            .map(|&s| 1 + self.nfa.states[s as usize].on.len())
            .sum();
        budget.spend(8 + work as u64)?;
        let mut targets = Vec::new();
        for &s in &self.sets[state as usize] {
            let st = &self.nfa.states[s as usize];
            for (edge, (_, to)) in st.on.iter().enumerate() {
                if self.edge_blocks[s as usize][edge]
                    .binary_search(&block)
                    .is_ok()
                {
                    targets.push(*to);
                }
            }
        }
        let set = self.closure(targets, false, false);
        let id = self.intern(set, blocks.len());
        if let Some(slot) = self
            .next
            .get_mut(state as usize)
            .and_then(|row| row.get_mut(block))
        {
            *slot = Some(id);
        }
        Ok(id)
    }

    /// True for the empty state set, from which nothing is ever accepted: a positive
    /// constraint in a dead state can never be satisfied again.
    fn is_dead(&self, state: u32) -> bool {
        self.sets.get(state as usize).is_some_and(|s| s.is_empty())
    }

    fn accepts(&mut self, state: u32, _blocks: &Blocks) -> bool {
        if let Some(Some(a)) = self.accepting.get(state as usize) {
            return *a;
        }
        let set = self.sets[state as usize].clone();
        let closed = self.closure(set, state == 0, true);
        let a = closed.binary_search(&self.nfa.accept).is_ok();
        if let Some(slot) = self.accepting.get_mut(state as usize) {
            *slot = Some(a);
        }
        a
    }
}
