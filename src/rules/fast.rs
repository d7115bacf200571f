//! The exact fast path of `check`: rules about some eventNames of one service, and patterns
//! that test only `$.eventName` and `$.eventSource`.
//!
//! # Why it gives the engine's answers
//!
//! Under the CloudTrail assumptions ([`super::world::cloudtrail_assumptions`]) every record
//! has `eventName` and `eventSource`, as strings; a duplicated key keeps its last value
//! (SEMANTICS.md), so each of the two fields has exactly one value, a string. When every
//! atom of a formula has the path `$.eventName` or `$.eventSource` (one key step) — a *pair
//! formula* ([`is_pair_formula`]) — the evaluator decides each atom from that one value alone
//! (`eval::json::holds` on the one [`Found::Str`]), so the formula's truth on a record is a
//! function of the pair (eventName, eventSource): [`holds_at`] computes it with the
//! evaluator's own atom semantics.
//!
//! The rule's requirement `R` (its reference pattern `∧ $.eventSource = S`) is a pair formula
//! when the checker takes this path, every event it matches has one of the reference's
//! eventNames (checked syntactically: [`exact_values`]) and the source `S` (the conjunct), and
//! it holds at `(N, S)` for each of those names `N` (checked by evaluation when the checker
//! is built). So the required events with eventName `N` are exactly the records whose pair
//! is `(N, S)`, with anything in their other fields. For a pair formula `P`:
//!
//! - `P` catches every required event with eventName `N` iff `P` holds at `(N, S)`: the
//!   engine's question "`R ∧ $.eventName = N ∧ ¬P`" has an answer iff it does not, and then
//!   every record with the pair `(N, S)` is one (the check reports the minimal record);
//! - a repair candidate `C` (`P` with eventName atoms added, `P ∨ R`, or the reference — all
//!   pair formulas) is verified iff it holds at `(N, S)` for every name `N`;
//! - `P` matches an event outside `R` iff `P` holds at some pair `(n, s)` with `s ≠ S` or
//!   `n` not a required name. When every atom of `P` is an equality-type test (exact text,
//!   any value, a number, or a test no string passes: ordering, `IS`, `NOT EXISTS`), an
//!   atom's truth on a string depends only on which of the atom's constants the string
//!   equals, if any (a prefix test: which constants it starts with). So the pairs built
//!   from the constants of `P` plus made-up strings — equal to none of `P`'s constants, the
//!   required names and `S` — meet every combination of atom values a pair can meet, each
//!   at a pair outside `R` when some pair outside `R` meets it; evaluating `P` on those
//!   pairs decides the question ([`matches_outside`]). Patterns with other wildcards or
//!   regexes go to the engine for this one question.
//!
//! # Conjunctions with conditions on other fields
//!
//! A pattern `P = A ∧ Q` whose top-level conjuncts are pair formulas (their conjunction is
//! `A`) and formulas none of whose atoms' paths starts at one of the four CloudTrail record
//! fields (`eventName`, `eventSource`, `eventTime`, `awsRegion`; their conjunction is `Q`) —
//! a *split pattern* ([`split`]) — is decided with two engine questions instead of one per
//! eventName. The assumptions constrain only the four record fields, and `R` and `A` read
//! only two of them, so `Q`'s truth is independent of the pair and of `R`: the records with
//! pair `(N, S)` meet every value of `Q`'s fields. Hence
//!
//! - `P` catches every required event with eventName `N` iff `A` holds at `(N, S)` and `Q`
//!   is valid (no record falsifies it: one engine question, [`super::check`](mod@super::check)'s
//!   `falsifier`). A missed event: the minimal record of `(N, S)` when `A` fails there,
//!   else a record falsifying `Q` with its pair set to `(N, S)` — each checked by the
//!   evaluator: with the pattern's matcher when the pattern was parsed; when it was not
//!   (`check --batch`'s quick recogniser read `eventName ∈ V ∧ Q`), the second with `Q`'s
//!   matcher when it is made, and the first is rejected because `A` fails at its pair, as
//!   for a pair formula;
//! - `P` matches some required event iff `Q` is satisfiable (the second question) and `A`
//!   holds at some required pair, and some event outside `R` iff `Q` is satisfiable and
//!   [`matches_outside`] of `A`.
//!
//! `tests/check.rs` compares every answer of this path with the general engine's over the
//! corpus (witnesses of split patterns are checked rather than compared: the engine picks
//! other values), and property tests do the same over generated pair and split patterns.

use std::borrow::{Borrow, Cow};

use crate::canon::{Formula, FormulaKind, JsonAtom, Operand, PathStep, Test, TextPat};
use crate::eval::json::{holds, Found};

/// The two record fields a pair formula tests.
const NAME: &str = "eventName";
const SOURCE: &str = "eventSource";

/// The top-level fields of every CloudTrail record (constrained by the assumptions).
const RECORD_FIELDS: [&str; 4] = ["eventName", "eventSource", "eventTime", "awsRegion"];

