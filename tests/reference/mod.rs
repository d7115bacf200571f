//! A reference evaluator, written from SEMANTICS.md only, to cross-check `cwpattern::eval`.
//!
//! It is deliberately naive and independent of the library's evaluator and canonical layer:
//! it works on the syntax tree (`cwpattern::syntax::ast`) as written, and on a fully built
//! document tree of the event produced by its own small JSON parser ([`J`]), which keeps
//! every number's text as written. From the library it uses only
//! [`cwpattern::regex::Regex::is_match`] (regex search) and [`cwpattern::canon::Num`] (exact
//! decimal comparison).
//!
//! Each rule below cites the SEMANTICS.md row it implements.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::collections::BTreeMap;

use cwpattern::canon::Num;
use cwpattern::syntax::ast::{
    CmpOp, Condition, Entry, Expr, FieldCondition, Pattern, PatternKind, Step, Term, TermPrefix,
    TermText, Test, ValueKind,
};

// =================================================================== JSON document

/// A JSON value. Numbers keep their text as written (`1.50`, `1e2`).
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// Members in written order, duplicates kept (lookups take the last).
    Obj(Vec<(String, J)>),
}

/// The deepest nesting of arrays/objects this reference parser accepts. The library has no
/// nesting limit (SEMANTICS.md); this recursive parser stops far beyond the tests' inputs.
pub const MAX_DEPTH: usize = 2000;

/// Parses a whole event as strict JSON (RFC 8259). `None` when invalid, trailing garbage
/// included, or nested deeper than [`MAX_DEPTH`].
pub fn parse_json(text: &str) -> Option<J> {
    let mut p = JsonParser {
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(1)?;
    p.ws();
    if p.i == p.b.len() {
        Some(v)
    } else {
        None
    }
}

struct JsonParser<'a> {
    b: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn lit(&mut self, word: &str, v: J) -> Option<J> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Some(v)
        } else {
            None
        }
    }

    /// A value whose depth, if it is an array or object, is `depth`.
    fn value(&mut self, depth: usize) -> Option<J> {
        match self.peek()? {
            b'{' => {
                if depth > MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                let mut members = Vec::new();
                if self.eat(b'}') {
                    return Some(J::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return None;
                    }
                    self.ws();
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b'}') {
                        return Some(J::Obj(members));
                    }
                    return None;
                }
            }
            b'[' => {
                if depth > MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(J::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b']') {
                        return Some(J::Arr(items));
                    }
                    return None;
                }
            }
            b'"' => self.string().map(J::Str),
            b't' => self.lit("true", J::Bool(true)),
            b'f' => self.lit("false", J::Bool(false)),
            b'n' => self.lit("null", J::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<J> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        Some(J::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.b.get(self.i..self.i + 4)?;
        let s = std::str::from_utf8(s).ok()?;
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(s, 16).ok()
    }

    /// A string at `"`, decoded. Control characters must be escaped; lone `\u` surrogates
    /// decode as U+FFFD.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            // A lone surrogate decodes as U+FFFD (SEMANTICS.md).
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                let save = self.i;
                                let low = if self.eat(b'\\') && self.eat(b'u') {
                                    self.hex4().filter(|lo| (0xDC00..0xE000).contains(lo))
                                } else {
                                    None
                                };
                                match low {
                                    Some(lo) => char::from_u32(
                                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                                    )?,
                                    None => {
                                        self.i = save;
                                        '\u{FFFD}'
                                    }
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1F => return None,
                _ => out.push(c),
            }
        }
    }
}

