//! The quick recogniser of [`super::Checker::verdict`]: the commonest metric filters read
//! straight into a [`QuickFormula`] (a memo key, or a `PairEval` to decide), without the
//! parser's syntax tree or the canonical form.
//!
//! Nine in ten IAM metric filters that scanners meet are JSON patterns whose every condition
//! is `$.eventName = V` or `$.eventSource = V` with an exact value `V`, joined by `||`, `&&`
//! and parentheses (`scripts/gen_patterns.py` reproduces the mix). For those, the verdict is
//! the fast path's (`fast.rs`) and needs only the pair formula; building it from the text in
//! one pass, with its values borrowed from the pattern, costs a few thousand instructions
//! where parsing and lowering cost ~70 thousand.
//!
//! # Why it reads what the parser reads
//!
//! [`recognise`] accepts a subset of the language and gives up (`None`) on anything else —
//! then the caller parses the pattern as usual, so every error and every other construct is
//! the parser's business. What it accepts, it reads as the parser and the lowering do
//! (`src/syntax/parse/`, `src/canon/lower.rs`, SEMANTICS.md):
//!
//! ```text
//! Pattern   = Ws "{" Or Ws "}" Ws              (nothing after; at most 1024 bytes)
//! Or        = And { Ws "||" And }
//! And       = Primary { Ws "&&" Primary }      (&& binds tighter, as in the parser)
//! Primary   = Ws ( "(" Or Ws ")" | Condition )  (at most 64 parentheses deep)
//! Condition = "$." ("eventName" | "eventSource") Ws "=" Ws Value  |  Other
//! Value     = '"' { any char but '"' and '\' } '"'  |  BareToken
//! ```
//!
//! (`Other`, a condition on another field, is in the next section.)
//!
//! `Ws` is the parser's whitespace (space, tab, CR, LF). The selector must end after its one
//! key (no further `.`/`[` step, no longer key); a value must be followed by whitespace or
//! one of `)`, `}`, `&`, `|`. A bare token must not read as a number
//! (`syntax::parse::is_bare_value_token`). Each value then lowers as
//! `canon::lower::text_operand` lowers it, quoted or not: without a `*`, or with `*` only
//! inside (`Put*Policy`, a literal `*`), to an exact-text equality, whose truth on a string
//! is equality with the text; with one trailing `*` and no other (`Put*`), to a prefix,
//! whose truth on a string is starting with the text before the `*`. Any other `*` (a
//! leading one, `*` alone, two at the end) gives up. The boolean structure is the parse
//! tree's; the canonical form only reorders, flattens and deduplicates it, which changes no
//! truth value, so the pair formula built here holds at a pair exactly when the canonical
//! one does.
//!
//! # Conditions on other fields: memo keys
//!
//! A memoised checker (`check --batch`) also meets `$.errorCode NOT EXISTS` or
//! `$.userIdentity.type != "AWSService"` beside the list of eventNames. [`other_condition`]
//! reads such a condition in a strict form — a selector of plain keys, `=`/`!=` and a
//! quoted or bare value without `*`, or `NOT EXISTS` — into a [`Node::Other`] that keeps
//! the selector, operator and value as written. Its meaning stays the parser's: a formula
//! with one is never evaluated here. It is a memo key (`QuickFormula::write_key`): the parser
//! reads the same selector, operator and value however they are spaced, so two patterns with
//! the same key have the same canonical form (a unit test below checks this over
//! look-alikes), and the checker decides the first and gives the others its verdict. A list
//! of eventNames `&&` such conditions (a split pattern, `fast.rs`) it decides without
//! parsing the pattern: only the conditions' own text (`Other::write_text`, the same
//! selector, operator and value, quoted as read) goes to the parser, once per batch. Any
//! other formula with one goes to the parser whole.
//!
//! # Inside a JSON string
//!
//! `check --batch` gets each pattern as a JSON string on a line. [`recognise_in_json`] reads
//! the same grammar from the string's JSON text, still escaped ([`InJson`]): whitespace may
//! be written `\n`, `\t` or `\r` and a quote `\"`; any other escape, a byte JSON forbids
//! in a string, or the string's end before the pattern's `}` gives up. So a value it reads
//! holds no escape and is the decoded value's text, and it builds the formula [`recognise`]
//! builds from the decoded pattern — or none, and the caller decodes the string. It also
//! checks that the line is that one JSON string, so a line it reads is valid JSON.
//!
//! Most lines of a batch are read by [`names_in_json`] first: the commonest shapes (a list
//! of eventNames in any grouping, alone or in a top-level `&&` with single conditions) in
//! one loop, without the recursive descent, and `$.eventName = V` by
//! [`name_condition_in_json`]. Each gives exactly what the general reading gives, or
//! nothing (then the general reading runs); unit property tests compare them over
//! generated text and one-byte edits of it.
//!
//! `tests/check.rs` checks that every pattern the recogniser accepts — the corpus (with the
//! error cases, none of which it may accept) and property-generated patterns with random
//! spacing, quoting, grouping, selectors, operators, values and one-character edits — is
//! valid and gets the same verdict as through the parser; that [`recognise_in_json`] reads
//! a corpus pattern's JSON string exactly when [`recognise`] reads the pattern (short of
//! AWS's limit and control characters), with the same verdict, and other writings of it
//! only when they are the same string; and the same for generated patterns' strings. The
//! `check` fuzz target checks the verdicts on fuzzer input. (`check --batch --brief` over
//! the 10,000 patterns of `scripts/gen_patterns.py` printed byte-identical output with and
//! without either.)

use super::fast::{Node, Other, QuickFormula};
use crate::syntax::parse::{is_bare_value_char, is_bare_value_token, AWS_MAX_PATTERN_CHARS};

/// The deepest nesting of parentheses read here (the parser allows more; deeper patterns go
/// to it).
const MAX_DEPTH: usize = 64;

/// The pair formula of `pattern` when it has the shape in the module doc; `None` for any
/// other pattern, valid or not.
pub(super) fn recognise(pattern: &str) -> Option<QuickFormula<'_>> {
    if pattern.len() > AWS_MAX_PATTERN_CHARS {
        return None;
    }
    let (rest, root) = braces::<Plain>(pattern)?;
    if !rest.is_empty() {
        return None;
    }
    Some(QuickFormula::new(root.into_node()))
}

