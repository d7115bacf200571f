//! Canonical-form unit tests: pattern → canonical text tables and the re-parse law.

use crate::canon::{lower, Canonical};
use crate::syntax::{parse, parse_with, ParseOptions};

fn n(pattern: &str) -> Canonical {
    match parse(pattern) {
        Ok(ast) => lower(&ast),
        Err(e) => panic!("{pattern:?} failed to parse:\n{e}"),
    }
}

/// Canonical text, checked to re-parse to the same canonical form.
fn fmt(pattern: &str) -> String {
    let canonical = n(pattern);
    let text = canonical.to_string();
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let again = lower(&parse_with(&text, relaxed).unwrap_or_else(|e| panic!("{text:?}: {e}")));
    assert_eq!(
        again, canonical,
        "canonical text {text:?} of {pattern:?} re-parses differently"
    );
    text
}

#[test]
fn canonical_text() {
    let cases = [
        ("", ""),
        ("  ", ""),
        ("ERROR", "ERROR"),
        ("WARN ERROR ERROR", "ERROR WARN"),
        ("\"ERROR\"", "ERROR"),
        ("?A ?B C", "C"),
        ("?A -B", "-B"),
        ("?B ?A ?B", "?A ?B"),
        ("-x \"a b\" y", "\"a b\" y -x"),
        ("?a [y]", "\"\" [y]"),
        ("a-b", "a-b"),
        ("{$.a=abc}", "{ $.a = abc }"),
        ("{ $.a = \"abc\" }", "{ $.a = abc }"),
        ("{ $.a = \"200\" }", "{ $.a = \"200\" }"),
        ("{ $.a = 200.0 }", "{ $.a = 200 }"),
        ("{ $.a = 1e+3 }", "{ $.a = 1000 }"),
        ("{ $.a = \"*\" }", "{ $.a = * }"),
        ("{ $.a = \"Put*Policy\" }", "{ $.a = Put*Policy }"),
        ("{ $.a = \"*.html*\" }", "{ $.a = *.html* }"),
        ("{ $.a = \"a b*\" }", "{ $.a = \"a b*\" }"),
        ("{ $.['a'] = 1 }", "{ $.a = 1 }"),
        ("{ $.['a.b'] = 1 }", "{ $.['a.b'] = 1 }"),
        ("{ ($.b = 1) || ($.a = 2) }", "{ $.a = 2 || $.b = 1 }"),
        (
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
            "{ $.a = 1 || ($.b = 2 && $.c = 3) }",
        ),
        (
            "{ ($.a = 1 || $.b = 2) && $.c = 3 }",
            "{ $.c = 3 && ($.a = 1 || $.b = 2) }",
        ),
        ("{ $.a = 1 || ($.a = 1 && $.b = 2) }", "{ $.a = 1 }"),
        (
            "{ (($.a = 1 || ($.b = 2 || $.a = 1))) }",
            "{ $.a = 1 || $.b = 2 }",
        ),
        (
            "{ $.x IS NULL && $.y NOT EXISTS }",
            "{ $.x IS NULL && $.y NOT EXISTS }",
        ),
        ("[ip,user , ...,status=4*]", "[ip, user, ..., status = 4*]"),
        ("[w1=WARN||w1=ERROR, w2]", "[w1 = ERROR || w1 = WARN, w2]"),
        ("[a, , b]", "[a, , b]"),
        ("[]", "[]"),
    ];
    for (input, want) in cases {
        assert_eq!(fmt(input), want, "input {input:?}");
    }
}

#[test]
fn cis_iam_pattern_in_any_form_prints_the_same() {
    let names = [
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "PutGroupPolicy",
        "CreatePolicy",
    ];
    let compact = format!(
        "{{{}}}",
        names.map(|n| format!("($.eventName={n})")).join("||")
    );
    let spaced = format!(
        "{{ {} }}",
        names
            .iter()
            .rev()
            .map(|n| format!("$.eventName = \"{n}\""))
            .collect::<Vec<_>>()
            .join(" ||\n ")
    );
    let nested = format!(
        "{{ ({}) || (({})) }}",
        names[..2]
            .iter()
            .map(|n| format!("$.eventName={n}"))
            .collect::<Vec<_>>()
            .join("||"),
        names[2..]
            .iter()
            .map(|n| format!("$.eventName=\"{n}\""))
            .collect::<Vec<_>>()
            .join(" || ")
    );
    assert_eq!(fmt(&compact), fmt(&spaced));
    assert_eq!(fmt(&compact), fmt(&nested));
}
