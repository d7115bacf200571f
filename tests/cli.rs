//! Golden tests of the `cwpattern` binary against the command-line contract
//! (`shared/spec/cli-contract.md`) for the commands that exist: `fmt` and `parse`.
//!
//! Each test builds a table of cases, runs the binary for each, and hands the expected and
//! actual results, both rendered as text, to [`check_runs`].

mod common;

use serde_json::Value;

use common::{run, run_os, Outcome, Run};
use cwpattern::{canon, syntax};

/// `fmt` of the CIS IAM policy-changes pattern (16 eventNames, CIS 3.4/4.4/5.4).
const CIS_IAM_CANONICAL: &str = "{ $.eventName = AttachGroupPolicy || \
$.eventName = AttachRolePolicy || $.eventName = AttachUserPolicy || \
$.eventName = CreatePolicy || $.eventName = CreatePolicyVersion || \
$.eventName = DeleteGroupPolicy || $.eventName = DeletePolicy || \
$.eventName = DeletePolicyVersion || $.eventName = DeleteRolePolicy || \
$.eventName = DeleteUserPolicy || $.eventName = DetachGroupPolicy || \
$.eventName = DetachRolePolicy || $.eventName = DetachUserPolicy || \
$.eventName = PutGroupPolicy || $.eventName = PutRolePolicy || $.eventName = PutUserPolicy }";

/// Hand-written spellings of the CIS IAM pattern that `fmt` must print identically.
const CIS_IAM_VARIANTS: &[(&str, &str)] = &[
    (
        "reversed order, no parentheses, spaced",
        "{ $.eventName = DetachGroupPolicy || $.eventName = AttachGroupPolicy || \
         $.eventName = DetachUserPolicy || $.eventName = AttachUserPolicy || \
         $.eventName = DetachRolePolicy || $.eventName = AttachRolePolicy || \
         $.eventName = DeletePolicyVersion || $.eventName = CreatePolicyVersion || \
         $.eventName = DeletePolicy || $.eventName = CreatePolicy || \
         $.eventName = PutUserPolicy || $.eventName = PutRolePolicy || \
         $.eventName = PutGroupPolicy || $.eventName = DeleteUserPolicy || \
         $.eventName = DeleteRolePolicy || $.eventName = DeleteGroupPolicy }",
    ),
    (
        "newlines, tabs and carriage returns between tokens",
        "{\n\t($.eventName = DeleteGroupPolicy) ||\r\n\t($.eventName=DeleteRolePolicy)||\n\
         ($.eventName\t=\tDeleteUserPolicy) || ($.eventName = PutGroupPolicy)\n||\n\
         ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) ||\n\
         ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) ||\n\
         ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) ||\n\
         ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) ||\n\
         ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) ||\n\
         ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)\n}\n",
    ),
    (
        "every value double-quoted, some keys bracketed",
        r#"{ ($.eventName = "DeleteGroupPolicy") || ($.['eventName'] = "DeleteRolePolicy") || ($.eventName = "DeleteUserPolicy") || ($.eventName = "PutGroupPolicy") || ($.eventName = "PutRolePolicy") || ($.eventName = "PutUserPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreatePolicyVersion") || ($.eventName = "DeletePolicyVersion") || ($.eventName = "AttachRolePolicy") || ($.eventName = "DetachRolePolicy") || ($.eventName = "AttachUserPolicy") || ($.eventName = "DetachUserPolicy") || ($.eventName = "AttachGroupPolicy") || ($.['eventName'] = "DetachGroupPolicy") }"#,
    ),
    (
        "redundant and nested parentheses",
        "{ ((($.eventName=DeleteGroupPolicy))) || (($.eventName=DeleteRolePolicy || \
         ($.eventName=DeleteUserPolicy))) || ((($.eventName=PutGroupPolicy) || \
         ($.eventName=PutRolePolicy)) || $.eventName=PutUserPolicy) || \
         ($.eventName=CreatePolicy || ($.eventName=DeletePolicy || \
         ($.eventName=CreatePolicyVersion || ($.eventName=DeletePolicyVersion)))) || \
         (($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)) || \
         (($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)) || \
         (($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)) }",
    ),
    (
        "duplicated operands",
        "{ $.eventName = CreatePolicy || $.eventName = DeleteGroupPolicy || \
         $.eventName = DeleteRolePolicy || $.eventName = DeleteUserPolicy || \
         $.eventName = CreatePolicy || $.eventName = PutGroupPolicy || \
         $.eventName = PutRolePolicy || $.eventName = PutUserPolicy || \
         $.eventName = DeletePolicy || $.eventName = CreatePolicyVersion || \
         $.eventName = \"CreatePolicy\" || $.eventName = DeletePolicyVersion || \
         $.eventName = AttachRolePolicy || $.eventName = DetachRolePolicy || \
         $.eventName = AttachUserPolicy || $.eventName = DetachUserPolicy || \
         $.eventName = AttachGroupPolicy || $.eventName = DetachGroupPolicy || \
         ($.eventName = DetachGroupPolicy) || $.eventName = DeleteGroupPolicy }",
    ),
    (
        "everything at once: shuffled, quoted, nested, duplicated, compact",
        "{(($.eventName=\"PutUserPolicy\"||$.eventName=AttachGroupPolicy))||\
         ($.eventName=DeleteGroupPolicy)||$.eventName=\"DetachUserPolicy\"||\
         (($.eventName=CreatePolicyVersion||$.eventName=DeleteRolePolicy)||\
         $.eventName=DetachRolePolicy)||$.eventName=PutGroupPolicy||\
         $.eventName=\"DeletePolicy\"||($.eventName=AttachUserPolicy)||\
         $.eventName=DeleteUserPolicy||$.eventName=PutRolePolicy||\
         $.eventName=CreatePolicy||$.eventName=DeletePolicyVersion||\
         $.eventName=AttachRolePolicy||$.eventName=DetachGroupPolicy||\
         $.eventName=PutUserPolicy||(((($.eventName=AttachGroupPolicy))))}",
    ),
    (
        "leading and trailing whitespace around the braces",
        "   \t{ $.eventName = AttachGroupPolicy || $.eventName = AttachRolePolicy || \
         $.eventName = AttachUserPolicy || $.eventName = CreatePolicy || \
         $.eventName = CreatePolicyVersion || $.eventName = DeleteGroupPolicy || \
         $.eventName = DeletePolicy || $.eventName = DeletePolicyVersion || \
         $.eventName = DeleteRolePolicy || $.eventName = DeleteUserPolicy || \
         $.eventName = DetachGroupPolicy || $.eventName = DetachRolePolicy || \
         $.eventName = DetachUserPolicy || $.eventName = PutGroupPolicy || \
         $.eventName = PutRolePolicy || $.eventName = PutUserPolicy }   \n",
    ),
];