/// [`recognise`] of the pattern a JSON string holds, read from the string's JSON text
/// without decoding it: `after_quote` is a line after the string's opening quote, and the
/// line must end with the string (and JSON whitespace). Gives the pair formula, its values
/// borrowed from the line, and the length of the string's text between its quotes; `None`
/// whenever [`InJson`] gives up (the caller decodes the string and calls [`recognise`]).
pub(super) fn recognise_in_json(after_quote: &str) -> Option<(QuickFormula<'_>, usize)> {
    let (rest, root) = braces::<InJson>(after_quote)?;
    let len = string_end(after_quote, rest)?;
    Some((QuickFormula::new(root.into_node()), len))
}

/// The length of the pattern's text in `after_quote` when `rest`, what follows the
/// pattern's `}` and whitespace, is the string's closing quote and JSON whitespace up to
/// the end of the line, and the pattern is within AWS's limit (the decoded pattern is no
/// longer than its JSON text); `None` otherwise.
fn string_end(after_quote: &str, rest: &str) -> Option<usize> {
    let len = after_quote.len() - rest.len();
    if len > AWS_MAX_PATTERN_CHARS {
        return None;
    }
    let after = rest.strip_prefix('"')?;
    after
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .then_some(len)
}

/// [`recognise_in_json`] of the commonest patterns, read in one loop: no `Or`/`And`/
/// `Primary` calls and no operand parts. They are a disjunction of eventName equalities
/// grouped by any parentheses, or a conjunction of such disjunctions and single other
/// conditions (`$.eventSource = "iam.amazonaws.com"`, `$.errorCode NOT EXISTS`); in the
/// grammar of the module doc:
///
/// ```text
/// Ws "{" Operand { Ws "&&" Operand } Ws "}" Ws
/// Operand = Names | Opens Condition Closes
/// Names   = Opens NameCondition Closes { Ws "||" Opens NameCondition Closes }
/// Opens   = { Ws "(" }        Closes = { Ws ")" }
/// ```
///
/// where an operand's parentheses balance and never close more than they opened (a string
/// of conditions, `||` and parentheses is a disjunction exactly when this holds), and,
/// when there is a `&&`, no `||` is outside every parenthesis (`&&` binds tighter: `A || B
/// && C` is `A || (B && C)`). Whatever the grouping, a `Names` operand's parse tree is a
/// disjunction of its conditions in the order written, of which [`recognise_in_json`]
/// builds one list (one condition alone: that condition), and the `&&`s a conjunction of
/// the operands in order.
///
/// Gives what [`recognise_in_json`] gives, or `None` (the caller asks it): a line with a
/// `*` anywhere, a `&&` inside parentheses, other shapes, more than [`MAX_DEPTH`]
/// parentheses open at once (the general reader reads that many), and whatever it gives
/// up on (a condition is read by [`name_condition_in_json`], or else by
/// [`any_condition`], as the general reader reads it). Unit tests compare the two on
/// generated patterns, edits of them, and the limits of depth and length.
pub(super) fn names_in_json(after_quote: &str) -> Option<(QuickFormula<'_>, usize)> {
    let bytes = after_quote.as_bytes();
    // Wildcards: the general reader's shapes. One vectorised search of the line.
    if memchr::memchr(b'*', bytes).is_some() {
        return None;
    }
    let mut at = ws_in_json(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    // The operand being read: its eventNames, or its one other condition.
    let mut names = Vec::with_capacity(32);
    let mut single: Option<Node<'_>> = None;
    // The operands before a `&&`, and whether a `||` was outside every parenthesis.
    let mut operands = Vec::new();
    let mut or_outside = false;
    let mut depth = 0;
    loop {
        // Before a condition: whitespace and `(`, then the condition's `$`.
        loop {
            match bytes.get(at)? {
                b'$' => break,
                b'(' if depth < MAX_DEPTH => {
                    depth += 1;
                    at += 1;
                }
                _ => match ws_unit_in_json(bytes, at) {
                    0 => return None,
                    n => at += n,
                },
            }
        }
        // The commonest condition's reader called straight: its answer is a few numbers in
        // registers, where `condition`'s (an `Option` of a `Part`) is written to memory in
        // pieces and read back whole, which stalls (a quarter of this function's time in a
        // profile). The others through `condition`, which gives the same for this one.
        match name_condition_in_json(&bytes[at..]) {
            Some((value, end)) if single.is_none() => {
                // The value is between ASCII bytes: character boundaries.
                names.push(&after_quote[at + value.start..at + value.end]);
                at += end;
            }
            Some(_) => return None,
            None => {
                // `at` follows ASCII bytes: a character boundary. (`condition` would try
                // the reader above again.)
                let (rest, part) = any_condition::<InJson>(&after_quote[at..])?;
                match part {
                    Part::Eq { name: true, value } if single.is_none() => names.push(value),
                    part if names.is_empty() && single.is_none() => single = Some(part.into_node()),
                    _ => return None,
                }
                at = bytes.len() - rest.len();
            }
        }
        // After a condition: whitespace and `)`, then `||`, `&&` or the pattern's `}`.
        loop {
            match bytes.get(at)? {
                b')' if depth > 0 => {
                    depth -= 1;
                    at += 1;
                }
                b'|' if bytes.get(at + 1) == Some(&b'|') => {
                    or_outside |= depth == 0;
                    at += 2;
                    break;
                }
                b'&' if bytes.get(at + 1) == Some(&b'&') && depth == 0 => {
                    operands.push(operand(&mut names, &mut single)?);
                    at += 2;
                    break;
                }
                b'}' if depth == 0 => {
                    let last = operand(&mut names, &mut single)?;
                    let root = match operands.is_empty() {
                        true => last,
                        false if or_outside => return None,
                        false => {
                            operands.push(last);
                            Node::And(operands)
                        }
                    };
                    let len = string_end(after_quote, InJson::ws(&after_quote[at + 1..]))?;
                    return Some((QuickFormula::new(root), len));
                }
                _ => match ws_unit_in_json(bytes, at) {
                    0 => return None,
                    n => at += n,
                },
            }
        }
    }
}

/// The operand [`names_in_json`] has read (taken out of `names` and `single`), as
/// [`recognise_in_json`] builds it: one condition, or a list of two or more eventNames.
/// (`None` for neither, or both, which the reading loop never leaves.)
fn operand<'p>(names: &mut Vec<&'p str>, single: &mut Option<Node<'p>>) -> Option<Node<'p>> {
    match (single.take(), names.len()) {
        (Some(node), 0) => Some(node),
        (None, 1) => Some(Node::OneOf {
            name: true,
            values: std::mem::take(names),
        }),
        (None, 2..) => Some(Node::any_of(std::mem::take(names), Vec::new(), Vec::new())),
        _ => None,
    }
}

/// [`InJson`]'s reader of the commonest condition (`Written::name_condition`): at the start
/// of `bytes`, `$.eventName = V` with `V` a bare value of ASCII letters, digits, `_`, `.`
/// and `-` that starts with a letter or `_`, or a quoted value without a `*` or an escape;
/// gives where `V` is and where the condition ends. `None` for anything else, which the
/// general reading ([`any_condition`]) reads or gives up on instead; whenever this gives a
/// value, that reading gives `Part::Eq` with the same value and ends in the same place.
#[inline(always)]
fn name_condition_in_json(bytes: &[u8]) -> Option<(std::ops::Range<usize>, usize)> {
    if bytes.get(..11)? != b"$.eventName" {
        return None;
    }
    // The key ends at `=` or at whitespace before it (no further key character or step).
    let mut i = 11;
    if bytes.get(i) != Some(&b'=') {
        i = ws_in_json(bytes, i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
    }
    let i = ws_in_json(bytes, i + 1);
    let (value, end) = if bytes.get(i..i + 2) == Some(b"\\\"") {
        // Up to the next stop, which must be the closing `\"`.
        let stop = next_stop(bytes, i + 2);
        if bytes.get(stop..stop + 2) != Some(b"\\\"") {
            return None;
        }
        (i + 2..stop, stop + 2)
    } else {
        // A bare token: not empty, not one that might read as a number (a digit, `+`,
        // `-` first), and without a `*` (its class is not 1).
        if !matches!(bytes.get(i), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_')) {
            return None;
        }
        let mut end = i + letters(&bytes[i..]);
        while bytes
            .get(end)
            .is_some_and(|&b| BARE_VALUE_BYTE[usize::from(b)] == 1)
        {
            end += 1;
        }
        (i..end, end)
    };
    // What may end a value. (`&` may too, for `&&`; left to the general reading, which
    // gives the same: the patterns here rarely write `V&&`.)
    match bytes.get(end..)? {
        [b' ' | b')' | b'}' | b'|', ..] | [b'\\', b'n' | b't' | b'r', ..] => Some((value, end)),
        _ => None,
    }
}

/// The length of the JSON whitespace at `bytes[at..]`, one unit of it: a space (1) or an
/// escaped `\n`, `\t`, `\r` (2); 0 for anything else. [`InJson`]'s whitespace.
#[inline(always)]
fn ws_unit_in_json(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at..) {
        Some([b' ', ..]) => 1,
        Some([b'\\', b'n' | b't' | b'r', ..]) => 2,
        _ => 0,
    }
}

/// [`InJson::ws`] on byte positions: the position after the whitespace at `at` (the units
/// of [`ws_unit_in_json`], matched here as one loop: fewer instructions).
#[inline(always)]
fn ws_in_json(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes.get(at..) {
            Some([b' ', ..]) => at += 1,
            Some([b'\\', b'n' | b't' | b'r', ..]) => at += 2,
            _ => return at,
        }
    }
}

