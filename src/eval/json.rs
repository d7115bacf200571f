//! JSON patterns: selectors, comparisons and `IS`/`NOT EXISTS` tests on JSON events.
//!
//! The pattern's paths form a trie. One validating pass over the event (serde_json, with
//! `IgnoredAny` for everything the trie does not name) collects the values at the trie's
//! nodes; the formula is then evaluated over those values. Nothing is allocated for the
//! parts of the event the pattern does not name.
//!
//! Rules (SEMANTICS.md): a path step into a missing key, a non-object or a non-array
//! resolves to nothing; `[*]` and `.*` resolve to every element or member (direct children
//! only) and a test holds when it holds for one of them; a duplicated key keeps its last
//! value; comparisons hold only for non-null scalars; `NOT EXISTS` holds when the path
//! resolves to nothing.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::fxhash::FxHashMap as HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{operand_matches, JsonStatus, Outcome};
use crate::canon::{Formula, FormulaKind, JsonAtom, Num, PathStep, Test};

/// A JSON pattern compiled for evaluation.
#[derive(Debug, Clone)]
pub struct JsonPlan {
    /// Each atom's test and the trie node of its path.
    tests: Vec<(Test, usize)>,
    /// Texts of which a matching event contains at least one, when it has no backslash
    /// (see [`Prefilter`]); worked out on first use (a matcher compiled to check a few
    /// events, as the engine does, never needs them).
    prefilter: std::sync::OnceLock<Option<Prefilter>>,
    formula: Node,
    trie: Vec<TrieNode>,
}

#[derive(Debug, Clone)]
enum Node {
    Atom(usize),
    And(Vec<Node>),
    Or(Vec<Node>),
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: Vec<(PathStep, usize)>,
    /// Whether some atom's path ends here (then the node's values are collected).
    wanted: bool,
    /// The parent node and the step from it (none for the root), to name the path.
    parent: Option<(usize, PathStep)>,
}

/// A necessary condition on an event's raw text, checked before parsing it.
///
/// Some formulas can only hold when a value equals, starts with, ends with or contains a
/// given text: `$.eventName = "CreatePolicy" || ...`. In JSON text without a backslash (so
/// without escapes), such a value is written literally, so an event that contains none of
/// those texts cannot match, and is not parsed at all. An exact string value is looked for
/// with its quotes; a text that a number or boolean could have is looked for without.
#[derive(Debug, Clone)]
pub struct Prefilter {
    texts: Vec<String>,
    /// Searchers for the texts, built on first use (a matcher compiled only to check a few
    /// events, as the engine does, never pays for them).
    finders: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>>,
}

impl Prefilter {
    /// The prefilter of a formula, if it has one.
    pub fn of(formula: &Formula<JsonAtom>) -> Option<Prefilter> {
        let mut texts = needles(formula)?;
        texts.sort();
        texts.dedup();
        Some(Prefilter {
            texts,
            finders: std::sync::OnceLock::new(),
        })
    }

    /// False when `event` has no backslash and contains none of the texts.
    pub fn may_match(&self, event: &str) -> bool {
        let bytes = event.as_bytes();
        if memchr::memchr(b'\\', bytes).is_some() {
            return true;
        }
        let finders = self.finders.get_or_init(|| {
            self.texts
                .iter()
                .map(|t| memchr::memmem::Finder::new(t.as_bytes()).into_owned())
                .collect()
        });
        finders.iter().any(|f| f.find(bytes).is_some())
    }
}

/// Texts of which every event satisfying `formula` contains one (escapes aside).
fn needles(formula: &Formula<JsonAtom>) -> Option<Vec<String>> {
    match formula.kind() {
        FormulaKind::Atom(atom) => atom_needles(&atom.test),
        FormulaKind::And(ops) => best_conjunct(ops.iter().filter_map(needles)),
        FormulaKind::Or(ops) => every_disjunct(ops.iter().map(needles)),
    }
}

/// [`needles`] of a compiled formula (the same operands in the same order).
fn node_needles(node: &Node, tests: &[(Test, usize)]) -> Option<Vec<String>> {
    match node {
        Node::Atom(i) => atom_needles(&tests.get(*i)?.0),
        Node::And(ops) => best_conjunct(ops.iter().filter_map(|n| node_needles(n, tests))),
        Node::Or(ops) => every_disjunct(ops.iter().map(|n| node_needles(n, tests))),
    }
}

/// The texts an atom's test needs, if any.
fn atom_needles(test: &Test) -> Option<Vec<String>> {
    match test {
        Test::Eq(crate::canon::Operand::Text(pat)) => {
            let (text, exact) = match pat {
                crate::canon::TextPat::Exact(s) => (s, true),
                crate::canon::TextPat::Prefix(s)
                | crate::canon::TextPat::Suffix(s)
                | crate::canon::TextPat::Contains(s) => (s, false),
            };
            if text.is_empty() {
                return None;
            }
            let scalar_text =
                crate::canon::Num::parse(text).is_some() || text == "true" || text == "false";
            Some(vec![if exact && !scalar_text {
                format!("\"{text}\"")
            } else {
                text.clone()
            }])
        }
        _ => None,
    }
}

