//! Table tests for `crate::regex`; property tests live in `tests/prop.rs`.

use super::*;
use RegexErrorKind as K;

mod prop;

fn re(body: &str) -> Regex {
    match Regex::parse(body) {
        Ok(r) => r,
        Err(e) => panic!("{body:?} should parse, got {e} at {}", e.offset()),
    }
}

fn check_matches(table: &[(&str, &str, bool)]) {
    for &(body, hay, expected) in table {
        assert_eq!(re(body).is_match(hay), expected, "%{body}% on {hay:?}");
    }
}

/// Every `%…%` case of conformance.jsonl (JSON strings unescaped), plus the
/// regexes embedded in its JSON and space-delimited cases, applied to the
/// value/field they are tested against.
#[test]
fn conformance_cases() {
    check_matches(&[
        ("AUTHORIZED", "[SUCCESS 200] AUTHORIZED REQUEST", true),
        ("gra|ey", "gray", true),
        ("gra|ey", "grey", true),
        (
            "^starting|^initializing|^shutting down",
            "starting ...",
            true,
        ),
        (
            "^starting|^initializing|^shutting down",
            "initializing ...",
            true,
        ),
        (
            "^starting|^initializing|^shutting down",
            "shutting down",
            true,
        ),
        (
            "^starting|^initializing|^shutting down",
            "skipping initializing ...",
            false,
        ),
        ("abcc|ab[^c]$", "aba", true),
        ("abcc|ab[^c]$", "aac ...", false),
        (r"\[.\]", "[a]", true),
        (r"\[.\]", "[b]", true),
        (r"\[.\]", "[7]", true),
        (r"\[.\]", "[]]", true),
        (r"\[.\]", "[ ]", true),
        (r"10\.10\.0\.1", "10.10.0.1", true),
        ("10.10.0.1", "10010,051", true),
        ("ab*c", "abc", true),
        ("ab*c", "abbbc", true),
        ("ab[0-9]*", "ab", true),
        ("ab[0-9]*", "ab0", true),
        ("ab+c", "abc", true),
        ("ab+c", "abbc", true),
        ("ab+c", "abbbc", true),
        ("ab+c", "ac", false),
        (".at", "hat", true),
        (".at", "cat", true),
        (".at", "4at", true),
        (r"\x28", "(", true),
        ("[abc]", "a", true),
        ("[abcx-z]", "a", true),
        ("[abcx-z]", "b", true),
        ("[abcx-z]", "x", true),
        ("[abcx-z]", "y", true),
        ("[abcx-z]", "z", true),
        ("^[hc]at", "hat trick", true),
        ("^[hc]at", "a hat", false),
        ("^a{3,5}$", "aa", false),
        (r"\d", "port 80", true),
        (r"\D", "port 80", true),
        (r"\s", "a b", true),
        (r"\w", "_", true),
        (r"10\.10\.0\.1", "from 10010,051", false),
        (r"a\-b", "a-b", true),
        (r"\\", "back\\slash", true),
        // Embedded: `{ $.eventType = %Trail% }`, `[ip=%127\.0\.0\.[1-9]%, …]`,
        // `url=%/service/resource/[0-9]+$%`, `…/[0-9]+/part/[0-9]+$%`, `w1=%WARN%`.
        ("Trail", "UpdateTrail", true),
        (r"127\.0\.0\.[1-9]", "127.0.0.1", true),
        ("/service/resource/[0-9]+$", "/service/resource/67", true),
        (
            "/service/resource/[0-9]+/part/[0-9]+$",
            "/service/resource/67/part/111",
            true,
        ),
        (
            "/service/resource/[0-9]+/part/[0-9]+$",
            "/service/resource/67",
            false,
        ),
        ("WARN", "WARNING", true),
    ]);
}