/// `Ws "{" Or Ws "}" Ws`, and what follows.
fn braces<W: Written>(i: &str) -> Option<(&str, Part<'_>)> {
    let rest = W::ws(i).strip_prefix('{')?;
    let (rest, root) = or::<W>(rest, 0)?;
    let rest = W::ws(rest).strip_prefix('}')?;
    Some((W::ws(rest), root))
}

/// How the recogniser meets a pattern's text: as it is ([`Plain`]), or still escaped inside
/// a JSON string ([`InJson`]). Everything but whitespace and quotes is the same bytes
/// either way.
trait Written {
    /// Skips the parser's whitespace.
    fn ws(i: &str) -> &str;
    /// Whether a value may end where `rest` starts: at whitespace, one of `)`, `}`, `&`,
    /// `|`, or the end.
    fn ends_value(rest: &str) -> bool;
    /// `rest` after a quoted value's opening quote, when `i` starts with one.
    fn open_quote(i: &str) -> Option<&str>;
    /// What a quoted value's reader does at `bytes[at]`, a `"`, a `\\` or a byte below
    /// 0x20 ([`next_stop`]'s other stops; `*` is noted by the reader).
    fn quote_stop(bytes: &[u8], at: usize) -> Stop;
    /// The commonest condition, `$.eventName = V`, read faster when this writing has a
    /// reader for it: `V` and `i` after it. `None` leaves `i` to [`condition`]'s general
    /// reading, which gives the same value and rest whenever this gives them.
    #[inline(always)]
    fn name_condition(_i: &str) -> Option<(&str, &str)> {
        None
    }

    /// A quoted value after its opening quote: the value, `i` after its closing quote, and
    /// whether the value has a `*`. `None` gives up (an escape, which the parser reads).
    fn quoted(i: &str) -> Option<(&str, &str, bool)> {
        let bytes = i.as_bytes();
        let mut end = 0;
        let mut star = false;
        loop {
            end = next_stop(bytes, end);
            match bytes.get(end)? {
                b'*' => star = true,
                _ => match Self::quote_stop(bytes, end) {
                    // The quote is ASCII: both ends are character boundaries.
                    Stop::Close(len) => return Some((&i[..end], i.get(end + len..)?, star)),
                    Stop::Inside => {}
                    Stop::GiveUp => return None,
                },
            }
            end += 1;
        }
    }
}

/// What a quoted value's reader does at a stop byte ([`Written::quote_stop`]).
enum Stop {
    /// The closing quote, this many bytes long.
    Close(usize),
    /// A byte of the value.
    Inside,
    /// Give up: the parser reads it.
    GiveUp,
}

/// The pattern's text as it is.
enum Plain {}

impl Written for Plain {
    #[inline(always)]
    fn ws(i: &str) -> &str {
        let n = i.bytes().take_while(|&b| is_ws(b)).count();
        // Whitespace is ASCII: `n` is a character boundary.
        &i[n..]
    }

    fn ends_value(rest: &str) -> bool {
        rest.bytes()
            .next()
            .map_or(true, |b| is_ws(b) || matches!(b, b')' | b'}' | b'&' | b'|'))
    }

    fn open_quote(i: &str) -> Option<&str> {
        i.strip_prefix('"')
    }