impl J {
    /// "A key repeated in one object keeps its last value."
    fn member(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member values of an object after duplicate keys are resolved (last wins).
    fn member_values(&self) -> Vec<&J> {
        match self {
            J::Obj(members) => members
                .iter()
                .enumerate()
                .filter(|(i, (k, _))| !members[i + 1..].iter().any(|(k2, _)| k2 == k))
                .map(|(_, (_, v))| v)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// "The text of a value: a string's decoded value; a number's JSON text as written;
    /// `true`/`false`. `null`, objects and arrays have no text."
    fn text(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            J::Num(t) => Some(t),
            J::Bool(true) => Some("true"),
            J::Bool(false) => Some("false"),
            _ => None,
        }
    }

    fn is_scalar(&self) -> bool {
        self.text().is_some()
    }
}

// =================================================================== shared value rules

fn num(text: &str) -> Num {
    Num::parse(text).unwrap_or_else(|| panic!("pattern number {text:?} does not parse"))
}

/// A string value with its wildcards. `None` means `*` / `**`: any (non-null scalar).
/// "`*` at the start and/or end of a string value is a wildcard; a `*` anywhere else is a
/// literal character."
fn string_value_matches(s: &str, text: &str) -> bool {
    let lead = s.starts_with('*');
    let core = if lead { &s[1..] } else { s };
    let trail = core.ends_with('*');
    let core = if trail { &core[..core.len() - 1] } else { core };
    match (lead, trail) {
        (false, false) => text == core,
        (false, true) => text.starts_with(core),
        (true, false) => text.ends_with(core),
        (true, true) => text.contains(core),
    }
}

fn is_any(s: &str) -> bool {
    s == "*" || s == "**"
}

// =================================================================== evaluation

/// Does `pattern` match `event`?
pub fn matches(pattern: &Pattern, event: &str) -> bool {
    evaluate(pattern, event).0
}

/// Evaluates `pattern` on `event`: whether it matches and, for space-delimited patterns, the
/// extracted values (`$name` / `$N`; empty when it does not match). Extraction for other
/// kinds is not modelled (always empty).
pub fn evaluate(pattern: &Pattern, event: &str) -> (bool, BTreeMap<String, String>) {
    match &pattern.kind {
        // "The empty or all-whitespace pattern matches every event."
        PatternKind::Empty => (true, BTreeMap::new()),
        PatternKind::Terms { terms } => (terms_match(terms, event), BTreeMap::new()),
        PatternKind::Json { expr } => (json_match(expr, event), BTreeMap::new()),
        PatternKind::Delimited { entries } => delimited_evaluate(entries, event),
    }
}

fn eval_expr<T>(e: &Expr<T>, leaf: &dyn Fn(&T) -> bool) -> bool {
    match e {
        Expr::Leaf { leaf: l } => leaf(l),
        Expr::And { operands, .. } => operands.iter().all(|o| eval_expr(o, leaf)),
        Expr::Or { operands, .. } => operands.iter().any(|o| eval_expr(o, leaf)),
        Expr::Paren { inner, .. } => eval_expr(inner, leaf),
    }
}

// ------------------------------------------------------------------- terms

/// "A bare term made only of letters, digits and `_`".
fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn occurs(term: &Term, msg: &str) -> bool {
    match &term.text {
        // Word: substring, anywhere. Other bare terms never match.
        TermText::Bare(s) => is_word(s) && msg.contains(s.as_str()),
        // Empty / whitespace-only quoted terms occur in every message.
        TermText::Quoted(s) => s.chars().all(char::is_whitespace) || msg.contains(s.as_str()),
        // Regex: searched in the whole message.
        TermText::Regex(r) => r.is_match(msg),
    }
}

fn terms_match(terms: &[Term], msg: &str) -> bool {
    let of = |p: TermPrefix| terms.iter().filter(move |t| t.prefix == p);
    let required_ok = of(TermPrefix::Required).all(|t| occurs(t, msg));
    let excluded_ok = of(TermPrefix::Excluded).all(|t| !occurs(t, msg));
    let plain_or_minus =
        of(TermPrefix::Required).next().is_some() || of(TermPrefix::Excluded).next().is_some();
    // `?` terms are ignored when there is a plain or `-` term; otherwise one must occur.
    let optional_ok = plain_or_minus
        || of(TermPrefix::Optional).next().is_none()
        || of(TermPrefix::Optional).any(|t| occurs(t, msg));
    required_ok && excluded_ok && optional_ok
}

// ------------------------------------------------------------------- JSON

fn json_match(expr: &Expr<Condition>, event: &str) -> bool {
    // The event must be a JSON object, else nothing matches (NOT EXISTS included).
    let Some(root) = parse_json(event) else {
        return false;
    };
    if !matches!(root, J::Obj(_)) {
        return false;
    }
    eval_expr(expr, &|c: &Condition| condition_holds(c, &root))
}

/// Every value a selector resolves to (existential wildcards, missing = empty).
pub fn resolve<'j>(root: &'j J, steps: &[Step]) -> Vec<&'j J> {
    let mut current = vec![root];
    for step in steps {
        let mut next = Vec::new();
        for v in current {
            match step {
                Step::Key(k) | Step::QuotedKey(k) => next.extend(v.member(k)),
                Step::Index(n) => {
                    if let J::Arr(items) = v {
                        if let Ok(n) = usize::try_from(*n) {
                            next.extend(items.get(n));
                        }
                    }
                }
                Step::AnyIndex => {
                    if let J::Arr(items) = v {
                        next.extend(items.iter());
                    }
                }
                // Direct member values of an object; nothing for anything else.
                Step::AnyKey => next.extend(v.member_values()),
            }
        }
        current = next;
    }
    current
}

/// `= v` on a JSON value.
fn json_eq(value: &ValueKind, j: &J) -> bool {
    match value {
        // Unquoted numbers: by value, JSON numbers only.
        ValueKind::Number(n) => match j {
            J::Num(t) => Num::parse(t).is_some_and(|v| v == num(n)),
            _ => false,
        },
        ValueKind::Bare(s) | ValueKind::Quoted(s) => {
            if is_any(s) {
                j.is_scalar()
            } else {
                j.text().is_some_and(|t| string_value_matches(s, t))
            }
        }
        ValueKind::Regex(r) => j.text().is_some_and(|t| r.is_match(t)),
    }
}

