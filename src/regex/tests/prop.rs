//! Property tests: the Pike VM against a naive backtracking reference, the
//! parser against arbitrary input, and the `CharClass` laws.

use super::super::*;
use proptest::prelude::*;

/// A generated regex, kept independent of the crate's AST so the test covers
/// rendering → parsing → compiling → matching.
#[derive(Debug, Clone)]
enum GAtom {
    Lit(char),
    Dot,
    /// `\d \D \s \S \w \W`
    Esc(char),
    /// `\xhh`
    Hex(char),
    Class {
        negated: bool,
        items: Vec<GItem>,
    },
    Start,
    End,
}

#[derive(Debug, Clone)]
enum GItem {
    Ch(char),
    Range(char, char),
    Esc(char),
}

#[derive(Debug, Clone, Copy)]
enum GQuant {
    One,
    Opt,
    Star,
    Plus,
    Exact(u32),
    Between(u32, u32),
    AtLeast(u32),
    AtMost(u32),
}

type GPiece = (GAtom, GQuant);
type GRegex = Vec<Vec<GPiece>>;

const LITERALS: &[char] = &['a', 'b', 'c', ' ', '-', '_', '1'];
const ESCAPES: &[char] = &['d', 'D', 's', 'S', 'w', 'W'];
const HAY: &[char] = &['a', 'b', 'c', ' ', '-', '_', '1', '\n', 'é'];

/// Mostly `a` and `b`, so that repetitions line up with the haystack.
fn lit() -> impl Strategy<Value = char> {
    prop_oneof![3 => prop::sample::select(&['a', 'b'][..]), 1 => prop::sample::select(LITERALS)]
}

fn item() -> impl Strategy<Value = GItem> {
    prop_oneof![
        lit().prop_map(GItem::Ch),
        (lit(), lit()).prop_map(|(a, b)| GItem::Range(a.min(b), a.max(b))),
        prop::sample::select(ESCAPES).prop_map(GItem::Esc),
    ]
}

fn atom() -> impl Strategy<Value = GAtom> {
    prop_oneof![
        4 => lit().prop_map(GAtom::Lit),
        1 => Just(GAtom::Dot),
        1 => prop::sample::select(ESCAPES).prop_map(GAtom::Esc),
        1 => prop::sample::select(HAY).prop_filter("ascii", char::is_ascii).prop_map(GAtom::Hex),
        2 => (any::<bool>(), prop::collection::vec(item(), 1..4))
            .prop_map(|(negated, items)| GAtom::Class { negated, items }),
        1 => Just(GAtom::Start),
        1 => Just(GAtom::End),
    ]
}

fn quant() -> impl Strategy<Value = GQuant> {
    prop_oneof![
        6 => Just(GQuant::One),
        1 => Just(GQuant::Opt),
        1 => Just(GQuant::Star),
        1 => Just(GQuant::Plus),
        1 => (0u32..3).prop_map(GQuant::Exact),
        1 => (0u32..3, 0u32..3).prop_map(|(a, b)| GQuant::Between(a.min(b), a.max(b))),
        1 => (0u32..3).prop_map(GQuant::AtLeast),
        1 => (0u32..3).prop_map(GQuant::AtMost),
    ]
}

fn piece() -> impl Strategy<Value = GPiece> {
    (atom(), quant()).prop_map(|(a, q)| match a {
        GAtom::Start | GAtom::End => (a, GQuant::One),
        _ => (a, q),
    })
}

/// An alternative, anchored at either end half of the time so that counts matter.
fn alternative() -> impl Strategy<Value = Vec<GPiece>> {
    (
        any::<bool>(),
        prop::collection::vec(piece(), 0..5),
        any::<bool>(),
    )
        .prop_map(|(start, mut pieces, end)| {
            if start {
                pieces.insert(0, (GAtom::Start, GQuant::One));
            }
            if end {
                pieces.push((GAtom::End, GQuant::One));
            }
            pieces
        })
}

fn regex() -> impl Strategy<Value = GRegex> {
    prop::collection::vec(alternative(), 1..4)
}

fn haystack() -> impl Strategy<Value = String> {
    let ch =
        prop_oneof![3 => prop::sample::select(&['a', 'b'][..]), 1 => prop::sample::select(HAY)];
    prop::collection::vec(ch, 0..9).prop_map(|v| v.into_iter().collect())
}