#[test]
fn valid_syntax() {
    check_matches(&[
        // literals from the allow-list
        ("a:b_c#d=e@f/g;h,i-j k", "xx a:b_c#d=e@f/g;h,i-j k yy", true),
        ("Error", "error", false),
        ("[Ee]rror", "error", true),
        // dot
        ("a.c", "a\nc", false),
        ("a.c", "a\rc", true),
        ("a.c", "aéc", true),
        ("a.c", "ac", false),
        // anchors
        ("^$", "", true),
        ("^$", "x", false),
        ("^", "anything", true),
        ("$", "", true),
        ("^a|b$", "ab", true),
        ("^a|b$", "ba", false),
        ("a^b", "ab", false),
        ("a$b", "ab", false),
        ("^^a$$", "a", true),
        ("x$", "x\n", false),
        // alternation and empty branches
        ("a|", "zzz", true),
        ("|a", "", true),
        ("", "", true),
        ("", "anything", true),
        ("a||b", "c", true),
        ("cat|dog", "hotdog", true),
        ("cat|dog", "cow", false),
        // quantifiers
        ("x*", "", true),
        ("x*", "abc", true),
        ("^x*$", "xxxx", true),
        ("^x*$", "xxyx", false),
        ("colou?r", "color", true),
        ("colou?r", "colour", true),
        ("colou?r", "colouur", false),
        ("a{2,3}", "aa", true),
        ("a{2,3}", "aaaa", true),
        ("a{2,3}", "a", false),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,3}$", "aaa", true),
        ("^a{2}$", "aa", true),
        ("^a{2}$", "aaa", false),
        ("^a{2,}$", "a", false),
        ("^a{2,}$", "aaaaaaa", true),
        ("^a{,2}$", "", true),
        ("^a{,2}$", "aa", true),
        ("^a{,2}$", "aaa", false),
        ("^a{0}b$", "b", true),
        ("^a{0}b$", "ab", false),
        ("^a{0,0}$", "", true),
        ("^a{007}$", "aaaaaaa", true),
        ("^a{1000}$", &"a".repeat(1000), true),
        ("^a{1000}$", &"a".repeat(999), false),
        ("^a+$", "", false),
        ("^[ab]+c", "abbac", true),
        // classes
        ("[^a]", "é", true),
        ("[^a]", "a", false),
        ("[^a]", "\n", true),
        ("^[^a]$", "日", true),
        ("[-a]", "-", true),
        ("[a-]", "-", true),
        ("[^-]", "-", false),
        ("[a-c-e]", "-", true),
        ("[a-c-e]", "d", false),
        ("[--/]", ".", true),
        (r"[\d_]", "_", true),
        (r"[\d_]", "7", true),
        (r"[\d_]", "x", false),
        (r"[\]]", "]", true),
        (r"[\[\]]", "[", true),
        (r"[\x41-\x43]", "B", true),
        (r"[\x41-\x43]", "D", false),
        ("[.*+?$|{}]", "}", true),
        ("[.*+?$|{}]", "a", false),
        ("[a^]", "^", true),
        ("[^^]", "^", false),
        (r"[\s]", "\t", true),
        (r"[\S]", "\t", false),
        (r"[^\d]", "5", false),
        (r"[^\D]", "5", true),
        (r"[\w\s]", "-", false),
        (r"[^\w]", "é", true),
        // escapes
        (r"\d+", "abc", false),
        (r"\D", "123", false),
        (r"\D", "12é", true),
        (r"\s", "a\u{b}b", true),
        (r"\s", "a\u{c}b", true),
        (r"\s", "a\u{a0}b", false),
        (r"\S", "   ", false),
        (r"\w", "---", false),
        (r"\W", "abc", false),
        (r"\W", "aé", true),
        (r"\x21", "hi!", true),
        (r"\x25", "100%", true),
        (r"\x0a", "a\nb", true),
        (r"\x7F", "\u{7f}", true),
        (r"\.", "a", false),
        (r"\*\+\?\{\}\|\^\$\(\)", "*+?{}|^$()", true),
        (r"\!\%\/\'\<", "!%/'<", true),
        // multi-byte haystacks
        ("b", "ébé", true),
        ("^.b.$", "ébé", true),
        ("^..$", "é", false),
    ]);
}