    fn quote_stop(bytes: &[u8], at: usize) -> Stop {
        match bytes.get(at..) {
            Some([b'"', ..]) => Stop::Close(1),
            // The parser reads escapes.
            Some([b'\\', ..]) => Stop::GiveUp,
            // A control byte, which the parser reads as it is.
            _ => Stop::Inside,
        }
    }
}

/// The pattern's text inside a JSON string, still escaped. It reads whitespace written as a
/// space or as the escapes `\n`, `\t`, `\r`, and a quote written `\"`; it gives up on
/// any other escape, on a byte JSON does not allow in a string (below 0x20) and on the
/// string's closing quote anywhere but after the pattern's `}`. So every value it reads
/// has no escape and is the same text decoded, and the formula is the one [`recognise`]
/// builds from the decoded string, or none.
enum InJson {}

impl Written for InJson {
    #[inline(always)]
    fn ws(i: &str) -> &str {
        let bytes = i.as_bytes();
        // Most calls meet no whitespace.
        if !matches!(bytes.first(), Some(b' ' | b'\\')) {
            return i;
        }
        // Spaces and escapes are ASCII: a character boundary.
        &i[ws_in_json(bytes, 0)..]
    }

    fn ends_value(rest: &str) -> bool {
        let bytes = rest.as_bytes();
        ws_unit_in_json(bytes, 0) > 0 || matches!(bytes.first(), Some(b')' | b'}' | b'&' | b'|'))
    }

    fn open_quote(i: &str) -> Option<&str> {
        i.strip_prefix("\\\"")
    }

    fn quote_stop(bytes: &[u8], at: usize) -> Stop {
        match bytes.get(at..) {
            Some([b'\\', b'"', ..]) => Stop::Close(2),
            // Another escape: the decoded value differs from this text; or the string's
            // end, or a byte JSON does not allow in one.
            _ => Stop::GiveUp,
        }
    }

    #[inline(always)]
    fn name_condition(i: &str) -> Option<(&str, &str)> {
        let (value, end) = name_condition_in_json(i.as_bytes())?;
        // The value is between ASCII bytes, and `end` follows one: character boundaries.
        Some((&i[value], &i[end..]))
    }
}

/// The position of the first `"`, `\`, `*` or byte below 0x20 at or after `from` (the
/// bytes a quoted value's reader looks at), or the end: eight bytes at a time.
fn next_stop(bytes: &[u8], from: usize) -> usize {
    const fn splat(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    const HIGHS: u64 = splat(0x80);
    // A zero byte of `x` borrows in `x - 0x01…01` and sets that byte's high bit, which `!x`
    // keeps only when the byte was below 0x80; bytes after the first marked one may be
    // marked wrongly (a borrow runs on), the first one never is.
    let zero_byte = |x: u64| x.wrapping_sub(splat(1)) & !x & HIGHS;
    let mut at = from;
    while let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*word);
        let marks = zero_byte(word ^ splat(b'"'))
            | zero_byte(word ^ splat(b'\\'))
            | zero_byte(word ^ splat(b'*'))
            | (word.wrapping_sub(splat(0x20)) & !word & HIGHS);
        if marks != 0 {
            return at + marks.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while bytes
        .get(at)
        .is_some_and(|&b| !matches!(b, b'"' | b'\\' | b'*' | 0..=0x1f))
    {
        at += 1;
    }
    at
}

/// What an operand read so far is: one equality (most are), or a node.
enum Part<'p> {
    /// `$.eventName = value` (`name`) or `$.eventSource = value`.
    Eq { name: bool, value: &'p str },
    /// Anything else.
    Node(Node<'p>),
}

impl<'p> Part<'p> {
    fn into_node(self) -> Node<'p> {
        match self {
            Part::Eq { name, value } => Node::OneOf {
                name,
                values: vec![value],
            },
            Part::Node(node) => node,
        }
    }
}

/// The condition `$.eventName = value` (`name`) or `$.eventSource = value` as
/// `canon::lower::text_operand` lowers `value`: an exact text, a prefix (one trailing `*`),
/// or `None` for the other wildcards.
fn text_condition(name: bool, value: &str) -> Option<Part<'_>> {
    let Some(at) = memchr::memchr(b'*', value.as_bytes()) else {
        return Some(Part::Eq { name, value });
    };
    if at == 0 {
        // `*`, `**`, `*abc`, `*abc*`: any value, a suffix, a containment.
        return None;
    }
    match value.strip_suffix('*') {
        // One trailing `*`, no other.
        Some(prefix) if at == prefix.len() => Some(Part::Node(Node::Prefix { name, prefix })),
        // Another `*` before a trailing one: a prefix with a literal `*`; left to the parser.
        Some(_) => None,
        // Only inside: a literal `*`.
        None => Some(Part::Eq { name, value }),
    }
}

/// How many bytes at the start of `bytes` are ASCII letters: eight bytes at a time, then
/// the first other byte found in its word, so the count is exact up to the last whole word
/// of `bytes` (the bytes after it are left to the caller's byte-by-byte loop).
#[inline(always)]
fn letters(bytes: &[u8]) -> usize {
    const fn splat(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    const HIGHS: u64 = splat(0x80);
    let mut at = 0;
    while let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*word);
        // Lower case; a byte is a letter when it is ASCII and between `a` and `z`. Adding
        // `0x80 - c` to a byte below 0x80 sets its high bit exactly when it is at least `c`,
        // and carries into no other byte: each byte's mark is its own.
        let lower = word | splat(0x20);
        let at_least_a = (lower & !HIGHS).wrapping_add(splat(0x80 - b'a'));
        let above_z = (lower & !HIGHS).wrapping_add(splat(0x80 - b'z' - 1));
        let others = !(at_least_a & !above_z & !word) & HIGHS;
        if others != 0 {
            // The lowest marked byte is the first in the text (little-endian).
            return at + others.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at
}

/// The parser's whitespace.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `Or`: the equalities among its operands (flattening operands that are themselves
/// disjunctions) go into one sorted list per field.
fn or<'p, W: Written>(i: &'p str, depth: usize) -> Option<(&'p str, Part<'p>)> {
    let (mut rest, first) = and::<W>(i, depth)?;
    let Some(next) = W::ws(rest).strip_prefix("||") else {
        return Some((rest, first));
    };
    // Room for the usual list of eventNames.
    let mut lists = (Vec::with_capacity(32), Vec::new(), Vec::new());
    /// Adds an operand's part to the lists or the other operands.
    fn add<'p>(lists: &mut (Vec<&'p str>, Vec<&'p str>, Vec<Node<'p>>), part: Part<'p>) {
        let (names, sources, others) = lists;
        match part {
            Part::Eq { name: true, value } => names.push(value),
            Part::Eq { name: false, value } => sources.push(value),
            Part::Node(Node::Or(ops)) => {
                for op in ops {
                    match op {
                        Node::OneOf { name: true, values } => names.extend(values),
                        Node::OneOf {
                            name: false,
                            values,
                        } => sources.extend(values),
                        other => others.push(other),
                    }
                }
            }
            Part::Node(node) => others.push(node),
        }
    }
    add(&mut lists, first);
    let mut next = next;
    loop {
        // The commonest operand, a condition alone or in parentheses and followed by no
        // `&&`, read straight; any other through `And`, which gives the same part for it.
        let (after, part) = match listed_condition::<W>(next, depth) {
            Some(read) => read,
            None => and::<W>(next, depth)?,
        };
        match part {
            // The commonest part, added here rather than through `add`.
            Part::Eq { name: true, value } => lists.0.push(value),
            part => add(&mut lists, part),
        }
        rest = after;
        match W::ws(rest).strip_prefix("||") {
            Some(more) => next = more,
            None => break,
        }
    }
    let (names, sources, others) = lists;
    Some((rest, Part::Node(Node::any_of(names, sources, others))))
}