#[test]
fn fmt_prints_the_canonical_form() {
    let cases: &[(&str, &[&str], Option<&str>, &str)] = &[
        (
            "terms",
            &["fmt", r#"ERROR  -DEBUG ?WARN "a b""#],
            None,
            r#"ERROR "a b" -DEBUG"#,
        ),
        (
            "optional terms only",
            &["fmt", "?WARN ?ERROR"],
            None,
            "?ERROR ?WARN",
        ),
        (
            "json",
            &["fmt", "{$.a=\"1\"&&$.b=x}"],
            None,
            r#"{ $.a = "1" && $.b = x }"#,
        ),
        (
            "delimited",
            &["fmt", "[ip,  user , ..., status=4*]"],
            None,
            "[ip, user, ..., status = 4*]",
        ),
        ("empty pattern", &["fmt", ""], None, ""),
        (
            "`--` ends the options",
            &["fmt", "--", "-ERROR"],
            None,
            "-ERROR",
        ),
        (
            "stdin with -",
            &["fmt", "-"],
            Some("{ $.a = \"x\" }\n"),
            "{ $.a = x }",
        ),
        ("stdin with no argument", &["fmt"], Some("ERROR\n"), "ERROR"),
        ("empty stdin", &["fmt"], Some(""), ""),
    ];
    let outcomes = cases
        .iter()
        .map(|&(name, args, stdin, want)| {
            let actual = run(args, stdin.map(str::as_bytes));
            let expected = Run {
                code: Some(0),
                stdout: format!("{want}\n"),
                stderr: String::new(),
            };
            outcome(name, &invocation(args, stdin), &expected, &actual)
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn stdin_pattern_drops_one_trailing_newline() {
    let cases: &[(&str, &[&str], &str, &str)] = &[
        ("one newline", &["fmt", "--json", "-"], "ERROR\n", "ERROR"),
        (
            "two newlines",
            &["fmt", "--json", "-"],
            "ERROR\n\n",
            "ERROR\n",
        ),
        ("crlf", &["fmt", "--json", "-"], "ERROR\r\n", "ERROR"),
        ("no newline", &["fmt", "--json", "-"], "ERROR", "ERROR"),
        ("no argument", &["fmt", "--json"], "ERROR\n\n", "ERROR\n"),
        (
            "inner newlines kept",
            &["fmt", "--json"],
            "{ $.a = 1 &&\n$.b = 2 }\n",
            "{ $.a = 1 &&\n$.b = 2 }",
        ),
    ];
    let outcomes = cases
        .iter()
        .map(|&(name, args, stdin, want)| {
            let run = run(args, Some(stdin.as_bytes()));
            let actual = match serde_json::from_str::<Value>(&run.stdout) {
                Ok(doc) => format!("exit {:?}, pattern {}", run.code, doc["pattern"]),
                Err(e) => format!("{}\n(stdout is not JSON: {e})", run.summary()),
            };
            let expected = format!("exit Some(0), pattern {}", Value::from(want));
            Outcome {
                name: name.to_owned(),
                input: invocation(args, Some(stdin)),
                expected,
                actual,
            }
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn invalid_pattern_exits_2_with_a_diagram_on_stderr() {
    let cases: &[(&str, &[&str], Option<&str>, &str)] = &[
        (
            "fmt, json",
            &["fmt", "{ $.a = }"],
            None,
            "filter pattern parse error:\n    { $.a = }\n            ^\n\
             error: expected a value after '=' at offset 8\n",
        ),
        (
            "parse, delimited",
            &["parse", "[ip, user, ip]"],
            None,
            "filter pattern parse error:\n    [ip, user, ip]\n               ^^\n     -- (related)\n\
             error: this field name is already used at offset 11\n",
        ),
        (
            "parse --json, terms",
            &["parse", "--json", "ERROR \"x"],
            None,
            "filter pattern parse error:\n    ERROR \"x\n          ^\n\
             error: unclosed quoted string; missing '\"' at offset 6\n",
        ),
        (
            "fmt --json, regex",
            &["fmt", "--json", "%a(b%"],
            None,
            "filter pattern parse error:\n    %a(b%\n       ^\n\
             error: invalid regex: parentheses are not supported in a regex; \
             write \\x28 for a literal '(' at offset 3\n",
        ),
        (
            "stdin, error on the second line",
            &["fmt", "-"],
            Some("{ $.eventName = CreatePolicy ||\n  $.eventName = b:c }\n"),
            "filter pattern parse error:\n      $.eventName = b:c }\n                     ^\n\
             error: ':' cannot appear in an unquoted value; put the value in double quotes \
             at offset 49 (line 2, column 18)\n",
        ),
        (
            "non-ASCII before the error: byte offset, caret by character",
            &["fmt", "{ $.a = \"é\" && $.b IS NOT NULL }"],
            None,
            "filter pattern parse error:\n    { $.a = \"é\" && $.b IS NOT NULL }\n\
             \x20                      ^^^^^^\n\
             error: 'IS NOT' is not supported; use '!=' or 'NOT EXISTS' to negate a test \
             at offset 20\n",
        ),
        (
            "the CIS 1.3 transcription with '$eventName'",
            &["fmt", "{($.eventName=CreatePolicy)||($eventName=DetachRolePolicy)}"],
            None,
            "filter pattern parse error:\n    \
             {($.eventName=CreatePolicy)||($eventName=DetachRolePolicy)}\n\
             \x20                                 ^^\n\
             error: expected a selector starting with '$.', such as '$.eventName' at offset 30\n",
        ),
    ];
    let outcomes = cases
        .iter()
        .map(|&(name, args, stdin, want)| {
            let actual = run(args, stdin.map(str::as_bytes));
            let expected = Run {
                code: Some(2),
                stdout: String::new(),
                stderr: want.to_owned(),
            };
            outcome(name, &invocation(args, stdin), &expected, &actual)
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn unusable_arguments_and_input_exit_2() {
    // (name, arguments, standard input as bytes)
    type Case<'a> = (&'a str, &'a [&'a str], Option<&'a [u8]>);
    let cases: &[Case] = &[
        ("unknown flag", &["fmt", "--bogus", "ERROR"], None),
        (
            "unknown flag after the positional",
            &["parse", "ERROR", "--nope"],
            None,
        ),
        (
            "a pattern that looks like a flag, without --",
            &["fmt", "-ERROR"],
            None,
        ),
        ("two positionals", &["fmt", "a", "b"], None),
        ("unknown command", &["frobnicate", "ERROR"], None),
        ("no command", &[], None),
        ("--batch without a file", &["fmt", "--batch"], None),
        (
            "--batch with a pattern too",
            &["fmt", "--batch", "-", "ERROR"],
            Some(b"\"x\"\n"),
        ),
        (
            "--batch of a missing file",
            &["fmt", "--batch", "/nonexistent/cwpattern.jsonl"],
            None,
        ),
        (
            "--batch line that is not JSON",
            &["fmt", "--batch", "-"],
            Some(b"ERROR\n"),
        ),
        (
            "stdin that is not UTF-8",
            &["fmt", "-"],
            Some(b"ERROR \xff\xfe\n"),
        ),
    ];
    let mut outcomes: Vec<Outcome> = cases
        .iter()
        .map(|&(name, args, stdin)| {
            let shown_stdin = stdin.map(String::from_utf8_lossy);
            let input = invocation(args, shown_stdin.as_deref());
            unusable_outcome(name, input, &run(args, stdin))
        })
        .collect();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let not_utf8 = std::ffi::OsStr::from_bytes(b"ERROR \xff");
        outcomes.push(unusable_outcome(
            "argument that is not UTF-8",
            "cwpattern fmt $'ERROR \\xff'".to_owned(),
            &run_os([std::ffi::OsStr::new("fmt"), not_utf8], None),
        ));
    }
    check_runs(&outcomes);
}

#[test]
fn options_may_follow_the_positional() {
    let pattern = "{ $.b = 2 && $.a = 1 }";
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "fmt --json",
            &["fmt", pattern, "--json"],
            &["fmt", "--json", pattern],
        ),
        (
            "parse --json",
            &["parse", pattern, "--json"],
            &["parse", "--json", pattern],
        ),
        (
            "parse: --json is the default",
            &["parse", pattern],
            &["parse", "--json", pattern],
        ),
    ];
    let outcomes = cases
        .iter()
        .map(|&(name, args, reference)| {
            let expected = run(reference, None);
            outcome(name, &invocation(args, None), &expected, &run(args, None))
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn fmt_prints_cis_iam_variants_identically() {
    let reference = realworld_lines()
        .into_iter()
        .find(|doc| doc["control"] == "CIS 4.4 IAM policy changes")
        .and_then(|doc| doc["pattern"].as_str().map(str::to_owned))
        .expect("the corpus holds the CIS 4.4 pattern");
    let mut cases = vec![("the CIS text (corpus line 1)", reference.as_str())];
    cases.extend(CIS_IAM_VARIANTS.iter().copied());
    assert!(cases.len() > 6, "at least 6 hand-written variants");
    let outcomes = cases
        .iter()
        .map(|&(name, pattern)| {
            let expected = Run {
                code: Some(0),
                stdout: format!("{CIS_IAM_CANONICAL}\n"),
                stderr: String::new(),
            };
            let args = ["fmt", pattern];
            outcome(name, &invocation(&args, None), &expected, &run(&args, None))
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn fmt_output_is_a_fixed_point() {
    let mut patterns: Vec<(String, String)> = realworld_lines()
        .iter()
        .enumerate()
        .filter(|(_, doc)| doc["expect_parse"] == "ok")
        .map(|(n, doc)| {
            let name = format!("realworld_patterns.jsonl:{}", n + 1);
            (name, doc["pattern"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    patterns.extend(
        CIS_IAM_VARIANTS
            .iter()
            .map(|(name, p)| ((*name).to_owned(), (*p).to_owned())),
    );
    let extra = [
        r#"ERROR -"DEBUG x" ?WARN %a\d+%"#,
        "{ $.a > 1e3 && ($.b IS NULL || $.c NOT EXISTS) && $.d[*].e = \"x y\" }",
        "[ip, , ..., code = 4* || code = 5*, bytes >= 1000 && bytes < 2e3]",
        "{ $.['a.b'] != %^x$% }",
        " ",
    ];
    patterns.extend(extra.iter().map(|p| ((*p).to_owned(), (*p).to_owned())));
    let outcomes = patterns
        .iter()
        .map(|(name, pattern)| {
            let once = run(&["fmt", pattern], None);
            let line = once.stdout.strip_suffix('\n').unwrap_or(&once.stdout);
            let twice = run(&["fmt", line], None);
            outcome(name, &invocation(&["fmt", line], None), &once, &twice)
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn fmt_batch_prints_one_result_per_corpus_line() {
    let path = common::corpus_path("realworld_patterns.jsonl");
    let path = path.to_str().expect("the corpus path is UTF-8");
    let run = run(&["fmt", "--batch", path], None);
    let docs = realworld_lines();
    let expected_lines: Vec<String> = docs.iter().map(expected_batch_line).collect();
    let actual_lines: Vec<String> = run
        .stdout
        .lines()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(doc) => batch_line(&doc),
            Err(e) => format!("not JSON ({e}): {line}"),
        })
        .collect();
    let expected = format!("exit Some(0)\n{}", expected_lines.join("\n"));
    let actual = format!("exit {:?}\n{}", run.code, actual_lines.join("\n"));
    let mut outcomes = vec![Outcome {
        name: "fmt --batch corpus/realworld_patterns.jsonl".to_owned(),
        input: format!("fmt --batch {path}"),
        expected,
        actual,
    }];

    let stdin = "\"ERROR\"\n\n{\"pattern\": \"{ $.a = }\", \"other\": 1}\n";
    let run = self::run(&["fmt", "--batch", "-"], Some(stdin.as_bytes()));
    let actual_lines: Vec<String> = run
        .stdout
        .lines()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(doc) => batch_line(&doc),
            Err(e) => format!("not JSON ({e}): {line}"),
        })
        .collect();
    outcomes.push(Outcome {
        name: "fmt --batch - (a string, a blank line, an object)".to_owned(),
        input: invocation(&["fmt", "--batch", "-"], Some(stdin)),
        expected: "exit Some(0)\n\"ERROR\" -> canonical \"ERROR\"\n\
                   \"{ $.a = }\" -> error at offset 8"
            .to_owned(),
        actual: format!("exit {:?}\n{}", run.code, actual_lines.join("\n")),
    });
    check_runs(&outcomes);
}

#[test]
fn parse_json_is_a_syntax_tree_with_a_kind() {
    let cases = [
        ("", "empty"),
        ("ERROR -DEBUG", "terms"),
        ("%a+%", "terms"),
        ("{ $.a = 1 }", "json"),
        ("[ip, ..., status = 404]", "delimited"),
    ];
    let outcomes = cases
        .iter()
        .map(|&(pattern, kind)| {
            let args = ["parse", "--json", pattern];
            let run = run(&args, None);
            let actual = match serde_json::from_str::<Value>(&run.stdout) {
                Ok(doc) => format!(
                    "exit {:?}, kind.kind {}, span {}",
                    run.code, doc["kind"]["kind"], doc["span"]
                ),
                Err(e) => format!("{}\n(stdout is not JSON: {e})", run.summary()),
            };
            let span = serde_json::json!({"start": 0, "end": pattern.len()});
            Outcome {
                name: format!("{kind} pattern"),
                input: invocation(&args, None),
                expected: format!("exit Some(0), kind.kind \"{kind}\", span {span}"),
                actual,
            }
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

#[test]
fn patterns_over_1024_characters_are_rejected() {
    let json = |n: usize| format!("{{ $.a = \"{}\" }}", "x".repeat(n - 12));
    let terms = |n: usize| format!("ERROR {}", "é".repeat(n - 6));
    let cases = [
        ("1024 characters of json", json(1024), "exit Some(0)".to_owned()),
        (
            "1025 characters of json",
            json(1025),
            "exit Some(2)\nthe pattern is 1025 characters long; AWS accepts at most 1024 at offset 1024"
                .to_owned(),
        ),
        ("1024 characters, 2042 bytes", terms(1024), "exit Some(0)".to_owned()),
        (
            "1025 characters, 2044 bytes: the offset counts bytes",
            terms(1025),
            "exit Some(2)\nthe pattern is 1025 characters long; AWS accepts at most 1024 at offset 2042"
                .to_owned(),
        ),
    ];
    let outcomes = cases
        .iter()
        .map(|(name, pattern, expected)| {
            let args = ["fmt", pattern.as_str()];
            let run = run(&args, None);
            let message = run.stderr.lines().last().unwrap_or_default();
            let actual = match message.strip_prefix("error: ") {
                Some(message) => format!("exit {:?}\n{message}", run.code),
                None => format!("exit {:?}", run.code),
            };
            Outcome {
                name: (*name).to_owned(),
                input: format!("fmt <{} characters>", pattern.chars().count()),
                expected: expected.clone(),
                actual,
            }
        })
        .collect::<Vec<_>>();
    check_runs(&outcomes);
}

// ---------------------------------------------------------------------------------------
// Helpers

/// The CLI boundary: every run gave what its case expects.
#[track_caller]
fn check_runs(outcomes: &[Outcome]) {
    let mismatches: Vec<&Outcome> = outcomes.iter().filter(|o| o.expected != o.actual).collect();
    if !mismatches.is_empty() {
        panic!("{}", common::report(&mismatches, outcomes.len()));
    }
}

/// A case comparing two whole runs: exit code, standard output and standard error.
fn outcome(name: &str, input: &str, expected: &Run, actual: &Run) -> Outcome {
    Outcome {
        name: name.to_owned(),
        input: input.to_owned(),
        expected: whole(expected),
        actual: whole(actual),
    }
}

fn whole(run: &Run) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// A case expecting exit 2, nothing on standard output, a message on standard error and
/// no panic.
fn unusable_outcome(name: &str, input: String, run: &Run) -> Outcome {
    let facts = |code: Option<i32>, stdout_empty: bool, stderr_said: bool, panicked: bool| {
        format!(
            "exit {code:?}; stdout empty: {stdout_empty}; stderr has a message: {stderr_said}; \
             panicked: {panicked}"
        )
    };
    let expected = facts(Some(2), true, true, false);
    let mut actual = facts(
        run.code,
        run.stdout.is_empty(),
        !run.stderr.trim().is_empty(),
        run.stderr.contains("panicked"),
    );
    if actual != expected {
        actual = format!("{actual}\n{}", run.summary());
    }
    Outcome {
        name: name.to_owned(),
        input,
        expected,
        actual,
    }
}

/// The command line as a user would type it (for failure reports).
fn invocation(args: &[&str], stdin: Option<&str>) -> String {
    let args = args
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    match stdin {
        Some(input) => format!("cwpattern {args} <<< {}", Value::from(input)),
        None => format!("cwpattern {args}"),
    }
}

/// The lines of the realworld corpus, as JSON.
fn realworld_lines() -> Vec<Value> {
    common::read_corpus("realworld_patterns.jsonl")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("corpus lines are JSON"))
        .collect()
}

/// What `fmt --batch` must print for a corpus line, summarised: the canonical text the
/// library computes, or the error offset the corpus expects.
fn expected_batch_line(doc: &Value) -> String {
    let pattern = doc["pattern"].as_str().unwrap_or_default();
    let result = match &doc["expect_parse"] {
        Value::Object(err) => format!("error at offset {}", err["offset"]),
        _ => match syntax::parse(pattern) {
            Ok(ast) => format!("canonical {}", Value::from(canon::lower(&ast).to_string())),
            Err(e) => format!("(the library rejects it: {})", e.message()),
        },
    };
    format!("{} -> {result}", Value::from(pattern))
}

/// One line of `fmt --batch` output, summarised like [`expected_batch_line`].
fn batch_line(doc: &Value) -> String {
    let result = match (doc.get("canonical"), doc.get("error")) {
        (Some(canonical), None) => format!("canonical {canonical}"),
        (None, Some(error)) => format!("error at offset {}", error["offset"]),
        _ => format!("neither or both of canonical and error: {doc}"),
    };
    format!("{} -> {result}", doc["pattern"])
}