fn render_char(c: char, out: &mut String) {
    if c == '-' {
        out.push_str("\\-");
    } else {
        out.push(c);
    }
}

fn render(re: &GRegex) -> String {
    let mut out = String::new();
    for (i, alt) in re.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        for (atom, q) in alt {
            match atom {
                GAtom::Lit(c) => out.push(*c),
                GAtom::Dot => out.push('.'),
                GAtom::Esc(e) => {
                    out.push('\\');
                    out.push(*e);
                }
                GAtom::Hex(c) => out.push_str(&format!("\\x{:02x}", u32::from(*c))),
                GAtom::Start => out.push('^'),
                GAtom::End => out.push('$'),
                GAtom::Class { negated, items } => {
                    out.push('[');
                    if *negated {
                        out.push('^');
                    }
                    for it in items {
                        match it {
                            GItem::Ch(c) => render_char(*c, &mut out),
                            GItem::Range(a, b) => {
                                render_char(*a, &mut out);
                                out.push('-');
                                render_char(*b, &mut out);
                            }
                            GItem::Esc(e) => {
                                out.push('\\');
                                out.push(*e);
                            }
                        }
                    }
                    out.push(']');
                }
            }
            match q {
                GQuant::One => {}
                GQuant::Opt => out.push('?'),
                GQuant::Star => out.push('*'),
                GQuant::Plus => out.push('+'),
                GQuant::Exact(n) => out.push_str(&format!("{{{n}}}")),
                GQuant::Between(m, n) => out.push_str(&format!("{{{m},{n}}}")),
                GQuant::AtLeast(m) => out.push_str(&format!("{{{m},}}")),
                GQuant::AtMost(n) => out.push_str(&format!("{{,{n}}}")),
            }
        }
    }
    out
}

fn esc_matches(e: char, c: char) -> bool {
    match e {
        'd' => c.is_ascii_digit(),
        'w' => c.is_ascii_alphanumeric() || c == '_',
        's' => matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}'),
        _ => !esc_matches(e.to_ascii_lowercase(), c),
    }
}

fn atom_matches(a: &GAtom, c: char) -> bool {
    match a {
        GAtom::Lit(l) | GAtom::Hex(l) => *l == c,
        GAtom::Dot => c != '\n',
        GAtom::Esc(e) => esc_matches(*e, c),
        GAtom::Class { negated, items } => {
            let inside = items.iter().any(|it| match it {
                GItem::Ch(x) => *x == c,
                GItem::Range(a, b) => *a <= c && c <= *b,
                GItem::Esc(e) => esc_matches(*e, c),
            });
            inside != *negated
        }
        GAtom::Start | GAtom::End => false,
    }
}

fn bounds(q: GQuant) -> (usize, Option<usize>) {
    let (min, max) = match q {
        GQuant::One => (1, Some(1)),
        GQuant::Opt => (0, Some(1)),
        GQuant::Star => (0, None),
        GQuant::Plus => (1, None),
        GQuant::Exact(n) => (n, Some(n)),
        GQuant::Between(m, n) => (m, Some(n)),
        GQuant::AtLeast(m) => (m, None),
        GQuant::AtMost(n) => (0, Some(n)),
    };
    (min as usize, max.map(|n| n as usize))
}

/// Naive backtracking: does `pieces` match `hay` starting at `pos`, in any way
/// (the rest of the haystack is ignored)? The depth is at most `pieces.len()`.
fn match_here(pieces: &[GPiece], hay: &[char], pos: usize) -> bool {
    let Some(((atom, q), rest)) = pieces.split_first() else {
        return true;
    };
    match atom {
        GAtom::Start => pos == 0 && match_here(rest, hay, pos),
        GAtom::End => pos == hay.len() && match_here(rest, hay, pos),
        _ => {
            let (min, max) = bounds(*q);
            let mut run = 0;
            while pos + run < hay.len() && atom_matches(atom, hay[pos + run]) {
                run += 1;
            }
            let max = max.map_or(run, |m| m.min(run));
            (min..=max).any(|k| match_here(rest, hay, pos + k))
        }
    }
}

fn reference(re: &GRegex, hay: &str) -> bool {
    let hay: Vec<char> = hay.chars().collect();
    (0..=hay.len()).any(|start| re.iter().any(|alt| match_here(alt, &hay, start)))
}

