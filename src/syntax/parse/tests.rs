//! Parser unit tests: tables of pattern → printed tree, and pattern → error kind and span.

use super::*;
use crate::syntax::ast::PatternKind;

/// Parses and prints back (as written).
fn p(pattern: &str) -> String {
    match parse(pattern) {
        Ok(ast) => ast.to_string(),
        Err(e) => panic!("{pattern:?} failed to parse:\n{e}"),
    }
}

/// The error's message and span.
fn p_err(pattern: &str) -> (String, usize, usize) {
    match parse(pattern) {
        Ok(ast) => panic!("{pattern:?} parsed as {ast:?}"),
        Err(e) => (e.kind().to_string(), e.span().start, e.span().end),
    }
}

#[test]
fn prints_as_written() {
    let cases = [
        ("", ""),
        ("   ", ""),
        ("ERROR", "ERROR"),
        ("ERROR  -DEBUG ?WARN", "ERROR -DEBUG ?WARN"),
        (r#""a phrase" ?"x y""#, r#""a phrase" ?"x y""#),
        (r#""a \"q\" b\\c""#, r#""a \"q\" b\\c""#),
        ("%ab+c%", "%ab+c%"),
        ("{$.a=b}", "{ $.a = b }"),
        (
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
            "{ $.a = 1 || $.b = 2 && $.c = 3 }",
        ),
        ("{(($.a=1))}", "{ (($.a = 1)) }"),
        (
            "{ $.a.b[0][*].c.['k.x'] IS NULL }",
            "{ $.a.b[0][*].c.['k.x'] IS NULL }",
        ),
        ("{ $.a.*.b = 1 }", "{ $.a.*.b = 1 }"),
        (
            "{ $.a NOT EXISTS && $.b IS TRUE || $.c IS FALSE }",
            "{ $.a NOT EXISTS && $.b IS TRUE || $.c IS FALSE }",
        ),
        ("{ $.a>=+1e-3 }", "{ $.a >= +1e-3 }"),
        ("{ $.a = %x{2}% }", "{ $.a = %x{2}% }"),
        ("{ $.a = \"*\" }", "{ $.a = \"*\" }"),
        (
            "{ $.sourceIPAddress != 123.123.* }",
            "{ $.sourceIPAddress != 123.123.* }",
        ),
        ("[]", "[]"),
        ("[ ]", "[]"),
        ("[a,b , ...]", "[a, b, ...]"),
        (
            "[..., request=*.html*, status_code=4*,]",
            "[..., request = *.html*, status_code = 4*, ]",
        ),
        ("[w1=ERROR||w1=WARN, w2]", "[w1 = ERROR || w1 = WARN, w2]"),
        (
            "[w1!=ERROR&&w1!=WARNING, w2]",
            "[w1 != ERROR && w1 != WARNING, w2]",
        ),
        ("[a, , b]", "[a, , b]"),
        ("[,]", "[, ]"),
        ("{ $.a = 1 }\n", "{ $.a = 1 }"),
        ("{ $.a\t=\n1 }", "{ $.a = 1 }"),
    ];
    for (input, want) in cases {
        assert_eq!(p(input), want, "input {input:?}");
    }
}

#[test]
fn kinds() {
    let kind = |s: &str| parse(s).map(|p| p.kind);
    assert!(matches!(kind(" "), Ok(PatternKind::Empty)));
    assert!(matches!(kind("a"), Ok(PatternKind::Terms { .. })));
    assert!(matches!(kind(" {$.a=1}"), Ok(PatternKind::Json { .. })));
    assert!(matches!(kind("[a]"), Ok(PatternKind::Delimited { .. })));
}

#[test]
fn precedence_and_binds_tighter() {
    let ast = parse("{ $.a = 1 || $.b = 2 && $.c = 3 }").unwrap();
    let PatternKind::Json { expr } = ast.kind else {
        panic!()
    };
    let crate::syntax::ast::Expr::Or { operands, .. } = expr else {
        panic!("top is not ||")
    };
    assert_eq!(operands.len(), 2);
    assert!(matches!(operands[1], crate::syntax::ast::Expr::And { .. }));
}

#[test]
fn errors() {
    let cases: &[(&str, &str, usize, usize)] = &[
        ("{ $.a = }", "expected a value after '='", 8, 9),
        ("{ $.a > abc }", "expected a number after '>'", 8, 11),
        ("{ $.a > \"5\" }", "expected a number after '>'", 8, 11),
        (
            "{ eventName = x }",
            "expected a selector starting with '$.', such as '$.eventName'",
            2,
            11,
        ),
        (
            "{ $eventName = x }",
            "expected a selector starting with '$.', such as '$.eventName'",
            2,
            4,
        ),
        (
            "{ $.a IS NOT NULL }",
            "'IS NOT' is not supported; use '!=' or 'NOT EXISTS' to negate a test",
            6,
            12,
        ),
        (
            "{ $.a is null }",
            "keywords are upper case; write 'IS NULL'",
            6,
            13,
        ),
        (
            "{ $.a EXISTS }",
            "'EXISTS' is not supported; use '= *' to test that a field exists",
            6,
            12,
        ),
        (
            "{ $.a IS }",
            "expected NULL, TRUE or FALSE after 'IS'",
            9,
            10,
        ),
        (
            "{ $.a = 'x' }",
            "single quotes do not delimit values; use double quotes",
            8,
            9,
        ),
        (
            "{ $.a = b:c }",
            "':' cannot appear in an unquoted value; put the value in double quotes",
            9,
            10,
        ),
        (
            "{ $.a = 1 & $.b = 2 }",
            "'&' is not an operator; write '&&'",
            10,
            11,
        ),
        (
            "{ ($.a = 1 }",
            "expected ')' to close an earlier '('",
            11,
            12,
        ),
        (
            "{ $.a = 1 ",
            "expected '&&', '||' or '}' after a condition",
            10,
            10,
        ),
        ("{ }", "expected a condition", 2, 3),
        (
            "{ $.a = 1 } || { $.b = 2 }",
            "unexpected text after the closing '}'; a pattern is a single expression",
            12,
            26,
        ),
        (
            "{ $.a = \"x }",
            "unclosed quoted string; missing '\"'",
            8,
            9,
        ),
        ("{ $.a = %x }", "unclosed regex; missing '%'", 8, 9),
        (
            "{ $.a. = 1 }",
            "expected a key, '*' or \"['key']\" after '.'",
            6,
            7,
        ),
        (
            "{ $.a[x] = 1 }",
            "expected an array index, '*' or a quoted key after '['",
            6,
            7,
        ),
        (
            "{ $.a 1 }",
            "expected an operator (=, !=, <, <=, >, >=, IS or NOT EXISTS) after the selector",
            6,
            7,
        ),
        ("ERROR -", "expected a term after '-'", 6, 7),
        ("\"a\"\"b\"", "expected whitespace between terms", 3, 4),
        ("\"abc", "unclosed quoted string; missing '\"'", 0, 1),
        ("[a b]", "expected ',' or ']' after a field", 3, 4),
        (
            "[a = 1 && b = 2]",
            "every condition in one entry must be about the same field, here 'a'",
            10,
            11,
        ),
        ("[a, a]", "this field name is already used", 4, 5),
        (
            "[..., a, ...]",
            "only one '...' is allowed in a pattern",
            9,
            12,
        ),
        (
            "[a || a = 1]",
            "expected a comparison after the field name in a chain of conditions",
            1,
            2,
        ),
        (
            "[\"GET\", path]",
            "expected a field name, '...' or ','",
            1,
            2,
        ),
        (
            "{ $.a = %x% || $.b = %y% || $.c = %z% }",
            "a pattern may contain at most 2 regexes",
            34,
            37,
        ),
        (
            "{ $.a[*].b.* = 1 }",
            "a selector may contain at most one wildcard ('[*]' or '.*')",
            2,
            12,
        ),
        (
            "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }",
            "a pattern may contain at most 3 selectors with wildcards",
            44,
            50,
        ),
    ];
    for &(input, message, start, end) in cases {
        assert_eq!(
            p_err(input),
            (message.to_owned(), start, end),
            "input {input:?}"
        );
    }
}

#[test]
fn too_long_and_too_deep() {
    let long = format!("{{ $.a = \"{}\" }}", "x".repeat(1100));
    let e = parse(&long).unwrap_err();
    assert_eq!(e.offset(), 1024);
    assert!(e.kind().to_string().contains("1112 characters"));
    assert!(parse_with(
        &long,
        ParseOptions {
            aws_limits: false,
            ..ParseOptions::default()
        }
    )
    .is_ok());

    let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(500), ")".repeat(500));
    let opts = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let e = parse_with(&deep, opts).unwrap_err();
    assert_eq!(
        e.kind().to_string(),
        "parentheses are nested too deeply; the limit is 100 levels"
    );
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "{",
        "[",
        "{(",
        "[(",
        "{$",
        "{$.",
        "{$.[",
        "{$.['",
        "%",
        "-",
        "?",
        "\"",
        "\\",
        "{ $.a = \"\\",
        "[a=",
        "[a=\"",
        "[...",
        "{ $.a = é }",
        "é",
        "{ $.é = 1 }",
        "{ $.a = 1 }}",
        "[a]]",
        "{ $.a = %(% }",
        "{ $.a = %é% }",
        "{$.a=1&&}",
        "{$.a=1||(}",
        "[a=1 && (a=2 || a=3)]",
    ];
    for input in odd {
        let _ = parse(input);
    }
}