/// Any conjunct's texts will do: take the most selective (longest shortest text).
fn best_conjunct(all: impl Iterator<Item = Vec<String>>) -> Option<Vec<String>> {
    all.max_by_key(|texts| texts.iter().map(String::len).min().unwrap_or(0))
}

/// Every disjunct needs texts.
fn every_disjunct(all: impl Iterator<Item = Option<Vec<String>>>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for texts in all {
        out.extend(texts?);
    }
    Some(out)
}

/// A value found in the event at a pattern's path.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its JSON text.
    Num(&'a str),
    /// A string, decoded.
    Str(Cow<'a, str>),
    /// An object or an array.
    Compound,
}

impl Found<'_> {
    /// The text string tests see: a string's value, a number's JSON text, `true`/`false`;
    /// `None` for null, objects and arrays (which no comparison matches).
    pub fn text(&self) -> Option<&str> {
        match self {
            Found::Str(s) => Some(s),
            Found::Num(raw) => Some(raw),
            Found::Bool(true) => Some("true"),
            Found::Bool(false) => Some("false"),
            Found::Null | Found::Compound => None,
        }
    }

    /// The numeric value, for JSON numbers only (a string never compares as a number).
    pub fn number(&self) -> Option<Num> {
        match self {
            Found::Num(raw) => Num::parse(raw),
            _ => None,
        }
    }
}