/// `And`: a conjunction of its operands (flattening conjunctions).
fn and<'p, W: Written>(i: &'p str, depth: usize) -> Option<(&'p str, Part<'p>)> {
    let (mut rest, first) = primary::<W>(i, depth)?;
    if !W::ws(rest).starts_with("&&") {
        return Some((rest, first));
    }
    let mut ops = Vec::new();
    let mut add = |part: Part<'p>| match part {
        Part::Node(Node::And(inner)) => ops.extend(inner),
        part => ops.push(part.into_node()),
    };
    add(first);
    while let Some(next) = W::ws(rest).strip_prefix("&&") {
        let (after, part) = primary::<W>(next, depth)?;
        add(part);
        rest = after;
    }
    Some((rest, Part::Node(Node::And(ops))))
}

/// An operand of a list, `Ws Condition` or `Ws "(" Ws Condition Ws ")"`, when no `&&`
/// follows it (then it is the whole `And`); `None` otherwise, the caller reads it as an
/// `And`.
#[inline(always)]
fn listed_condition<W: Written>(i: &str, depth: usize) -> Option<(&str, Part<'_>)> {
    let i = W::ws(i);
    let (rest, part) = match i.strip_prefix('(') {
        Some(_) if depth >= MAX_DEPTH => return None,
        Some(inner) => condition_in_parens::<W>(inner)?,
        None => condition::<W>(i)?,
    };
    if W::ws(rest).starts_with("&&") {
        return None;
    }
    Some((rest, part))
}

/// `Ws Condition Ws ")"`, after an operand's `(`.
#[inline(always)]
fn condition_in_parens<W: Written>(inner: &str) -> Option<(&str, Part<'_>)> {
    let (rest, part) = condition::<W>(W::ws(inner))?;
    Some((W::ws(rest).strip_prefix(')')?, part))
}

/// `Primary`.
fn primary<W: Written>(i: &str, depth: usize) -> Option<(&str, Part<'_>)> {
    let i = W::ws(i);
    if let Some(inner) = i.strip_prefix('(') {
        if depth >= MAX_DEPTH {
            return None;
        }
        // The commonest operand, `( condition )`, read without the two levels of `Or` and
        // `And` that give the same part for it.
        if let Some(read) = condition_in_parens::<W>(inner) {
            return Some(read);
        }
        let (rest, part) = or::<W>(inner, depth + 1)?;
        let rest = W::ws(rest).strip_prefix(')')?;
        return Some((rest, part));
    }
    condition::<W>(i)
}

/// `Condition`.
#[inline(always)]
fn condition<W: Written>(i: &str) -> Option<(&str, Part<'_>)> {
    match W::name_condition(i) {
        Some((value, rest)) => Some((rest, Part::Eq { name: true, value })),
        None => any_condition::<W>(i),
    }
}

/// `Condition`, read in general.
#[inline(always)]
fn any_condition<W: Written>(i: &str) -> Option<(&str, Part<'_>)> {
    // Compared as byte strings of known length, which the compiler inlines.
    let (name, key_len) = match i.as_bytes() {
        [b'$', b'.', rest @ ..] if rest.starts_with(b"eventName") => (true, 9),
        [b'$', b'.', rest @ ..] if rest.starts_with(b"eventSource") => (false, 11),
        [b'$', b'.', ..] => return other_condition::<W>(i),
        _ => return None,
    };
    // `$.` and the key are ASCII: a character boundary.
    let after = &i[2 + key_len..];
    // The key ends here and the selector has no further step.
    if after
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'['))
    {
        return None;
    }
    let i = W::ws(W::ws(after).strip_prefix('=')?);
    let bytes = i.as_bytes();
    let (value, star, rest) = if let Some(quoted) = W::open_quote(i) {
        let (value, rest, star) = W::quoted(quoted)?;
        (value, star, rest)
    } else {
        // ASCII letters eight at a time (most values are eventNames), then byte by byte.
        let mut end = letters(bytes);
        let mut classes = 0;
        while let Some(&b) = bytes.get(end) {
            let class = BARE_VALUE_BYTE[usize::from(b)];
            if class == 0 {
                break;
            }
            classes |= class;
            end += 1;
        }
        let star = classes & STAR != 0;
        // The bytes read are ASCII: `end` is a character boundary.
        let token = &i[..end];
        // Every byte is a bare value character: the token is one unless it is empty or
        // might read as a number, when the parser's own test decides.
        let might_be_number = matches!(bytes.first(), Some(b'0'..=b'9' | b'+' | b'-'));
        if token.is_empty() || (might_be_number && !is_bare_value_token(token)) {
            return None;
        }
        (token, star, &i[end..])
    };
    if !W::ends_value(rest) {
        return None;
    }
    let part = match star {
        false => Part::Eq { name, value },
        true => text_condition(name, value)?,
    };
    Some((rest, part))
}