/// Which of the two fields an atom tests, if it tests one of them (by a one-step path).
fn field_of(atom: &JsonAtom) -> Option<&'static str> {
    match &atom.path.0[..] {
        [PathStep::Key(k)] if k == NAME => Some(NAME),
        [PathStep::Key(k)] if k == SOURCE => Some(SOURCE),
        _ => None,
    }
}

/// True when every atom of `f` tests `$.eventName` or `$.eventSource`.
pub(super) fn is_pair_formula(f: &Formula<JsonAtom>) -> bool {
    match f.kind() {
        FormulaKind::Atom(a) => field_of(a).is_some(),
        FormulaKind::And(ops) | FormulaKind::Or(ops) => ops.iter().all(is_pair_formula),
    }
}

/// A split pattern's two parts (see the module doc): the pair formulas among its top-level
/// conjuncts, and the formulas on other fields.
pub(super) struct Split<'f> {
    /// The conjuncts that are pair formulas (at least one).
    pub pair: Vec<&'f Formula<JsonAtom>>,
    /// The conjuncts on other fields (at least one).
    pub other: Vec<&'f Formula<JsonAtom>>,
}

/// `f` as a split pattern, when it is one: a conjunction of pair formulas and formulas whose
/// atoms' paths start at none of the four record fields, with at least one of each.
pub(super) fn split(f: &Formula<JsonAtom>) -> Option<Split<'_>> {
    let FormulaKind::And(ops) = f.kind() else {
        return None;
    };
    let (mut pair, mut other) = (Vec::new(), Vec::new());
    for op in ops {
        if is_pair_formula(op) {
            pair.push(op);
        } else if off_record(op) {
            other.push(op);
        } else {
            return None;
        }
    }
    (!pair.is_empty() && !other.is_empty()).then_some(Split { pair, other })
}

/// True when no atom of `f` has a path starting at one of the four record fields (nor at a
/// wildcard step, which could reach them).
pub(super) fn off_record(f: &Formula<JsonAtom>) -> bool {
    match f.kind() {
        FormulaKind::Atom(a) => match a.path.0.first() {
            Some(PathStep::Key(k)) => !RECORD_FIELDS.contains(&k.as_str()),
            _ => false,
        },
        FormulaKind::And(ops) | FormulaKind::Or(ops) => ops.iter().all(off_record),
    }
}

/// Does the pair formula `f` hold for a record whose `eventName` is `name` and whose
/// `eventSource` is `source` (both strings)? For many pairs, [`PairEval`] is faster.
pub(super) fn holds_at(f: &Formula<JsonAtom>, name: &str, source: &str) -> bool {
    match f.kind() {
        FormulaKind::Atom(a) => atom_holds(a, name, source),
        FormulaKind::And(ops) => ops.iter().all(|op| holds_at(op, name, source)),
        FormulaKind::Or(ops) => ops.iter().any(|op| holds_at(op, name, source)),
    }
}

/// Does the atom (of a pair formula) hold at the pair?
fn atom_holds(a: &JsonAtom, name: &str, source: &str) -> bool {
    let value = match field_of(a) {
        Some(NAME) => name,
        Some(_) => source,
        // Not a pair formula: the callers never ask.
        None => return false,
    };
    match &a.test {
        // The common atoms, without building a `Found` (same rule as `holds`: a string's
        // text is its value).
        Test::Eq(Operand::Text(TextPat::Exact(s))) => value == s,
        Test::Ne(Operand::Text(TextPat::Exact(s))) => value != s,
        test => holds(test, &[Found::Str(Cow::Borrowed(value))]),
    }
}

/// A pair formula prepared for evaluation at many pairs: the answers of [`holds_at`], with
/// the exact-value equalities on one field among the operands of an `||` (the usual list of
/// eventNames) decided by one binary search instead of one comparison each. Built from a
/// formula ([`PairEval::new`]) or straight from a pattern's text by the quick recogniser
/// (`quick.rs`).
pub(super) struct PairEval<'f> {
    root: Node<'f>,
}