#[test]
fn error_cases() {
    let table: &[(&str, RegexErrorKind, usize, usize)] = &[
        ("error!", K::DisallowedChar { ch: '!' }, 5, 1),
        ("100%", K::DisallowedChar { ch: '%' }, 3, 1),
        ("a\tb", K::DisallowedChar { ch: '\t' }, 1, 1),
        ("a\"b", K::DisallowedChar { ch: '"' }, 1, 1),
        ("it's", K::DisallowedChar { ch: '\'' }, 2, 1),
        ("<a>", K::DisallowedChar { ch: '<' }, 0, 1),
        ("a&b", K::DisallowedChar { ch: '&' }, 1, 1),
        ("a]", K::DisallowedChar { ch: ']' }, 1, 1),
        ("a}", K::DisallowedChar { ch: '}' }, 1, 1),
        ("[a[]", K::DisallowedChar { ch: '[' }, 2, 1),
        ("[a!]", K::DisallowedChar { ch: '!' }, 2, 1),
        ("(a|b)", K::Parenthesis { ch: '(' }, 0, 1),
        ("ab)", K::Parenthesis { ch: ')' }, 2, 1),
        ("[(]", K::Parenthesis { ch: '(' }, 1, 1),
        ("café", K::NonAscii { ch: 'é' }, 3, 2),
        ("[é]", K::NonAscii { ch: 'é' }, 1, 2),
        ("a\\é", K::NonAscii { ch: 'é' }, 2, 2),
        ("日本", K::NonAscii { ch: '日' }, 0, 3),
        ("*a", K::NothingToRepeat { quantifier: '*' }, 0, 1),
        ("a|+b", K::NothingToRepeat { quantifier: '+' }, 2, 1),
        ("^*", K::NothingToRepeat { quantifier: '*' }, 1, 1),
        ("a$?", K::NothingToRepeat { quantifier: '?' }, 2, 1),
        ("a**", K::NothingToRepeat { quantifier: '*' }, 2, 1),
        ("a*?", K::NothingToRepeat { quantifier: '?' }, 2, 1),
        ("a+?", K::NothingToRepeat { quantifier: '?' }, 2, 1),
        ("a{2}{3}", K::NothingToRepeat { quantifier: '{' }, 4, 3),
        ("{2}", K::NothingToRepeat { quantifier: '{' }, 0, 3),
        ("a{x}", K::InvalidRepetition, 1, 2),
        ("a{}", K::InvalidRepetition, 1, 2),
        ("a{,}", K::InvalidRepetition, 1, 3),
        ("a{1", K::InvalidRepetition, 1, 2),
        ("a{1,2", K::InvalidRepetition, 1, 4),
        ("a{1 }", K::InvalidRepetition, 1, 3),
        ("a{", K::InvalidRepetition, 1, 1),
        ("{", K::InvalidRepetition, 0, 1),
        ("a{5000}", K::RepetitionTooLarge { count: 5000 }, 2, 4),
        ("a{1,1001}", K::RepetitionTooLarge { count: 1001 }, 4, 4),
        (
            "a{99999999999999999999999}",
            K::RepetitionTooLarge { count: u64::MAX },
            2,
            23,
        ),
        ("a{3,2}", K::RepetitionReversed { min: 3, max: 2 }, 1, 5),
        ("[abc", K::UnclosedClass, 0, 4),
        (r"[a\]", K::UnclosedClass, 0, 4),
        ("x[", K::UnclosedClass, 1, 1),
        ("[^", K::UnclosedClass, 0, 2),
        ("[a-", K::UnclosedClass, 0, 3),
        ("[]", K::EmptyClass, 0, 2),
        ("[]a]", K::EmptyClass, 0, 2),
        ("x[^]", K::EmptyClass, 1, 3),
        (
            "[z-a]",
            K::ReversedRange {
                start: 'z',
                end: 'a',
            },
            1,
            3,
        ),
        (
            r"[\x43-\x41]",
            K::ReversedRange {
                start: 'C',
                end: 'A',
            },
            1,
            9,
        ),
        (r"[a-\d]", K::ClassRangeEndpoint, 1, 4),
        ("abc\\", K::TrailingBackslash, 3, 1),
        ("[\\", K::TrailingBackslash, 1, 1),
        (r"\b", K::UnknownEscape { ch: 'b' }, 0, 2),
        (r"a\n", K::UnknownEscape { ch: 'n' }, 1, 2),
        (r"\1", K::UnknownEscape { ch: '1' }, 0, 2),
        ("\\ ", K::UnknownEscape { ch: ' ' }, 0, 2),
        (r"[\q]", K::UnknownEscape { ch: 'q' }, 1, 2),
        (r"\x4", K::InvalidHexEscape, 0, 3),
        (r"\xZZ", K::InvalidHexEscape, 0, 3),
        (r"\x{41}", K::InvalidHexEscape, 0, 3),
        (r"\x4g", K::InvalidHexEscape, 0, 4),
        (r"\x", K::InvalidHexEscape, 0, 2),
        (r"a\x4é", K::InvalidHexEscape, 1, 5),
        (r"\xE9", K::HexEscapeNotAscii { value: 0xE9 }, 0, 4),
        (r"[\x80]", K::HexEscapeNotAscii { value: 0x80 }, 1, 4),
    ];
    for (body, kind, offset, len) in table {
        let err = match Regex::parse(body) {
            Ok(_) => panic!("{body:?} should be rejected with {kind:?}"),
            Err(e) => e,
        };
        assert_eq!(
            (err.kind(), err.offset(), err.len()),
            (kind, *offset, *len),
            "{body:?}: {err}"
        );
        assert!(
            body.get(err.span()).is_some(),
            "{body:?}: span is not on char boundaries"
        );
    }
}