/// `Condition` on another field, a memo key's part ([`Node::Other`]):
///
/// ```text
/// Other = "$." Keys Ws ("=" | "!=") Ws OtherValue  |  "$." Keys Ws "NOT EXISTS"
/// Keys  = Key { "." Key }      Key = 1*(ASCII letter, digit or "_")
/// ```
///
/// followed by what may end a value. The parser's keys may also have `-`, and its selectors
/// other steps: those give up here, as do the other operators and keywords, a value with
/// a `*`, and a bare value that starts like a number (`0`-`9`, `+`, `-`). (`$.eventName`
/// and `$.eventSource` followed by more key characters or steps gave up before this.)
fn other_condition<W: Written>(i: &str) -> Option<(&str, Part<'_>)> {
    let bytes = i.as_bytes();
    let mut end = 2;
    loop {
        let start = end;
        while bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            end += 1;
        }
        if end == start {
            return None;
        }
        if bytes.get(end) != Some(&b'.') {
            break;
        }
        end += 1;
    }
    // The selector's bytes are ASCII: `end` is a character boundary.
    let (selector, after) = (&i[2..end], W::ws(&i[end..]));
    let (op, after) = if let Some(rest) = after.strip_prefix("!=") {
        (b'!', rest)
    } else if let Some(rest) = after.strip_prefix('=') {
        (b'=', rest)
    } else {
        // A key character would have been read into the selector: whitespace came first.
        (b'N', after.strip_prefix("NOT EXISTS")?)
    };
    let (value, quoted, rest) = if op == b'N' {
        ("", false, after)
    } else {
        let i = W::ws(after);
        match W::open_quote(i) {
            Some(quoted) => {
                let (value, rest, star) = W::quoted(quoted)?;
                if star {
                    return None;
                }
                (value, true, rest)
            }
            None => {
                let n = i
                    .bytes()
                    .take_while(|&b| BARE_VALUE_BYTE[usize::from(b)] == 1)
                    .count();
                // The bytes read are ASCII: `n` is a character boundary.
                let (value, rest) = i.split_at(n);
                if matches!(
                    value.as_bytes().first(),
                    None | Some(b'0'..=b'9' | b'+' | b'-')
                ) {
                    return None;
                }
                (value, false, rest)
            }
        }
    };
    if !W::ends_value(rest) {
        return None;
    }
    let other = Other {
        selector,
        op,
        value,
        quoted,
    };
    Some((rest, Part::Node(Node::Other(other))))
}

/// The bytes of a bare value token (`syntax::parse::is_bare_value_char`, all ASCII), as a
/// table: 0 for any other byte, [`STAR`] for `*`, 1 for the rest.
const BARE_VALUE_BYTE: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 128 {
        if is_bare_value_char(b as u8 as char) {
            table[b] = if b == b'*' as usize { STAR } else { 1 };
        }
        b += 1;
    }
    table
};