/// A node of a [`PairEval`] or a [`QuickFormula`].
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) enum Node<'f> {
    /// The field (`eventName` when `name`, else `eventSource`) equals one of `values`: in a
    /// [`PairEval`], sorted by [`by_length`] (most comparisons of a search are of lengths);
    /// in a [`QuickFormula`], as written ([`Node::sort_lists`] sorts them).
    OneOf { name: bool, values: Vec<&'f str> },
    /// The field (as in `OneOf`) starts with `prefix`: `field = "prefix*"`, read by the
    /// quick recogniser (from a formula, the same atom is an `Atom`).
    Prefix { name: bool, prefix: &'f str },
    /// Any other atom.
    Atom(&'f JsonAtom),
    /// A condition on another field, as the quick recogniser read it: a memo key's part
    /// (its meaning is the parser's, [`QuickFormula::is_pair`] is false, and a formula with
    /// one is never evaluated here).
    Other(Other<'f>),
    /// All of them.
    And(Vec<Node<'f>>),
    /// One of them.
    Or(Vec<Node<'f>>),
}

/// A condition `$.selector = value`, `!= value` or `NOT EXISTS` on a field other than
/// `$.eventName` and `$.eventSource` alone, as written (`quick.rs`): the parser reads the
/// same selector, operator and value from any spacing of them.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct Other<'f> {
    /// The selector after `$.`: keys of ASCII letters, digits and `_`, joined by `.`.
    pub selector: &'f str,
    /// `=`, `!` for `!=`, or `N` for `NOT EXISTS`.
    pub op: u8,
    /// The value (empty for `NOT EXISTS`), without its quotes.
    pub value: &'f str,
    /// Whether the value was quoted.
    pub quoted: bool,
}

impl Other<'_> {
    /// Appends its part of a memo key ([`QuickFormula::write_key`]): a tag, the operator,
    /// whether the value was quoted, then the selector and the value, each as its length
    /// and its bytes.
    pub(super) fn write_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[b'O', self.op, u8::from(self.quoted)]);
        for text in [self.selector, self.value] {
            out.extend_from_slice(&text.len().to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }

    /// Appends the condition's text as a pattern writes it (`$.selector = "value"`,
    /// `$.selector != value`, `$.selector NOT EXISTS`), which the parser reads as the
    /// condition the quick recogniser read: the same selector, operator and value, quoted
    /// as they were (a quoted value holds no `"` or `\`).
    pub(super) fn write_text(&self, out: &mut String) {
        out.push_str("$.");
        out.push_str(self.selector);
        let (op, quote) = match (self.op, self.quoted) {
            (b'N', _) => return out.push_str(" NOT EXISTS"),
            (b'!', quoted) => (" != ", quoted),
            (_, quoted) => (" = ", quoted),
        };
        out.push_str(op);
        let quote = if quote { "\"" } else { "" };
        out.push_str(quote);
        out.push_str(self.value);
        out.push_str(quote);
    }
}

impl<'f> PairEval<'f> {
    /// `eventName ∈ values`, prepared.
    pub(super) fn names(values: &[&'f str]) -> PairEval<'f> {
        let mut root = Node::OneOf {
            name: true,
            values: values.to_vec(),
        };
        root.sort_lists();
        PairEval { root }
    }

    /// For the formula `eventName ∈ V` (the commonest), the places of the names of `V`
    /// among `known` (at whose names the formula holds, whatever the eventSource); `None`
    /// for any other formula.
    pub(super) fn listed_places(&self, known: &KnownNames) -> Option<Bitmap> {
        match self.root.name_and_source_lists()? {
            (values, None) => Some(known.bitmap(values, |_| {})),
            (_, Some(_)) => None,
        }
    }

    /// Prepares the pair formula `f` (its atoms owned or borrowed).
    pub(super) fn new<A: Borrow<JsonAtom>>(f: &'f Formula<A>) -> PairEval<'f> {
        PairEval { root: Node::of(f) }
    }

    /// [`holds_at`] of the formula. (A formula with an [`Node::Other`] is not a pair
    /// formula; its callers never ask.)
    pub(super) fn holds(&self, name: &str, source: &str) -> bool {
        self.root.holds(name, source)
    }
}

/// A formula as the quick recogniser read it (`quick.rs`): its lists of values in the
/// order they were written. It gives a memo key ([`QuickFormula::write_key`]) and, when it
/// is a pair formula, a [`PairEval`] ([`QuickFormula::into_eval`], which sorts the lists).
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct QuickFormula<'f> {
    root: Node<'f>,
}

impl<'f> QuickFormula<'f> {
    /// The formula whose root is `root`, its lists as read.
    pub(super) fn new(root: Node<'f>) -> QuickFormula<'f> {
        QuickFormula { root }
    }

    /// Whether the formula is a pair formula: no [`Node::Other`].
    pub(super) fn is_pair(&self) -> bool {
        self.root.is_pair()
    }

    /// Appends a text that determines this formula's structure and values, so that two
    /// formulas with the same key are the same formula: the key of a memo of verdicts. An
    /// eventName among `known` is written as one bit of a bitmap (so the order of a list
    /// and repeats in it do not change the key: neither changes the formula); the other
    /// values of a list are written in [`by_length`] order. False (and `out` unusable) when
    /// the formula has an [`Node::Atom`], which the key does not spell out (the quick
    /// recogniser never builds one).
    pub(super) fn write_key(&self, out: &mut Vec<u8>, known: &KnownNames) -> bool {
        self.root.write_key(out, known)
    }

    /// For the commonest formulas (the three shapes below), appends a key of all that their
    /// verdict under a rule with the eventNames `known` (all of them) and the eventSource
    /// `source` depends on, so that formulas with the same verdict key have the same verdict
    /// (a memo key for verdicts; the formulas' own keys, [`QuickFormula::write_key`], also
    /// tell apart those that differ only in what the verdict does not depend on). False for
    /// other formulas.
    ///
    /// - `eventName ∈ V` (one list, `V` not empty): it holds at `(N, source)` exactly for
    ///   the required names `N` in `V`, and it holds at `(v, s)` for any `v` in `V` and a
    ///   source `s ≠ source`, a pair outside the requirement (whose events all have
    ///   `source`). So what it covers, misses (and the witnesses, the minimal records of the
    ///   missed names), and its relation depend only on `V ∩ known`: the key is that set,
    ///   a bitmap.
    /// - `eventSource = source ∧ eventName ∈ V` (in either order; `source` maybe repeated):
    ///   it holds at `(N, source)` exactly for `N` in `V`, and outside the requirement
    ///   exactly at `(v, source)` for `v` in `V` not a required name. The key is `V ∩
    ///   known` and whether `V` has a name that is not known.
    /// - `eventName ∈ V ∧ Q`, `Q` one or more conditions on other fields ([`Node::Other`])
    ///   none of which starts at a record field (`eventTime`, `awsRegion`): a split pattern
    ///   (module doc). When the checker decides it as one (`Checker::split_verdict`, or
    ///   `Checker::quick_split_verdict` without parsing it; their caller shares only such
    ///   verdicts), what it covers and misses, the witnesses (the
    ///   minimal record of a name not in `V`, the record falsifying `Q` for a name in `V`)
    ///   and the relation depend only on `V ∩ known` (as for the first shape) and on `Q`.
    ///   The key is `V ∩ known` and `Q` as written (in order).
    pub(super) fn write_verdict_key(
        &self,
        out: &mut Vec<u8>,
        known: &KnownNames,
        source: &str,
    ) -> bool {
        /// `eventSource = source` ([`Node::list`], `source` maybe repeated).
        fn is_source(node: &Node<'_>, source: &str) -> bool {
            node.list()
                .is_some_and(|(name, values)| !name && values.iter().all(|v| *v == source))
        }
        let (tag, values, others) = match &self.root {
            Node::And(ops) => match ops.as_slice() {
                [a, b] if is_source(a, source) => (b'B', b.names(), Vec::new()),
                [a, b] if is_source(b, source) => (b'B', a.names(), Vec::new()),
                _ => match self.split_parts() {
                    Some((values, others)) => (b'C', Some(values), others),
                    None => return false,
                },
            },
            node => (b'A', node.names(), Vec::new()),
        };
        let Some(values) = values else {
            return false;
        };
        if !known.complete {
            return false;
        }
        let mut unknown = false;
        out.push(tag);
        known.write_bitmap(out, values, |_| unknown = true);
        if tag == b'B' {
            out.push(u8::from(unknown));
        }
        others.iter().for_each(|other| other.write_key(out));
        true
    }

    /// The third shape of [`QuickFormula::write_verdict_key`], `eventName ∈ V ∧ Q`: `V`
    /// (not empty) and the conditions of `Q` as written (at least one; none on a record
    /// field). `None` for any other formula.
    pub(super) fn split_parts(&self) -> Option<(&[&'f str], Vec<&Other<'f>>)> {
        let Node::And(ops) = &self.root else {
            return None;
        };
        let (mut list, mut others) = (None, Vec::new());
        for op in ops {
            match (op.names(), op.off_record()) {
                (Some(values), _) if list.is_none() => list = Some(values),
                (_, Some(other)) => others.push(other),
                _ => return None,
            }
        }
        list.filter(|_| !others.is_empty())
            .map(|values| (values, others))
    }

    /// The formula, its lists sorted, for evaluation.
    pub(super) fn into_eval(mut self) -> PairEval<'f> {
        self.root.sort_lists();
        PairEval { root: self.root }
    }
}

/// Up to [`KnownNames::MAX`] eventNames (a rule's), each with its place: a memo key writes
/// a list's known names as a bitmap of places ([`QuickFormula::write_key`]).
#[derive(Debug)]
pub(super) struct KnownNames {
    /// The names, by place.
    names: Vec<String>,
    /// An open-addressing table of the names' [`Words`] and places + 1 (0: an empty slot),
    /// by [`Words::hash`].
    slots: Vec<(Words, u16)>,
    /// The top bits of a hash that pick a slot.
    shift: u32,
    /// Every name given was kept (none beyond [`KnownNames::MAX`]).
    complete: bool,
}

impl KnownNames {
    /// The most names kept: a key's bitmap has this many bits.
    pub(super) const MAX: usize = 64 * KEY_WORDS;

    /// The first [`KnownNames::MAX`] distinct names of `names`.
    pub(super) fn new(names: &[String]) -> KnownNames {
        let mut kept: Vec<String> = Vec::new();
        let mut complete = true;
        for name in names {
            if !kept.contains(name) {
                match kept.len() < KnownNames::MAX {
                    true => kept.push(name.clone()),
                    false => complete = false,
                }
            }
        }
        // At most a quarter full: most lookups look at one slot.
        let size = (4 * kept.len()).next_power_of_two().max(16);
        let empty = (Words::of(b""), 0);
        let mut known = KnownNames {
            names: Vec::new(),
            slots: vec![empty; size],
            shift: 64 - size.trailing_zeros(),
            complete,
        };
        for name in kept {
            let words = Words::of(name.as_bytes());
            let mut slot = (words.hash() >> known.shift) as usize;
            while known.slots[slot].1 != 0 {
                slot = (slot + 1) & (size - 1);
            }
            known.names.push(name);
            // At most `MAX` (256) names: the place + 1 fits.
            known.slots[slot] = (words, known.names.len() as u16);
        }
        known
    }

    /// Appends the bitmap of the places of the known names among `values` (as
    /// [`KEY_WORDS`] little-endian words), handing each other value to `unknown`.
    fn write_bitmap<'v>(
        &self,
        out: &mut Vec<u8>,
        values: &[&'v str],
        unknown: impl FnMut(&'v str),
    ) {
        for word in self.bitmap(values, unknown) {
            out.extend_from_slice(&word.to_le_bytes());
        }
    }

    /// The bitmap of the places of the known names among `values`, handing each other
    /// value to `unknown`.
    #[inline(always)]
    fn bitmap<'v>(&self, values: &[&'v str], mut unknown: impl FnMut(&'v str)) -> Bitmap {
        let mut bitmap = [0u64; KEY_WORDS];
        for value in values {
            match self.place(value) {
                Some(place) => bitmap[place / 64] |= 1 << (place % 64),
                None => unknown(value),
            }
        }
        Bitmap(bitmap)
    }

    /// The place of `name`, if it is known.
    #[inline(always)]
    pub(super) fn place(&self, name: &str) -> Option<usize> {
        let bytes = name.as_bytes();
        let words = Words::of(bytes);
        let mask = self.slots.len() - 1;
        let mut slot = (words.hash() >> self.shift) as usize;
        loop {
            let (known_words, place) = self.slots.get(slot)?;
            let place = usize::from(*place).checked_sub(1)?;
            // Equal words are equal texts up to 24 bytes; beyond, the texts are compared.
            if *known_words == words
                && (bytes.len() <= 24 || self.names.get(place)?.as_bytes() == bytes)
            {
                return Some(place);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// A text's length and its first, second and last eight bytes (little-endian; a text
/// shorter than eight bytes: its bytes, zero-padded, and zeros; shorter than 16: no second
/// eight), which are the whole text up to 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Words {
    len: usize,
    first: u64,
    second: u64,
    last: u64,
}

impl Words {
    #[inline(always)]
    fn of(bytes: &[u8]) -> Words {
        let word = |at: usize| bytes.get(at..).and_then(<[u8]>::first_chunk::<8>);
        let (first, second, last) = match (word(0), bytes.last_chunk::<8>()) {
            (Some(first), Some(last)) => (
                u64::from_le_bytes(*first),
                word(8).map_or(0, |second| u64::from_le_bytes(*second)),
                u64::from_le_bytes(*last),
            ),
            _ => {
                let word = bytes
                    .iter()
                    .enumerate()
                    .fold(0, |word, (i, &b)| word | u64::from(b) << (8 * i));
                (word, 0, 0)
            }
        };
        Words {
            len: bytes.len(),
            first,
            second,
            last,
        }
    }

    /// A hash whose top bits pick a slot.
    #[inline(always)]
    fn hash(self) -> u64 {
        (self.first ^ self.last.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// The words of a key's bitmap of known names ([`KnownNames`]).
const KEY_WORDS: usize = 4;

/// A set of [`KnownNames`] places.
pub(super) struct Bitmap([u64; KEY_WORDS]);

impl Bitmap {
    /// Whether `place` is in the set.
    pub(super) fn has(&self, place: usize) -> bool {
        self.0
            .get(place / 64)
            .is_some_and(|word| word >> (place % 64) & 1 == 1)
    }
}

impl IntoIterator for Bitmap {
    type Item = u64;
    type IntoIter = std::array::IntoIter<u64, KEY_WORDS>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'f> Node<'f> {
    fn of<A: Borrow<JsonAtom>>(f: &'f Formula<A>) -> Node<'f> {
        match f.kind() {
            FormulaKind::Atom(a) => Node::Atom(a.borrow()),
            FormulaKind::And(ops) => Node::And(ops.iter().map(Node::of).collect()),
            FormulaKind::Or(ops) => {
                let (mut names, mut sources, mut rest) = (Vec::new(), Vec::new(), Vec::new());
                for op in ops {
                    match op.kind() {
                        FormulaKind::Atom(a) => match (field_of(a.borrow()), &a.borrow().test) {
                            (Some(field), Test::Eq(Operand::Text(TextPat::Exact(v)))) => {
                                match field == NAME {
                                    true => names.push(v.as_str()),
                                    false => sources.push(v.as_str()),
                                }
                            }
                            _ => rest.push(Node::Atom(a.borrow())),
                        },
                        _ => rest.push(Node::of(op)),
                    }
                }
                let mut node = Node::any_of(names, sources, rest);
                node.sort_lists();
                node
            }
        }
    }

    /// The disjunction of `eventName ∈ names`, `eventSource ∈ sources` (either may be
    /// empty) and `rest`, the lists as given (a [`PairEval`] sorts them:
    /// [`Node::sort_lists`]).
    pub(super) fn any_of(
        names: Vec<&'f str>,
        sources: Vec<&'f str>,
        mut rest: Vec<Node<'f>>,
    ) -> Node<'f> {
        let mut nodes = Vec::with_capacity(rest.len() + 2);
        for (name, values) in [(true, names), (false, sources)] {
            if !values.is_empty() {
                nodes.push(Node::OneOf { name, values });
            }
        }
        nodes.append(&mut rest);
        Node::Or(nodes)
    }

    /// Sorts every list by [`by_length`], as [`Node::holds`] searches them.
    fn sort_lists(&mut self) {
        match self {
            Node::OneOf { values, .. } => values.sort_unstable_by(|a, b| by_length(a, b)),
            Node::And(ops) | Node::Or(ops) => ops.iter_mut().for_each(Node::sort_lists),
            Node::Prefix { .. } | Node::Atom(_) | Node::Other(_) => {}
        }
    }

    /// [`QuickFormula::write_key`]: a tag per node, then its number of operands or values,
    /// each value as its length and its bytes (so no value can pass for another's end); a
    /// list of eventNames first writes the bitmap of its `known` names.
    fn write_key(&self, out: &mut Vec<u8>, known: &KnownNames) -> bool {
        let count = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&n.to_le_bytes());
        match self {
            Node::OneOf { name, values } => {
                out.push(if *name { b'N' } else { b'S' });
                let mut others = Vec::new();
                if *name {
                    known.write_bitmap(out, values, |value| others.push(value));
                } else {
                    others.extend_from_slice(values);
                }
                others.sort_unstable_by(|a, b| by_length(a, b));
                count(out, others.len());
                for value in others {
                    count(out, value.len());
                    out.extend_from_slice(value.as_bytes());
                }
                true
            }
            Node::Prefix { name, prefix } => {
                out.push(if *name { b'P' } else { b'Q' });
                count(out, prefix.len());
                out.extend_from_slice(prefix.as_bytes());
                true
            }
            Node::Atom(_) => false,
            Node::Other(other) => {
                other.write_key(out);
                true
            }
            Node::And(ops) | Node::Or(ops) => {
                out.push(if matches!(self, Node::And(_)) {
                    b'&'
                } else {
                    b'|'
                });
                count(out, ops.len());
                ops.iter().all(|op| op.write_key(out, known))
            }
        }
    }

    /// `V` of a list of eventNames ([`Node::list`]), not empty.
    fn names(&self) -> Option<&[&'f str]> {
        self.list()
            .and_then(|(name, values)| name.then_some(values))
    }

    /// A condition on another field, none of whose keys is a record field's.
    fn off_record(&self) -> Option<&Other<'f>> {
        match self {
            Node::Other(other) => {
                let first = other.selector.split('.').next().unwrap_or_default();
                (!RECORD_FIELDS.contains(&first)).then_some(other)
            }
            _ => None,
        }
    }

    /// A list of values, maybe alone in an `||` (at any depth): its field (`true` for
    /// eventName) and values, not empty. `None` for any other node.
    fn list(&self) -> Option<(bool, &[&'f str])> {
        match self {
            Node::Or(ops) => match ops.as_slice() {
                [only] => only.list(),
                _ => None,
            },
            Node::OneOf { name, values } if !values.is_empty() => Some((*name, values)),
            _ => None,
        }
    }

    /// `(V, None)` for `eventName ∈ V`, `(V, Some(S))` for `eventName ∈ V ∧ eventSource ∈
    /// S` (in either order), with `V` and `S` not empty; each list may be the one operand of
    /// an `||`. `None` for any other formula.
    fn name_and_source_lists(&self) -> Option<(&[&'f str], Option<&[&'f str]>)> {
        if let Some((true, values)) = self.list() {
            return Some((values, None));
        }
        let Node::And(ops) = self else {
            return None;
        };
        match ops.as_slice() {
            [a, b] => match (a.list()?, b.list()?) {
                ((true, values), (false, sources)) | ((false, sources), (true, values)) => {
                    Some((values, Some(sources)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn is_pair(&self) -> bool {
        match self {
            Node::Other(_) => false,
            Node::And(ops) | Node::Or(ops) => ops.iter().all(Node::is_pair),
            _ => true,
        }
    }

    fn holds(&self, name: &str, source: &str) -> bool {
        match self {
            // Not a pair formula's (see `PairEval::holds`).
            Node::Other(_) => false,
            Node::OneOf { name: true, values } => {
                values.binary_search_by(|v| by_length(v, name)).is_ok()
            }
            Node::OneOf {
                name: false,
                values,
            } => values.binary_search_by(|v| by_length(v, source)).is_ok(),
            // As `atom_holds` decides `TextPat::Prefix` on a string (`eval::operand_matches`).
            Node::Prefix { name: true, prefix } => name.starts_with(prefix),
            Node::Prefix {
                name: false,
                prefix,
            } => source.starts_with(prefix),
            Node::Atom(a) => atom_holds(a, name, source),
            Node::And(ops) => ops.iter().all(|op| op.holds(name, source)),
            Node::Or(ops) => ops.iter().any(|op| op.holds(name, source)),
        }
    }

    /// Collects the texts of the node's atoms per field; false when some atom's truth on a
    /// string is not decided by them.
    fn texts(&self, names: &mut Texts<'f>, sources: &mut Texts<'f>) -> bool {
        match self {
            Node::OneOf { name, values } => {
                let into = if *name { &mut *names } else { &mut *sources };
                into.equals.extend(values.iter().copied());
                true
            }
            Node::Prefix { name, prefix } => {
                let into = if *name { &mut *names } else { &mut *sources };
                into.prefixes.push(prefix);
                true
            }
            Node::Other(_) => false,
            Node::Atom(a) => match (field_of(a), depends(&a.test)) {
                (Some(field), Some(d)) => {
                    let into = if field == NAME {
                        &mut *names
                    } else {
                        &mut *sources
                    };
                    match d {
                        Depends::Nothing => {}
                        Depends::Equals(s) => into.equals.push(s),
                        Depends::StartsWith(s) => into.prefixes.push(s),
                    }
                    true
                }
                _ => false,
            },
            Node::And(ops) | Node::Or(ops) => ops.iter().all(|op| op.texts(names, sources)),
        }
    }
}

/// Orders texts by length, then by their bytes (the first eight compared as one number:
/// most lists of eventNames differ there, and a comparison of texts calls `memcmp`).
fn by_length(a: &str, b: &str) -> std::cmp::Ordering {
    /// The first eight bytes, big-endian (earlier bytes weigh more), zero-padded.
    fn head(s: &str) -> u64 {
        match s.as_bytes().first_chunk::<8>() {
            Some(word) => u64::from_be_bytes(*word),
            None => s
                .bytes()
                .enumerate()
                .fold(0, |word, (i, b)| word | u64::from(b) << (56 - 8 * i)),
        }
    }
    a.len()
        .cmp(&b.len())
        .then_with(|| head(a).cmp(&head(b)))
        .then_with(|| a.cmp(b))
}

/// Texts such that every event `f` matches has one of them, exactly, as the value of the
/// top-level `key` (`None` when `f` does not restrict the key that way). A sufficient,
/// syntactic condition: an exact-text equality on the key, a conjunction with one such
/// conjunct, a disjunction of such disjuncts.
pub(super) fn exact_values<'f>(f: &'f Formula<JsonAtom>, key: &str) -> Option<Vec<&'f str>> {
    let patterns = restriction(f, key, false)?;
    Some(
        patterns
            .into_iter()
            .filter_map(|t| match t {
                TextPat::Exact(v) => Some(v.as_str()),
                _ => None,
            })
            .collect(),
    )
}

/// What an atom's truth on a string depends on (see the module doc).
enum Depends<'f> {
    /// Nothing (a test no string passes, or any string passes).
    Nothing,
    /// Whether the string equals this text.
    Equals(&'f str),
    /// Whether the string starts with this text.
    StartsWith(&'f str),
}

/// What a test's truth on a string depends on; `None` for suffixes, containment and
/// regexes, whose regions the candidates below do not cover.
fn depends(test: &Test) -> Option<Depends<'_>> {
    match test {
        Test::Eq(o) | Test::Ne(o) => match o {
            Operand::Any | Operand::Num(_) => Some(Depends::Nothing),
            Operand::Text(TextPat::Exact(s)) => Some(Depends::Equals(s)),
            Operand::Text(TextPat::Prefix(s)) => Some(Depends::StartsWith(s)),
            Operand::Text(_) | Operand::Regex(_) => None,
        },
        Test::Lt(_)
        | Test::Le(_)
        | Test::Gt(_)
        | Test::Ge(_)
        | Test::IsNull
        | Test::IsTrue
        | Test::IsFalse
        | Test::NotExists => Some(Depends::Nothing),
    }
}

/// The texts one field's atoms compare with: exact values and prefixes; and texts the
/// made-up candidates must differ from without being candidates themselves.
#[derive(Default)]
struct Texts<'f> {
    equals: Vec<&'f str>,
    prefixes: Vec<&'f str>,
    avoid: Vec<&'f str>,
}

impl<'f> Texts<'f> {
    /// Strings that meet every combination of atom values a string can meet: each exact
    /// value, and for each prefix `p` (and the empty one) `p` followed by a character that
    /// continues no value, prefix or avoided text starting with `p`. (A string equal to no
    /// value meets the same atoms as `p + c`, for `p` the longest prefix it starts with; and
    /// `p + c` equals no avoided text.)
    ///
    /// The made-up strings come first: a pattern that matches records of other APIs usually
    /// matches them. Values may repeat (sorting them out costs more than trying them twice).
    fn candidates(&self) -> Vec<Cow<'f, str>> {
        let mut out: Vec<Cow<'f, str>> = Vec::with_capacity(self.equals.len() + 2);
        for p in self.prefixes.iter().copied().chain([""]) {
            let continues = |c: char| {
                self.equals
                    .iter()
                    .chain(&self.prefixes)
                    .chain(&self.avoid)
                    .any(|t| t.strip_prefix(p).and_then(|rest| rest.chars().next()) == Some(c))
            };
            let c = ('~'..=char::MAX).find(|c| !continues(*c)).unwrap_or('~');
            out.push(Cow::Owned(format!("{p}{c}")));
        }
        out.extend(self.equals.iter().copied().map(Cow::Borrowed));
        out
    }
}

/// Does the pair formula `p` hold at some pair outside the requirement, i.e. with a source
/// other than `source` or a name not in `names` (sorted)? `None` when `p` has an atom with a
/// suffix, containment or regex test (the engine decides then).
///
/// The candidates are built from `p`'s texts alone, with the made-up ones differing from
/// every required name and from `source`: if `p` holds at an outside pair `(n, s)`, it holds
/// at the candidate pair `(n', s')` that meets the same atoms, which is outside too — `s'` is
/// `s` or a made-up source (never `source`), so `s' = source` only when `s = source`; then
/// `n` is not a required name, and `n'` is `n` or a made-up name (never a required one).
pub(super) fn matches_outside(p: &PairEval<'_>, names: &[String], source: &str) -> Option<bool> {
    // The commonest formulas, `eventName ∈ V` and `eventName ∈ V ∧ eventSource ∈ S` (lists
    // not empty), hold exactly at the pairs of `V × S` (`S` every string for the first):
    // outside the requirement `names × {source}` exactly when `S` has a source other than
    // `source` or `V` a name not in `names`. Answered without building candidates.
    if let Some((values, sources)) = p.root.name_and_source_lists() {
        let other_source = sources.map_or(true, |s| s.iter().any(|s| *s != source));
        let other_name = || {
            values
                .iter()
                .any(|v| names.binary_search_by(|n| n.as_str().cmp(v)).is_err())
        };
        return Some(other_source || other_name());
    }
    let (mut by_name, mut by_source) = (Texts::default(), Texts::default());
    if !p.root.texts(&mut by_name, &mut by_source) {
        return None;
    }
    by_name.avoid.extend(names.iter().map(String::as_str));
    by_source.avoid.push(source);
    let (cand_names, cand_sources) = (by_name.candidates(), by_source.candidates());
    let required =
        |n: &str, s: &str| s == source && names.binary_search_by(|x| x.as_str().cmp(n)).is_ok();
    Some(
        cand_sources
            .iter()
            .any(|s| cand_names.iter().any(|n| p.holds(n, s) && !required(n, s))),
    )
}

/// Whether `p` holds at some pair of strings built from its texts: true proves that `p`
/// matches something (a record with those two values); false proves nothing.
pub(super) fn some_match(p: &PairEval<'_>) -> bool {
    let (mut by_name, mut by_source) = (Texts::default(), Texts::default());
    // Atoms of other kinds only make the candidates incomplete, which is allowed here.
    let _ = p.root.texts(&mut by_name, &mut by_source);
    let (cand_names, cand_sources) = (by_name.candidates(), by_source.candidates());
    cand_sources
        .iter()
        .any(|s| cand_names.iter().any(|n| p.holds(n, s)))
}

/// The text patterns (exact values and prefixes) such that every event `f` matches has a
/// top-level `key` whose value matches one of them (`None` when `f` does not restrict the key
/// that way). A sufficient, syntactic condition, like [`exact_values`].
pub(super) fn value_patterns<'f>(f: &'f Formula<JsonAtom>, key: &str) -> Option<Vec<&'f TextPat>> {
    restriction(f, key, true)
}

/// [`exact_values`] (`prefixes` false) and [`value_patterns`] (true): the equalities on the
/// top-level `key` with an exact text (or a prefix) that every event `f` matches meets.
fn restriction<'f>(
    f: &'f Formula<JsonAtom>,
    key: &str,
    prefixes: bool,
) -> Option<Vec<&'f TextPat>> {
    let mut out = Vec::new();
    restriction_into(f, key, prefixes, &mut out).then_some(out)
}

/// [`restriction`] appended to `out`; false when there is none (`out` is then left with
/// some of the patterns, for the caller to drop). A conjunction has the smallest of its
/// conjuncts' (the first of equal sizes), a disjunction all of its disjuncts'.
fn restriction_into<'f>(
    f: &'f Formula<JsonAtom>,
    key: &str,
    prefixes: bool,
    out: &mut Vec<&'f TextPat>,
) -> bool {
    match f.kind() {
        FormulaKind::Atom(a) => match (&a.path.0[..], &a.test) {
            ([PathStep::Key(k)], Test::Eq(Operand::Text(t))) if k == key => match t {
                TextPat::Exact(_) => {
                    out.push(t);
                    true
                }
                TextPat::Prefix(_) if prefixes => {
                    out.push(t);
                    true
                }
                _ => false,
            },
            _ => false,
        },
        FormulaKind::And(ops) => {
            let mut best: Option<Vec<&'f TextPat>> = None;
            for op in ops {
                let mut patterns = Vec::new();
                if restriction_into(op, key, prefixes, &mut patterns)
                    && best.as_ref().map_or(true, |b| patterns.len() < b.len())
                {
                    best = Some(patterns);
                }
            }
            match best {
                Some(patterns) => {
                    out.extend(patterns);
                    true
                }
                None => false,
            }
        }
        FormulaKind::Or(ops) => ops
            .iter()
            .all(|op| restriction_into(op, key, prefixes, out)),
    }
}