#[test]
fn too_large() {
    let big = "[a-z]{1000}".repeat(21);
    let err = Regex::parse(&big).unwrap_err();
    assert_eq!(
        (err.kind(), err.offset(), err.len()),
        (&K::TooLarge, 0, big.len())
    );
    // 19 × 1000 copies + a little fits under 20,000 states.
    assert!(Regex::parse(&"a{1000}".repeat(19)).is_ok());
    // Unbounded and optional forms count too.
    assert!(Regex::parse(&"a{0,1000}".repeat(9)).is_ok());
    assert!(Regex::parse(&"a{0,1000}".repeat(10)).is_err());
    // A large but legal program still matches correctly.
    let r = re(&format!("^{}", "a{1000}".repeat(19)));
    assert!(r.is_match(&"a".repeat(19_000)));
    assert!(!r.is_match(&"a".repeat(18_999)));
}

#[test]
fn messages() {
    let msg = |body: &str| Regex::parse(body).unwrap_err().to_string();
    assert_eq!(
        msg("a!"),
        r"'!' is not allowed in a regex; write it as \x21"
    );
    assert_eq!(
        msg("a\tb"),
        r"'\t' is not allowed in a regex; write it as \x09"
    );
    assert_eq!(
        msg("(x"),
        r"parentheses are not supported in a regex; write \x28 for a literal '('"
    );
    assert_eq!(
        msg("x)"),
        r"parentheses are not supported in a regex; write \x29 for a literal ')'"
    );
    assert!(msg("é").starts_with("non-ASCII character 'é' is not allowed in a regex"));
    assert!(msg("*").starts_with("nothing to repeat before '*'"));
    assert_eq!(
        msg("a{5000}"),
        "repetition count 5000 is too large; the limit is 1000"
    );
    assert_eq!(
        msg(r"\xE9"),
        r"\xE9 is not an ASCII character; only \x00 to \x7F are allowed"
    );
    assert_eq!(
        msg("a{3,2}"),
        "repetition {3,2} has its minimum above its maximum; write {2,3}"
    );
    assert_eq!(msg("[z-a]"), "range z-a is out of order; write a-z");
    let bodies = [
        "a!",
        "(",
        "é",
        "*",
        "a{x}",
        "a{5000}",
        "a{9999999999999999999999}",
        "a{3,2}",
        "[a",
        "[]",
        "[z-a]",
        r"[a-\w]",
        "\\",
        r"\n",
        r"\t",
        r"\r",
        r"\q",
        r"\x1",
        r"\xFF",
    ];
    for body in bodies {
        let m = msg(body);
        assert!(!m.is_empty() && !m.ends_with('.'), "{body:?}: {m}");
        assert!(
            m.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{body:?}: {m}"
        );
        assert_eq!(Regex::parse(body).unwrap_err().to_string(), m);
    }
    let e: Box<dyn std::error::Error> = Box::new(Regex::parse("!").unwrap_err());
    assert!(e.to_string().contains("\\x21"));
}