/// [`BARE_VALUE_BYTE`]'s mark of `*`.
const STAR: u8 = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fast::KnownNames;
    use crate::{canon, syntax};

    proptest::proptest! {
        /// [`next_stop`] finds what a byte-by-byte scan finds, from anywhere, in any bytes
        /// (the stops, letters, controls, bytes above 0x80).
        #[test]
        fn next_stop_is_the_first_stop(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'"', b'\\', b'*', 0, 0x1f, 0x20, b'a', 0x7f, 0x80, 0xdf, 0xff,
                ]),
                0..40,
            ),
            from in 0..45usize,
        ) {
            let naive = (from..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | b'*' | 0..=0x1f))
                .unwrap_or(bytes.len().max(from));
            proptest::prop_assert_eq!(next_stop(&bytes, from), naive);
        }
    }

    proptest::proptest! {
        /// [`letters`] counts the leading ASCII letters (exactly, but for those after the
        /// last whole word of eight), over bytes next to the letters' ranges (`@`, `[`,
        /// `` ` ``, `{`) and with the case bit set on others.
        #[test]
        fn letters_counts_the_leading_letters(
            mut bytes in proptest::collection::vec(
                proptest::sample::select(b"azAZqQmM".to_vec()),
                0..40,
            ),
            odd in proptest::sample::select(vec![
                b'@', b'[', b'`', b'{', b'0', b'*', b'_', b' ', 0x7f, 0xc1, 0xe1, 0xfa, 0xda,
            ]),
            at in 0..48usize,
        ) {
            if at <= bytes.len() {
                bytes.insert(at, odd);
            }
            let leading = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let whole_words = bytes.len() / 8 * 8;
            let expected = match leading < whole_words {
                true => leading,
                false => whole_words,
            };
            proptest::prop_assert_eq!(letters(&bytes), expected);
        }
    }

    /// Replaces the character at `at` (or the one before, at a character boundary; at the
    /// end, nothing) with `edit`.
    fn replace_char(text: &mut String, at: usize, edit: &str) {
        let at = (0..=at.min(text.len()))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let next = text[at..].chars().next().map_or(0, char::len_utf8);
        text.replace_range(at..at + next, edit);
    }

    /// A disjunction of `$.eventName` equalities as a JSON string's text (after its opening
    /// quote, with the closing one): each item is a name, whether it is quoted, how many
    /// parentheses open before it and close after it (no more than are open; the last
    /// closes the rest), and the whitespace around its parts.
    fn names_line(
        items: &[(String, bool, usize, usize, [&str; 4])],
        conjuncts: (&str, &str),
        wrapped: bool,
        and_at: usize,
        end: &str,
    ) -> String {
        let mut text = String::new();
        let mut depth = 0;
        for (i, (name, quoted, opens, closes, ws)) in items.iter().enumerate() {
            if i > 0 {
                let op = if i == and_at { "&&" } else { "||" };
                text += &format!("{}{op}", ws[0]);
            }
            for _ in 0..*opens {
                text += &format!("{}(", ws[1]);
            }
            depth += opens;
            let value = match quoted {
                true => format!("\"{name}\""),
                false => name.clone(),
            };
            text += &format!("{}$.eventName{}={}{value}", ws[2], ws[3], ws[1]);
            let closes = match i + 1 == items.len() {
                true => depth,
                false => (*closes).min(depth),
            };
            for _ in 0..closes {
                text += &format!("{})", ws[3]);
            }
            depth -= closes;
        }
        // Beside conditions on other fields, the list in parentheses when `wrapped` (without
        // them, `&&` takes the name next to it).
        let text = match (conjuncts, wrapped) {
            (("", ""), _) | (_, false) => format!("{{{}{text}{}}}", conjuncts.0, conjuncts.1),
            ((before, after), true) => format!("{{{before}({text}){after}}}"),
        };
        let json = serde_json::to_string(&text).expect("a string");
        format!("{}{end}", &json[1..json.len() - 1])
    }

    proptest::proptest! {
        /// [`names_in_json`] reads every generated disjunction of eventNames, grouped and
        /// spaced any way, alone or beside conditions on other fields, and then gives
        /// exactly what [`recognise_in_json`] gives; after one character is replaced by a
        /// snippet (a bracket, an operator, a quote, an escape, a `*`, another field's
        /// condition...), it gives that too or nothing. (The limits of depth and length:
        /// `names_in_json_stops_where_the_recogniser_stops`.)
        #[test]
        fn names_in_json_reads_what_the_recogniser_reads(
            items in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "CreatePolicy", "DeleteGroupPolicy", "AddUserToGroup", "Put_Policy",
                        "A", "x1", "a.b-c", "B ", "1x", "DeleteGroupPolicyVersions",
                    ]),
                    proptest::bool::ANY,
                    0..3usize,
                    0..3usize,
                    proptest::array::uniform4(proptest::sample::select(vec![
                        "", "", " ", "  ", "\n", "\t", "\r\n",
                    ])),
                ),
                1..12,
            ),
            end in proptest::sample::select(vec!["\"", "\" \t", "\"x", "", "\"\""]),
            conjuncts in proptest::sample::select(vec![
                ("", ""),
                ("", ""),
                ("($.eventSource = iam.amazonaws.com) && ", ""),
                ("\n $.eventSource=\"iam.amazonaws.com\"&&", ""),
                ("", " && $.errorCode NOT EXISTS"),
                ("", "&&($.userIdentity.type != \"AWSService\")"),
                ("$.eventSource = x && ", " && $.errorCode = \"a && b || c\""),
                ("$.eventName = A && ", ""),
            ]),
            wrapped in proptest::bool::weighted(0.8),
            // One `&&` among the names (at an index past the list for most cases).
            and_at in 1..40usize,
            edit_at in 0..400usize,
            edit in proptest::sample::select(vec![
                None, Some(""), Some("("), Some(")"), Some("|"), Some("&&"), Some("*"),
                Some("\\\""), Some("\\\\"), Some("\\u0020"), Some(" "), Some("$"),
                Some("$.eventSource = x ||"), Some("$.a = b ||"), Some("{"), Some("}"),
                Some("="), Some("!="), Some("a"), Some("0"), Some("\\n"), Some("\u{e9}"),
            ]),
        ) {
            let items: Vec<_> = items
                .into_iter()
                .map(|(name, quoted, opens, closes, ws)| {
                    // A bare value must be a bare token: a name with a space, or one that
                    // starts like a number, is quoted.
                    let quoted = quoted || name.contains(' ') || name.starts_with('1');
                    (name.to_owned(), quoted, opens, closes, ws)
                })
                .collect();
            let mut line = names_line(&items, conjuncts, wrapped, and_at, end);
            if let Some(edit) = edit {
                replace_char(&mut line, edit_at, edit);
            }
            let fast = names_in_json(&line);
            let general = recognise_in_json(&line);
            let bare = (!wrapped && conjuncts != ("", "") && items.len() > 1)
                || and_at < items.len();
            if edit.is_none()
                && !bare
                && end.starts_with('"')
                && !end.contains('x')
                && end != "\"\""
            {
                proptest::prop_assert!(fast.is_some(), "not read: {line:?}");
            }
            if let Some(fast) = fast {
                proptest::prop_assert_eq!(Some(fast), general, "{:?}", line);
            }
        }
    }

    proptest::proptest! {
        /// [`InJson`]'s reader of `$.eventName = V` gives what the general reading of a
        /// condition gives, whenever it gives anything: over spacings, quoted and bare
        /// values, look-alike keys, and one character replaced by a snippet (a quote, an
        /// escape, a `*`, a digit first, another ending...). It reads every unedited one
        /// whose value starts with a letter.
        #[test]
        fn name_condition_reads_what_condition_reads(
            key in proptest::sample::select(vec![
                "eventName", "eventName", "eventNames", "eventNam",
            ]),
            ws in proptest::array::uniform2(proptest::sample::select(vec![
                "", "", " ", "  ", "\\n", "\\t", "\\r\\n", "\\u0020",
            ])),
            value in proptest::sample::select(vec![
                "CreatePolicy", "x", "a.b-c_d", "Put_1", "DeleteGroupPolicyVersions", "_a",
                "1x", "12", "1e5", "-x", "a b", "a\u{e9}b", "",
            ]),
            quoted in proptest::bool::ANY,
            end in proptest::sample::select(vec![
                "", " ", ")", "}", "||", "&&", "\\n", "\\\"", "x", ",", "]", "\\u0020",
            ]),
            edit_at in 0..60usize,
            edit in proptest::sample::select(vec![
                None, Some(""), Some("*"), Some("\\\""), Some("\\\\"), Some("\""),
                Some(" "), Some("0"), Some("="), Some("."), Some("["), Some("\u{1}"),
            ]),
        ) {
            let value_text = match quoted {
                true => format!("\\\"{value}\\\""),
                false => value.to_owned(),
            };
            let mut text = format!("$.{key}{}={}{value_text}{end}", ws[0], ws[1]);
            if let Some(edit) = edit {
                replace_char(&mut text, edit_at, edit);
            }
            let fast = InJson::name_condition(&text);
            if edit.is_none()
                && key == "eventName"
                && !ws.contains(&"\\u0020")
                && value.starts_with(|c: char| c.is_ascii_alphabetic())
                && (quoted || !value.contains([' ', '\u{e9}']))
                && matches!(end, " " | ")" | "}" | "||" | "\\n")
            {
                proptest::prop_assert!(fast.is_some(), "not read: {text:?}");
            }
            if let Some((value, rest)) = fast {
                let general = any_condition::<InJson>(&text);
                let Some((general_rest, Part::Eq { name: true, value: general_value })) = general
                else {
                    return Err(proptest::test_runner::TestCaseError::fail(format!(
                        "{text:?}: read {value:?}, but not as an eventName equality in general"
                    )));
                };
                proptest::prop_assert_eq!(
                    (value, rest),
                    (general_value, general_rest),
                    "{:?}",
                    text
                );
            }
        }
    }

    /// At the limits the property test does not reach, [`names_in_json`] reads exactly what
    /// [`recognise_in_json`] reads: lists in 63 to 65 parentheses (the general reader reads
    /// [`MAX_DEPTH`] = 64 open at once), alone and beside another condition; patterns of
    /// 1,020 to 1,030 bytes of JSON text either side of AWS's 1,024, spaced before or after
    /// the `}`; and quoted names holding brackets, operators and the other field's key.
    #[test]
    fn names_in_json_stops_where_the_recogniser_stops() {
        let mut lines = Vec::new();
        for depth in [63, 64, 65] {
            for inner in [
                "$.eventName = A",
                "$.eventName = A || $.eventName = B",
                "($.eventName = A) || $.eventName = B",
                "$.eventSource = s",
            ] {
                let (open, close) = ("(".repeat(depth), ")".repeat(depth));
                // The most parentheses open at once.
                let most = depth + usize::from(inner.starts_with('('));
                lines.push((format!("{{{open}{inner}{close}}}\""), most <= MAX_DEPTH));
                lines.push((
                    format!("{{ $.eventSource = s && {open}{inner}{close}}}\""),
                    most <= MAX_DEPTH,
                ));
            }
        }
        let list = "$.eventName = A || $.eventName = B";
        for len in 1020..=1030 {
            for ws in [" ", "\\n"] {
                // `len` bytes of JSON text between the string's quotes, whitespace last.
                let spaces = ws.repeat((len - list.len() - 2) / ws.len());
                let inside = format!("{{{list}{spaces}}}");
                let after = format!("{{{list}}}{spaces}");
                for text in [inside, after] {
                    let fits = text.len() <= AWS_MAX_PATTERN_CHARS;
                    lines.push((format!("{text}\""), fits));
                }
            }
        }
        for name in [
            "a) || (b",
            "x}",
            "a && b",
            "a || $.eventName = b",
            "$.eventSource",
            "(",
            "é)",
        ] {
            let quoted = format!("\\\"{name}\\\"");
            lines.push((
                format!("{{ ($.eventName = {quoted}) || $.eventName = B }}\""),
                true,
            ));
            lines.push((
                format!("{{($.eventName={quoted})&&$.errorCode NOT EXISTS}}\""),
                true,
            ));
        }
        for (line, read) in &lines {
            let fast = names_in_json(line);
            assert_eq!(fast.is_some(), *read, "{line}");
            assert_eq!(fast, recognise_in_json(line), "{line}");
        }
    }

    /// The memo key of what [`recognise`] reads from `pattern`, with `known` names.
    fn key(pattern: &str, known: &KnownNames) -> Option<Vec<u8>> {
        let mut key = Vec::new();
        recognise(pattern)?
            .write_key(&mut key, known)
            .then_some(key)
    }

    /// The memo's soundness: two patterns with the same key have the same canonical form
    /// (and so the same verdict), over lists with look-alike values and conditions on
    /// other fields that differ in one part — selector, operator, value, quoting — and
    /// the same conditions spaced, grouped and ordered otherwise, which share a key.
    #[test]
    fn equal_keys_mean_equal_canonical_forms() {
        let others = [
            "$.errorCode NOT EXISTS",
            "$.errorCode = \"\"",
            "$.errorCode != \"\"",
            "$.errorCode = x",
            "$.errorCode != x",
            "$.errorCode = \"x\"",
            "$.errorCode = \"x \"",
            "$.errorCode = \"x && y\"",
            "$.errorcode = x",
            "$.errorCode.x = x",
            "$.a.b = true",
            "$.a.b = \"true\"",
            "$.a.b = null",
            "$.ab = c",
            "$.a = bc",
            "$.eventSource = x",
            "$.eventSource = \"x\"",
            "$.eventName = x*",
            "$.eventName = x",
        ];
        // Lists with look-alike names: a case, a space, a prefix, a repeat, names of 17 and
        // 25 bytes equal in length and in their first and last eight bytes, an eventSource.
        let lists = [
            "$.eventName = A || $.eventName = \"B\"",
            "$.eventName = B || $.eventName = A || $.eventName = A",
            "$.eventName = B",
            "$.eventName = b || $.eventName = A",
            "$.eventName = \"B \" || $.eventName = A",
            "$.eventName = AB || $.eventName = A",
            "$.eventName = DeleteGroupPolicyVersions || $.eventName = A",
            "$.eventName = DeleteGroupXolicyVersions || $.eventName = A",
            "$.eventName = DeleteGroupPolicy || $.eventName = A",
            "$.eventName = DeleteGrXupPolicy || $.eventName = A",
            "$.eventName = A || $.eventSource = A",
        ];
        let mut patterns = Vec::new();
        for list in lists {
            for other in others {
                patterns.push(format!("{{ ({list}) && {other} }}"));
                patterns.push(format!("{{({list})&&({other})}}"));
                patterns.push(format!("{{ ({list}) ||\t{other} }}"));
                patterns.push(format!("{{ {other} && ({list}) }}"));
            }
            patterns.push(format!("{{ {list} }}"));
        }
        patterns.push("{ $.eventName = \"B\" || $.eventName = A }".to_owned());
        // Without known names, and with the list's names known (written as a bitmap).
        let names = [
            "A",
            "B",
            "b",
            "AB",
            "DeleteGroupPolicyVersions",
            "DeleteGroupPolicy",
            "x",
            "B ",
        ];
        let none = KnownNames::new(&[]);
        let some = KnownNames::new(&names.map(str::to_owned));
        for known in [&none, &some] {
            let mut seen: Vec<(Vec<u8>, String)> = Vec::new();
            let mut read = 0;
            for pattern in &patterns {
                let Some(key) = key(pattern, known) else {
                    continue;
                };
                read += 1;
                let ast = syntax::parse(pattern).expect("the recogniser reads only valid patterns");
                let canonical = canon::lower(&ast).to_string();
                for (other_key, other_canonical) in &seen {
                    if *other_key == key {
                        assert_eq!(*other_canonical, canonical, "{pattern}");
                    }
                }
                seen.push((key, canonical));
            }
            assert_eq!(
                read,
                patterns.len(),
                "the recogniser reads every pattern here"
            );
            // The spellings of one formula share a key; with known names, also the orders.
            let shared = |text: &str| {
                let mine = &seen[patterns.iter().position(|p| p == text).expect("listed")].0;
                seen.iter().filter(|(k, _)| k == mine).count()
            };
            assert!(shared(&patterns[0]) >= 2, "one formula, different keys");
            let orders = shared("{ $.eventName = \"B\" || $.eventName = A }");
            assert_eq!(orders >= 3, std::ptr::eq(known, &some), "{orders}");
        }
    }
}