/// Does `test` hold for a path that resolved to `values` (none when it does not exist)?
pub fn holds(test: &Test, values: &[Found<'_>]) -> bool {
    let any = |f: &dyn Fn(&Found<'_>) -> bool| values.iter().any(f);
    let compare = |f: &dyn Fn(&Num) -> bool| any(&|v| v.number().is_some_and(|n| f(&n)));
    match test {
        Test::NotExists => values.is_empty(),
        Test::IsNull => any(&|v| *v == Found::Null),
        Test::IsTrue => any(&|v| *v == Found::Bool(true)),
        Test::IsFalse => any(&|v| *v == Found::Bool(false)),
        Test::Eq(o) => any(&|v| {
            v.text()
                .is_some_and(|t| operand_matches(o, t, v.number().as_ref()))
        }),
        Test::Ne(o) => any(&|v| {
            v.text()
                .is_some_and(|t| !operand_matches(o, t, v.number().as_ref()))
        }),
        Test::Lt(n) => compare(&|v| v < n),
        Test::Le(n) => compare(&|v| v <= n),
        Test::Gt(n) => compare(&|v| v > n),
        Test::Ge(n) => compare(&|v| v >= n),
    }
}

/// The number of atoms (with repetitions) of a formula.
fn count_atoms(formula: &Formula<JsonAtom>) -> usize {
    let mut n = 0;
    let mut stack = vec![formula];
    while let Some(f) = stack.pop() {
        match f.kind() {
            FormulaKind::Atom(_) => n += 1,
            FormulaKind::And(ops) | FormulaKind::Or(ops) => stack.extend(ops),
        }
    }
    n
}

impl JsonPlan {
    /// Compiles a JSON formula.
    pub fn new(formula: &Formula<JsonAtom>) -> JsonPlan {
        let mut plan = JsonPlan {
            // One test per atom: sized once, not grown (and copied) atom by atom.
            tests: Vec::with_capacity(count_atoms(formula)),
            prefilter: std::sync::OnceLock::new(),
            formula: Node::Or(Vec::new()),
            trie: vec![TrieNode::default()],
        };
        plan.formula = plan.compile(formula);
        plan
    }

    fn compile(&mut self, formula: &Formula<JsonAtom>) -> Node {
        match formula.kind() {
            FormulaKind::Atom(atom) => Node::Atom(self.slot(atom)),
            FormulaKind::And(ops) => Node::And(ops.iter().map(|f| self.compile(f)).collect()),
            FormulaKind::Or(ops) => Node::Or(ops.iter().map(|f| self.compile(f)).collect()),
        }
    }

    fn slot(&mut self, atom: &JsonAtom) -> usize {
        let mut node = 0;
        for step in &atom.path.0 {
            let existing = self.trie[node]
                .children
                .iter()
                .find(|(s, _)| s == step)
                .map(|(_, n)| *n);
            node = match existing {
                Some(child) => child,
                None => {
                    let child = self.trie.len();
                    self.trie.push(TrieNode {
                        parent: Some((node, step.clone())),
                        ..TrieNode::default()
                    });
                    self.trie[node].children.push((step.clone(), child));
                    child
                }
            };
        }
        self.trie[node].wanted = true;
        self.tests.push((atom.test.clone(), node));
        self.tests.len() - 1
    }

    /// The selector of a trie node, as `$.a.b[0]`.
    fn path_text(&self, mut node: usize) -> String {
        let mut steps = Vec::new();
        while let Some(Some((parent, step))) = self.trie.get(node).map(|t| t.parent.clone()) {
            steps.push(step);
            node = parent;
        }
        steps.reverse();
        crate::canon::Path(steps).to_string()
    }

    /// Collects, for every node of the pattern's paths, the values it resolves to in
    /// `event`.
    fn collect<'a>(&self, event: &'a str) -> Result<Vec<Vec<Found<'a>>>, JsonStatus> {
        if !starts_as_object(event) {
            return Err(read_status(event));
        }
        let mut values = vec![Vec::new(); self.trie.len()];
        let mut de = serde_json::Deserializer::from_str(event);
        let seed = NodeSeed {
            plan: self,
            node: 0,
            values: &mut values,
        };
        de::Deserializer::deserialize_map(&mut de, seed)
            .and_then(|()| de.end())
            .map_err(|e| JsonStatus::Invalid(e.to_string()))?;
        Ok(values)
    }

    fn eval(&self, node: &Node, values: &[Vec<Found<'_>>]) -> bool {
        match node {
            Node::Atom(i) => match self.tests.get(*i) {
                Some((test, node)) => holds(test, values.get(*node).map_or(&[][..], Vec::as_slice)),
                None => false,
            },
            Node::And(ops) => ops.iter().all(|n| self.eval(n, values)),
            Node::Or(ops) => ops.iter().any(|n| self.eval(n, values)),
        }
    }

    /// False when a quick text scan proves that `event` cannot match (without parsing it).
    pub fn may_match(&self, event: &str) -> bool {
        self.prefilter
            .get_or_init(|| {
                let mut texts = node_needles(&self.formula, &self.tests)?;
                texts.sort();
                texts.dedup();
                Some(Prefilter {
                    texts,
                    finders: std::sync::OnceLock::new(),
                })
            })
            .as_ref()
            .map_or(true, |p| p.may_match(event))
    }

    /// Does the pattern match `event`?
    pub fn matches(&self, event: &str) -> bool {
        self.may_match(event) && self.matches_parsed(event)
    }

    /// Does the pattern match `event`, deciding by parsing it (no prefilter)?
    pub(crate) fn matches_parsed(&self, event: &str) -> bool {
        match self.collect(event) {
            Ok(values) => self.eval(&self.formula, &values),
            Err(_) => false,
        }
    }

    /// Evaluates `event` with extraction: every path that resolved to a scalar, with its
    /// first value's text, keyed by the canonical selector (`$.a.b`).
    pub fn evaluate(&self, event: &str) -> Outcome {
        // When the prefilter proves that the event cannot match, only how it reads as JSON
        // is left to say, and validating it is enough (the CLI counts the events that are
        // not JSON objects).
        if !self.may_match(event) {
            return Outcome {
                matched: false,
                json: Some(read_status(event)),
                extracted: BTreeMap::new(),
            };
        }
        let values = match self.collect(event) {
            Ok(values) => values,
            Err(status) => {
                return Outcome {
                    matched: false,
                    json: Some(status),
                    extracted: BTreeMap::new(),
                }
            }
        };
        let matched = self.eval(&self.formula, &values);
        let mut extracted = BTreeMap::new();
        if matched {
            for (node, found) in values.iter().enumerate() {
                if let Some(text) = found.iter().find_map(Found::text) {
                    extracted
                        .entry(self.path_text(node))
                        .or_insert_with(|| text.to_owned());
                }
            }
        }
        Outcome {
            matched,
            json: Some(JsonStatus::Object),
            extracted,
        }
    }
}

/// Does `event` start (after JSON whitespace) with `{`?
fn starts_as_object(event: &str) -> bool {
    event
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
}

/// How `event` reads as JSON, by validating it without recording anything: an object,
/// another value, or not JSON (serde_json's message).
fn read_status(event: &str) -> JsonStatus {
    match serde_json::from_str::<IgnoredAny>(event) {
        Err(e) => JsonStatus::Invalid(e.to_string()),
        Ok(_) if starts_as_object(event) => JsonStatus::Object,
        Ok(_) => JsonStatus::NotObject,
    }
}

/// Records the value `raw` (a JSON value's text) at trie node `node`, then descends.
fn record<'a>(
    plan: &JsonPlan,
    node: usize,
    raw: &'a str,
    values: &mut [Vec<Found<'a>>],
) -> Result<(), serde_json::Error> {
    let Some(trie) = plan.trie.get(node) else {
        return Ok(());
    };
    let found = match raw.as_bytes().first() {
        Some(b'{' | b'[') => Found::Compound,
        Some(b'"') => Found::Str(match serde_json::from_str::<CowStr<'a>>(raw) {
            Ok(s) => s.0,
            // serde_json refuses lone surrogate escapes (`"\ud800"`) when decoding, but
            // accepts them when skipping: decode them as U+FFFD so that an event's validity
            // never depends on which fields the pattern names.
            Err(e) => Cow::Owned(decode_lenient(raw).ok_or(e)?),
        }),
        Some(b't') => Found::Bool(true),
        Some(b'f') => Found::Bool(false),
        Some(b'n') => Found::Null,
        _ => Found::Num(raw),
    };
    let descend = found == Found::Compound && !trie.children.is_empty();
    if trie.wanted {
        if let Some(v) = values.get_mut(node) {
            v.push(found);
        }
    }
    if descend {
        let mut de = serde_json::Deserializer::from_str(raw);
        let seed = NodeSeed { plan, node, values };
        de::Deserializer::deserialize_any(&mut de, seed)?;
    }
    Ok(())
}