#[test]
fn ast_shape() {
    let r = re(r"^a|b{2,}c?|[^x]{,3}$|");
    assert_eq!(r.source(), r"^a|b{2,}c?|[^x]{,3}$|");
    let alts = r.alternatives();
    assert_eq!(alts.len(), 4);
    let shape: Vec<Vec<(u32, Option<u32>)>> = alts
        .iter()
        .map(|s| s.pieces().iter().map(|p| (p.min(), p.max())).collect())
        .collect();
    assert_eq!(
        shape,
        vec![
            vec![(1, Some(1)), (1, Some(1))],
            vec![(2, None), (0, Some(1))],
            vec![(0, Some(3)), (1, Some(1))],
            vec![],
        ]
    );
    assert_eq!(alts[0].pieces()[0].atom(), &Atom::Start);
    assert_eq!(
        alts[0].pieces()[1].atom(),
        &Atom::Class(CharClass::single('a'))
    );
    assert_eq!(
        alts[2].pieces()[0].atom(),
        &Atom::Class(CharClass::single('x').negate())
    );
    assert_eq!(alts[2].pieces()[1].atom(), &Atom::End);
    assert_eq!(re("").alternatives().len(), 1);
    assert!(re("").alternatives()[0].pieces().is_empty());
    // Quantifier forms.
    let q = |body: &str| {
        let r = re(body);
        let p = &r.alternatives()[0].pieces()[0];
        (p.min(), p.max())
    };
    assert_eq!(q("a?"), (0, Some(1)));
    assert_eq!(q("a*"), (0, None));
    assert_eq!(q("a+"), (1, None));
    assert_eq!(q("a{4}"), (4, Some(4)));
    // Escapes and `.` become the documented classes.
    let class = |body: &str| match re(body).alternatives()[0].pieces()[0].atom() {
        Atom::Class(c) => c.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(class(r"\d").ranges(), &[('0', '9')]);
    assert_eq!(
        class(r"\w").ranges(),
        &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]
    );
    assert_eq!(class(r"\s").ranges(), &[('\t', '\r'), (' ', ' ')]);
    assert_eq!(class("."), CharClass::single('\n').negate());
    assert_eq!(class(r"\W"), class(r"[^\w]"));
    assert_eq!(class("[a-cb-e]").ranges(), &[('a', 'e')]);
    assert_eq!(class(r"\x41"), CharClass::single('A'));
}

