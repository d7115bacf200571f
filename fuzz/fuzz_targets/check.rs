//! A pattern (fuzzer bytes, or built from eventName pieces so that it often matters) →
//! `check` never panics, and under `--assume none` its `covered`/`missing` lists agree with
//! the evaluator on one event per required eventName. Whatever the quick recogniser of
//! `Checker::verdict` accepts, the parser accepts, with the same verdict, and a memoised
//! checker gives that verdict too; so does `Checker::quick_verdict_in_json`, reading the
//! pattern inside its JSON string, when it reads it.
#![no_main]

use arbitrary::Arbitrary;
use cwpattern::eval::Matcher;
use std::sync::OnceLock;

use cwpattern::rules::{check, Assume, CheckOptions, Checker};
use cwpattern::{canon, syntax};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "DeleteGroupPolicy", "PutRolePolicy", "CreatePolicy", "AttachUserPolicy", "SetDefaultPolicyVersion",
    "AddUserToGroup", "UpdateAssumeRolePolicy", "Put*", "*Policy", "Attach*", "Create*", "*Group*", "Put*Policy",
    "%^Put%", "%Policy$%", "CreateUser",
];

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    raw: &'a str,
    picks: Vec<(u8, bool)>,
    with_source: bool,
}

/// The default checker (CloudTrail assumption, the IAM rule), built once.
fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(&CheckOptions::default()).expect("the default rule"))
}

/// The same, memoised (batch mode), kept across inputs: its memo fills with everything the
/// fuzzer tries.
fn memoised() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(&CheckOptions::default()).expect("the default rule").memoised())
}

/// The quick recogniser accepts only valid patterns, and gives the parser's verdict; a
/// memoised checker gives a fresh one's verdict (no two formulas share a memo entry).
fn quick_agrees(pattern: &str) {
    if checker().takes_quick_path(pattern) {
        assert!(syntax::parse(pattern).is_ok(), "quick path accepts an invalid pattern: {pattern:?}");
        let fresh = checker().verdict(pattern);
        assert_eq!(fresh, checker().verdict_parsed(pattern), "{pattern:?}");
        assert_eq!(memoised().verdict(pattern), fresh, "memoised: {pattern:?}");
    }
    // Inside its JSON string, as `check --batch` reads it: the same verdict, or none.
    let json = serde_json::to_string(pattern).expect("a string");
    if let Some((verdict, len)) = memoised().quick_verdict_in_json(&json[1..]) {
        assert!(checker().takes_quick_path(pattern), "read in JSON only: {pattern:?}");
        assert_eq!(len, json.len() - 2, "{pattern:?}");
        assert_eq!(checker().verdict(pattern).as_ref(), Ok(&*verdict), "in JSON: {pattern:?}");
    }
}

fuzz_target!(|input: Input<'_>| {
    quick_agrees(input.raw);
    let pattern = if syntax::parse(input.raw).is_ok() {
        input.raw.to_owned()
    } else {
        let terms: Vec<String> = input
            .picks
            .iter()
            .take(24)
            .map(|(i, ne)| {
                let name = NAMES[*i as usize % NAMES.len()];
                let value = if name.starts_with('%') { name.to_owned() } else { format!("\"{name}\"") };
                format!("$.eventName {} {value}", if *ne { "!=" } else { "=" })
            })
            .collect();
        if terms.is_empty() {
            return;
        }
        let body = terms.join(" || ");
        if input.with_source {
            format!("{{ $.eventSource = \"iam.amazonaws.com\" && ({body}) }}")
        } else {
            format!("{{ {body} }}")
        }
    };
    quick_agrees(&pattern);
    let options = CheckOptions { assume: Assume::None, noise: false, ..CheckOptions::default() };
    let Ok(report) = check(&pattern, &options) else { return };
    let Ok(ast) = syntax::parse(&pattern) else { return };
    let matcher = Matcher::new(&canon::lower(&ast));
    for name in &report.covered {
        let event = serde_json::json!({ "eventName": name }).to_string();
        assert!(matcher.matches(&event), "{name} reported covered, but {pattern} misses {event}");
    }
    for w in &report.witnesses {
        assert!(!matcher.matches(w.message()), "witness {} is matched by {pattern}", w.message());
    }
    assert!(!report.compliant || report.missing.is_empty(), "compliant with missing names: {pattern}");
    assert!(report.witnesses.len() >= report.missing.len(), "a missing name without a witness: {pattern}");
});
