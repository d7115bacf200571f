//! One named test per bug found, with where it was found (`// See:`). Fuzzing findings are
//! added here too (none so far: see FUZZING.md).

use cwpattern::canon;
use cwpattern::eval::Matcher;
use cwpattern::logic::{relate, Relation};
use cwpattern::rules::{check, CheckOptions};
use cwpattern::syntax;

fn matcher(pattern: &str) -> Matcher {
    Matcher::new(&canon::lower(
        &syntax::parse(pattern).expect("a valid pattern"),
    ))
}

fn relation(left: &str, right: &str) -> Relation {
    let p = |s: &str| canon::lower(&syntax::parse(s).expect("a valid pattern"));
    relate(&p(left), &p(right)).relation
}

/// A key repeated in one object cleared the values already collected from sibling objects.
// See: tests/eval_properties.rs (reference evaluator), table_duplicate_keys.
#[test]
fn repeated_key_in_one_element_does_not_clear_its_siblings() {
    assert!(matcher("{ $.a[*].b = 1 }").matches(r#"{"a":[{"b":1},{"b":2,"b":3}]}"#));
    assert!(matcher("{ $.*.b = 1 }").matches(r#"{"x":{"b":1},"y":{"b":2,"b":3}}"#));
}

/// `.*` ignored "a repeated key keeps its last value".
// See: tests/eval_properties.rs, library_agrees_with_reference_on_repeated_keys.
#[test]
fn repeated_key_keeps_its_last_value_under_object_wildcard() {
    assert!(!matcher(r#"{ $.* = "x" }"#).matches(r#"{"a":"x","a":"y"}"#));
    assert!(!matcher("{ $.a.* = 1 }").matches(r#"{"a":{"k":1,"k":2}}"#));
}

/// An event's validity depended on whether the pattern named its lone-surrogate string.
// See: tests/eval_properties.rs, lone_surrogate_validity_does_not_depend_on_the_pattern.
#[test]
fn lone_surrogates_are_valid_whatever_the_pattern_names() {
    let event = r#"{"b":"\ud800"}"#;
    assert!(matcher("{ $.b = * }").matches(event));
    assert!(matcher("{ $.zz NOT EXISTS }").matches(event));
}

/// `==` was reported as an unquoted `=` in the value, suggesting a wrong fix.
// See: corpus/errors.txt review (helper report), json-double-equals.
#[test]
fn double_equals_is_named_as_a_wrong_operator() {
    let e = syntax::parse("{ $.eventName == CreatePolicy }").unwrap_err();
    assert_eq!(e.kind().to_string(), "'==' is not an operator; write '='");
    assert_eq!(e.offset(), 14);
}

/// A number constrained by its text (wildcard) and its value was left undecided.
// See: corpus/relate.jsonl, wildcard-text-prefix-vs-number (KNOWN ENGINE GAP, fixed).
#[test]
fn wildcard_text_against_a_number_value_is_decided() {
    assert_eq!(
        relation("{ $.code = 4* }", "{ $.code = 404 }"),
        Relation::Overlap
    );
    assert_eq!(
        relation("{ $.n = 5 }", "{ $.n = %[a-df-z]% }"),
        Relation::Disjoint
    );
}

/// Repairs could exceed AWS's 1024-character limit.
// See: tests/check.rs (helper report): 15 cases with repairs of 1074–1379 characters.
#[test]
fn repairs_are_patterns_aws_accepts() {
    let pattern = r#"{ ($.eventSource = iam.amazon.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }"#;
    let report = check(pattern, &CheckOptions::default()).expect("a valid pattern");
    assert!(!report.compliant);
    let repair = report.repair.expect("a repair");
    assert!(
        syntax::parse(&repair).is_ok(),
        "repair {} chars: {repair}",
        repair.chars().count()
    );
    let again = check(&repair, &CheckOptions::default()).expect("the repair parses");
    assert!(again.compliant);
}

/// Relating the CIS 16-name pattern with the 19-name one took 379 ms (an automaton
/// enumeration per unsatisfiable branch); it must stay a cheap question.
// See: BENCHMARKS.md, section 4.
#[test]
fn cis_16_vs_iam_19_is_a_subset_with_the_three_missing_names() {
    let rules: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("data/rules.json").expect("rules"))
            .expect("json");
    let iam19 = rules["rules"][0]["patterns"][0]["pattern"]
        .as_str()
        .expect("text")
        .to_owned();
    let cis16 = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "cis-iam-policy-changes")
        .expect("rule")["patterns"][0]["pattern"]
        .as_str()
        .expect("text")
        .to_owned();
    let p = |s: &str| canon::lower(&syntax::parse(s).expect("valid"));
    let answer = relate(&p(&cis16), &p(&iam19));
    assert_eq!(answer.relation, Relation::Subset);
    let mut names: Vec<String> = answer
        .right_only
        .iter()
        .map(|e| e.message().to_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            r#"{"eventName":"AddUserToGroup"}"#,
            r#"{"eventName":"SetDefaultPolicyVersion"}"#,
            r#"{"eventName":"UpdateAssumeRolePolicy"}"#
        ]
    );
}

/// Forty overlapping regexes on each side took 7.7 s to exhaust the default budget: the
/// product search charged one step per state instead of per automaton step. Now every
/// question is bounded by `Limits::max_steps` in proportion to the work done.
// See: examples/adversarial.rs.
#[test]
fn adversarial_regexes_end_within_the_budget() {
    use cwpattern::logic::{relate_with, Limits};
    use cwpattern::syntax::{parse_with, ParseOptions};
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let side = |f: &dyn Fn(u32) -> String| {
        let body: Vec<String> = (0..40u32).map(f).collect();
        canon::lower(&parse_with(&format!("{{ {} }}", body.join(" || ")), relaxed).expect("valid"))
    };
    let letter = |i: u32| char::from(b'a' + (i % 26) as u8);
    let left = side(&|i| format!("$.a = %{}.*{}%", letter(i), letter(i * 7)));
    let right = side(&|i| format!("$.a = %{}.{{2,5}}{}%", letter(i * 3), letter(i * 5)));
    let answer = relate_with(
        &left,
        &right,
        &Limits {
            max_steps: 200_000,
            max_witnesses: 1,
        },
    );
    match answer.relation {
        Relation::Unknown(why) => assert!(why.contains("budget"), "{why}"),
        decided => assert!(
            answer.left_only.len() + answer.right_only.len() <= 2,
            "{decided:?}"
        ),
    }
}