#[test]
fn regex_traits() {
    let a = re("a+b");
    let b = re("a+b");
    let c = re("aa*b");
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a < c);
    let mut set = std::collections::HashSet::new();
    set.insert(a.clone());
    assert!(set.contains(&b));
    assert_eq!(a.to_string(), "a+b");
    assert!(format!("{a:?}").contains("a+b"));
    assert_eq!("a+b".parse::<Regex>().unwrap(), a);
    assert_eq!(serde_json::to_string(&re(r"\d+|x")).unwrap(), r#""\\d+|x""#);
    let back: Regex = serde_json::from_str(r#""\\d+|x""#).unwrap();
    assert_eq!(back, re(r"\d+|x"));
    assert!(back.is_match("7"));
    assert!(serde_json::from_str::<Regex>(r#""(x""#).is_err());
}

#[test]
fn char_class_basics() {
    let c = CharClass::new([
        ('d', 'f'),
        ('a', 'b'),
        ('c', 'c'),
        ('x', 'z'),
        ('y', 'y'),
        ('q', 'p'),
    ]);
    assert_eq!(c.ranges(), &[('a', 'f'), ('x', 'z')]);
    assert!(c.contains('a') && c.contains('f') && c.contains('y'));
    assert!(!c.contains('g') && !c.contains('w') && !c.contains('é'));
    assert!(CharClass::new([('b', 'a')]).is_empty());
    assert!(CharClass::empty().is_empty());
    assert!(CharClass::any().is_any());
    assert_eq!(CharClass::any().ranges(), &[('\0', char::MAX)]);
    assert_eq!(CharClass::empty().negate(), CharClass::any());
    assert_eq!(CharClass::any().negate(), CharClass::empty());
    // The surrogate gap: U+D7FF and U+E000 are adjacent scalar values.
    let gap = CharClass::new([('\u{D000}', '\u{D7FF}'), ('\u{E000}', '\u{E0FF}')]);
    assert_eq!(gap.ranges(), &[('\u{D000}', '\u{E0FF}')]);
    assert_eq!(
        CharClass::new([('\0', '\u{D7FF}'), ('\u{E000}', char::MAX)]),
        CharClass::any()
    );
    assert_eq!(
        CharClass::single('\u{D7FF}').negate().ranges(),
        &[('\0', '\u{D7FE}'), ('\u{E000}', char::MAX)]
    );
    assert_eq!(
        CharClass::single('\u{E000}').negate().ranges(),
        &[('\0', '\u{D7FF}'), ('\u{E001}', char::MAX)]
    );
    assert_eq!(
        CharClass::single('\0').negate().ranges(),
        &[('\u{1}', char::MAX)]
    );
    assert_eq!(
        CharClass::single(char::MAX).negate().ranges(),
        &[('\0', '\u{10FFFE}')]
    );
    assert_eq!(
        CharClass::new([('\0', char::MAX), ('a', 'b')]),
        CharClass::any()
    );
    let lower = CharClass::new([('a', 'z')]);
    let vowels = CharClass::new("aeiou".chars().map(|c| (c, c)));
    assert_eq!(lower.intersect(&vowels), vowels);
    assert_eq!(lower.union(&vowels), lower);
    assert!(vowels.is_subset(&lower) && !lower.is_subset(&vowels));
    assert_eq!(lower.difference(&vowels).ranges().len(), 5);
    assert!(lower.intersect(&CharClass::digit()).is_empty());
}

#[test]
fn no_exponential_blowup() {
    // Classic backtracking killers: a?^n a^n against a^n, and nested stars.
    let n = 40;
    let body = format!("^{}{}$", "a?".repeat(n), "a".repeat(n));
    assert!(re(&body).is_match(&"a".repeat(n)));
    assert!(!re(&body).is_match(&"a".repeat(2 * n + 1)));
    let long = format!("{}!", " ".repeat(100_000));
    assert!(!re(r"\s*\s*\s*\s*x").is_match(&long));
    assert!(re(r"\s*\s*\s*\s*\x21$").is_match(&long));
    assert!(re("[a-z]*x").is_match(&format!("{}x", "q".repeat(100_000))));
}