/// Visits an object or array at a trie node, recording the children the trie names.
struct NodeSeed<'p, 'v, 'a> {
    plan: &'p JsonPlan,
    node: usize,
    values: &'v mut [Vec<Found<'a>>],
}

impl<'de, 'p, 'v> DeserializeSeed<'de> for NodeSeed<'p, 'v, 'de> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'p, 'v> Visitor<'de> for NodeSeed<'p, 'v, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(trie) = self.plan.trie.get(self.node) else {
            return Ok(());
        };
        let any_child = trie
            .children
            .iter()
            .find(|(s, _)| *s == PathStep::AnyKey)
            .map(|(_, c)| *c);
        // The last value of each key the trie names, and of every key for `.*`: a key
        // repeated in one object keeps its last value. Values are recorded once the
        // object has been read.
        let mut named: Vec<(usize, &'de str)> = Vec::new();
        let mut members: Vec<&'de str> = Vec::new();
        let mut member_index: HashMap<Cow<'de, str>, usize> = HashMap::default();
        while let Some(CowStr(key)) = map.next_key::<CowStr<'de>>()? {
            let key_child = trie.children.iter().find_map(|(step, child)| match step {
                PathStep::Key(k) if *k == key => Some(*child),
                _ => None,
            });
            if key_child.is_none() && any_child.is_none() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let raw: &'de RawValue = map.next_value()?;
            if let Some(child) = key_child {
                match named.iter_mut().find(|(c, _)| *c == child) {
                    Some(slot) => slot.1 = raw.get(),
                    None => named.push((child, raw.get())),
                }
            }
            if any_child.is_some() {
                match member_index.get(&key) {
                    Some(&i) => members[i] = raw.get(),
                    None => {
                        member_index.insert(key, members.len());
                        members.push(raw.get());
                    }
                }
            }
        }
        for (child, raw) in named {
            record(self.plan, child, raw, self.values).map_err(de::Error::custom)?;
        }
        if let Some(child) = any_child {
            for raw in members {
                record(self.plan, child, raw, self.values).map_err(de::Error::custom)?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(trie) = self.plan.trie.get(self.node) else {
            return Ok(());
        };
        let mut index: u64 = 0;
        loop {
            let wanted: Vec<usize> = trie
                .children
                .iter()
                .filter(|(step, _)| {
                    matches!(step, PathStep::AnyIndex) || *step == PathStep::Index(index)
                })
                .map(|(_, child)| *child)
                .collect();
            if wanted.is_empty() {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
            } else {
                let Some(raw) = seq.next_element::<&'de RawValue>()? else {
                    return Ok(());
                };
                for child in wanted {
                    record(self.plan, child, raw.get(), self.values).map_err(de::Error::custom)?;
                }
            }
            index = index.saturating_add(1);
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Decodes a JSON string literal (with its quotes), turning lone surrogate escapes into
/// U+FFFD. `None` for anything else that is not a valid string literal.
fn decode_lenient(raw: &str) -> Option<String> {
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    let hex4 = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + chars.next()?.to_digit(16)?;
        }
        Some(v)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&hi) {
                    let mut ahead = chars.clone();
                    let low = match (ahead.next(), ahead.next()) {
                        (Some('\\'), Some('u')) => {
                            hex4(&mut ahead).filter(|lo| (0xDC00..0xE000).contains(lo))
                        }
                        _ => None,
                    };
                    match low {
                        Some(lo) => {
                            chars = ahead;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        }
                        None => '\u{FFFD}',
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => return None,
        };
        out.push(escaped);
    }
    Some(out)
}

/// A string that borrows from the event when it has no escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}