fn json_test(test: &Test, j: &J) -> bool {
    match test {
        Test::Compare { op, value } => match op {
            CmpOp::Eq => json_eq(&value.kind, j),
            // `!= v`: a non-null scalar for which `= v` does not hold.
            CmpOp::Ne => j.is_scalar() && !json_eq(&value.kind, j),
            _ => {
                let ValueKind::Number(n) = &value.kind else {
                    return false;
                };
                let J::Num(t) = j else { return false };
                let Some(v) = Num::parse(t) else { return false };
                ordering_holds(*op, v.cmp(&num(n)))
            }
        },
        Test::IsNull => matches!(j, J::Null),
        Test::IsTrue => matches!(j, J::Bool(true)),
        Test::IsFalse => matches!(j, J::Bool(false)),
        Test::NotExists => unreachable!("handled by the caller"),
    }
}

fn ordering_holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Eq | CmpOp::Ne => unreachable!(),
    }
}

fn condition_holds(c: &Condition, root: &J) -> bool {
    let found = resolve(root, &c.selector.steps);
    match &c.test {
        Test::NotExists => found.is_empty(),
        test => found.iter().any(|j| json_test(test, j)),
    }
}

// ------------------------------------------------------------------- space-delimited

/// Splits a message into fields: runs of spaces/tabs separate; a field starting with `"`
/// runs to the next `"` and one starting with `[` to the next `]` (delimiters removed); an
/// unclosed `"`/`[` is an ordinary character.
pub fn split_fields(msg: &str) -> Vec<String> {
    let chars: Vec<char> = msg.chars().collect();
    let sep = |c: char| c == ' ' || c == '\t';
    let mut fields = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if sep(chars[i]) {
            i += 1;
            continue;
        }
        let close = match chars[i] {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(off) = chars[i + 1..].iter().position(|&c| c == close) {
                let end = i + 1 + off;
                fields.push(chars[i + 1..end].iter().collect());
                i = end + 1;
                continue;
            }
        }
        let start = i;
        while i < chars.len() && !sep(chars[i]) {
            i += 1;
        }
        fields.push(chars[start..i].iter().collect());
    }
    fields
}

/// `= v` on a field's text.
fn field_eq(value: &ValueKind, text: &str) -> bool {
    match value {
        // An unquoted number compares by value with a field that reads as a number.
        ValueKind::Number(n) => Num::parse(text).is_some_and(|v| v == num(n)),
        ValueKind::Bare(s) | ValueKind::Quoted(s) => is_any(s) || string_value_matches(s, text),
        ValueKind::Regex(r) => r.is_match(text),
    }
}

fn field_condition_holds(c: &FieldCondition, text: &str) -> bool {
    match c.op {
        CmpOp::Eq => field_eq(&c.value.kind, text),
        CmpOp::Ne => !field_eq(&c.value.kind, text),
        op => {
            let ValueKind::Number(n) = &c.value.kind else {
                return false;
            };
            match Num::parse(text) {
                Some(v) => ordering_holds(op, v.cmp(&num(n))),
                None => false,
            }
        }
    }
}

fn delimited_evaluate(entries: &[Entry], msg: &str) -> (bool, BTreeMap<String, String>) {
    let fields = split_fields(msg);
    let n = fields.len();
    let none = (false, BTreeMap::new());
    // `[]` matches every message and extracts $1..$N.
    if entries.is_empty() {
        let all = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("${}", i + 1), f.clone()))
            .collect();
        return (true, all);
    }
    // Bind each entry to a range of field positions.
    let mut bound: Vec<(&Entry, std::ops::Range<usize>)> = Vec::new();
    match entries
        .iter()
        .position(|e| matches!(e, Entry::Ellipsis { .. }))
    {
        None => {
            if n != entries.len() {
                return none;
            }
            for (i, e) in entries.iter().enumerate() {
                bound.push((e, i..i + 1));
            }
        }
        Some(at) => {
            let after = entries.len() - at - 1;
            if n < at + after {
                return none;
            }
            for (i, e) in entries.iter().enumerate() {
                let range = if i < at {
                    i..i + 1
                } else if i == at {
                    at..n - after
                } else {
                    let j = n - (entries.len() - i);
                    j..j + 1
                };
                bound.push((e, range));
            }
        }
    }
    let mut extracted = BTreeMap::new();
    for (e, range) in bound {
        match e {
            Entry::Field {
                name, conditions, ..
            } => {
                let text = &fields[range.start];
                if let Some(cond) = conditions {
                    if !eval_expr(cond, &|c: &FieldCondition| field_condition_holds(c, text)) {
                        return none;
                    }
                }
                extracted.insert(format!("${name}"), text.clone());
            }
            Entry::Empty { .. } | Entry::Ellipsis { .. } => {
                for i in range {
                    extracted.insert(format!("${}", i + 1), fields[i].clone());
                }
            }
        }
    }
    (true, extracted)
}