/// Interesting chars for CharClass laws: the edges of the scalar range and of
/// the surrogate gap, plus some ASCII.
const EDGES: &[char] = &[
    '\0',
    '\u{1}',
    'a',
    'b',
    'c',
    'z',
    '\u{7f}',
    '\u{80}',
    '\u{D7FE}',
    '\u{D7FF}',
    '\u{E000}',
    '\u{E001}',
    '\u{FFFF}',
    '\u{10000}',
    '\u{10FFFE}',
    char::MAX,
];

fn ranges() -> impl Strategy<Value = Vec<(char, char)>> {
    prop::collection::vec(
        (prop::sample::select(EDGES), prop::sample::select(EDGES)),
        0..5,
    )
}

fn naive_contains(ranges: &[(char, char)], c: char) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
}

fn assert_canonical(c: &CharClass) {
    for &(lo, hi) in c.ranges() {
        assert!(lo <= hi, "{c:?}");
    }
    for w in c.ranges().windows(2) {
        let (prev_hi, next_lo) = (w[0].1, w[1].0);
        // There must be a scalar value strictly between the two ranges.
        let gap = (u32::from(prev_hi) + 1..u32::from(next_lo)).any(|v| char::from_u32(v).is_some());
        assert!(gap, "not canonical: {c:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn vm_agrees_with_backtracking(re in regex(), hays in prop::collection::vec(haystack(), 1..6)) {
        let body = render(&re);
        let parsed = Regex::parse(&body);
        prop_assert!(parsed.is_ok(), "{body:?} rejected: {:?}", parsed.err());
        let Ok(parsed) = parsed else { return Ok(()) };
        prop_assert_eq!(parsed.source(), body.as_str());
        prop_assert_eq!(parsed.alternatives().len(), re.len());
        for hay in &hays {
            prop_assert_eq!(parsed.is_match(hay), reference(&re, hay), "%{}% on {:?}", body, hay);
        }
    }

    #[test]
    fn parse_never_panics(body in "[a-c(){}\\[\\]^$|*+?.,0-9\\\\xdDsSwW!%é\t -]{0,12}", hay in haystack()) {
        match Regex::parse(&body) {
            Ok(r) => {
                let _ = r.is_match(&hay);
                prop_assert_eq!(r.source(), body.as_str());
            }
            Err(e) => {
                prop_assert!(body.get(e.span()).is_some(), "{:?}: bad span {:?}", body, e.span());
                prop_assert!(!e.to_string().is_empty());
                prop_assert!(!e.is_empty() || body.is_empty());
            }
        }
    }

    #[test]
    fn char_class_laws(a in ranges(), b in ranges()) {
        let ca = CharClass::new(a.iter().copied());
        let cb = CharClass::new(b.iter().copied());
        let not_a = ca.negate();
        let inter = ca.intersect(&cb);
        let union = ca.union(&cb);
        for c in [&ca, &cb, &not_a, &inter, &union] {
            assert_canonical(c);
        }
        prop_assert_eq!(&not_a.negate(), &ca);
        prop_assert_eq!(&ca.intersect(&not_a), &CharClass::empty());
        prop_assert_eq!(&ca.union(&not_a), &CharClass::any());
        prop_assert_eq!(&inter, &cb.intersect(&ca));
        prop_assert_eq!(&union, &cb.union(&ca));
        prop_assert_eq!(&union.negate(), &not_a.intersect(&cb.negate()));
        prop_assert_eq!(CharClass::new(ca.ranges().iter().copied()), ca.clone());
        prop_assert_eq!(inter.is_subset(&ca), true);
        prop_assert_eq!(ca.is_subset(&union), true);
        for &e in EDGES {
            let in_a = naive_contains(&a, e);
            let in_b = naive_contains(&b, e);
            prop_assert_eq!(ca.contains(e), in_a);
            prop_assert_eq!(not_a.contains(e), !in_a);
            prop_assert_eq!(inter.contains(e), in_a && in_b);
            prop_assert_eq!(union.contains(e), in_a || in_b);
        }
        // Order is by ranges, so equal sets compare equal.
        prop_assert_eq!(ca.cmp(&CharClass::new(a.iter().rev().copied())), std::cmp::Ordering::Equal);
    }
}
