//! The semantic engine (`cwpattern::logic::relate`) against hand-decided pairs.
//!
//! Every case of `corpus/relate.jsonl` is a pair of patterns and the relation between the
//! sets of events they match, decided by reading SEMANTICS.md (not copied from the tool),
//! with a note saying why. [`check_relation`] runs `relate`, compares the relation, checks
//! that the answer is consistent with its witnesses, replays every witness through the
//! evaluator, and asks the mirrored question (`relate(right, left)`) too.
//!
//! Engine gaps: a case that the engine does not decide yet stays in the corpus (its note
//! says so) and is listed in [`KNOWN_GAPS`]; it fails on purpose until `src/logic` decides
//! it. Every other case must pass. (The four number-text cases that once answered
//! `unknown` are decided now and are kept as regressions.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Deserialize;

use cwpattern::canon::{self, Canonical};
use cwpattern::eval::Matcher;
use cwpattern::logic::{relate, Comparison, Event, Relation};
use cwpattern::syntax;

/// The corpus cases that the engine does not decide yet (answers `unknown` where the
/// evaluator proves a witness exists, or where no event can exist). They stay in the corpus
/// and fail until the engine is fixed; this list only labels them in the report.
const KNOWN_GAPS: &[&str] = &[];

/// One line of `corpus/relate.jsonl`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    left: String,
    right: String,
    relation: String,
    note: String,
}

const RELATIONS: &[&str] = &["equivalent", "subset", "superset", "overlap", "disjoint"];

const FAMILIES: &[&str] = &[
    "syntax",
    "delim",
    "precedence",
    "dup",
    "wildcard",
    "regex",
    "numeric",
    "types",
    "null",
    "paths",
    "arrays",
    "cis",
    "terms",
    "empty",
];

fn cases() -> Vec<Case> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/relate.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("corpus/relate.jsonl line {}: {e}", i + 1))
        })
        .collect()
}

fn canonical(text: &str) -> Canonical {
    canon::lower(&syntax::parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse:\n{e}")))
}

/// The relation seen from the other side.
fn mirrored(name: &str) -> &str {
    match name {
        "subset" => "superset",
        "superset" => "subset",
        other => other,
    }
}

fn describe(answer: &Comparison) -> String {
    let events = |es: &[Event]| {
        es.iter()
            .map(|e| format!("{:?}", e.message()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reason = match &answer.relation {
        Relation::Unknown(why) => format!(" ({why})"),
        _ => String::new(),
    };
    format!(
        "{}{reason}\n  left_only:  [{}]\n  right_only: [{}]\n  both:       {:?}",
        answer.relation.name(),
        events(&answer.left_only),
        events(&answer.right_only),
        answer.both.as_ref().map(Event::message),
    )
}

/// Problems with one answer: the witnesses replayed through the evaluator, and the relation
/// against the witnesses it comes with.
fn answer_problems(answer: &Comparison, left: &Matcher, right: &Matcher) -> Vec<String> {
    let mut out = Vec::new();
    for e in &answer.left_only {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        if !l || r {
            out.push(format!(
                "left_only witness {:?}: left matches = {l}, right matches = {r}",
                e.message()
            ));
        }
    }
    for e in &answer.right_only {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        if !r || l {
            out.push(format!(
                "right_only witness {:?}: left matches = {l}, right matches = {r}",
                e.message()
            ));
        }
    }
    if let Some(e) = &answer.both {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        if !(l && r) {
            out.push(format!(
                "both witness {:?}: left matches = {l}, right matches = {r}",
                e.message()
            ));
        }
    }
    let (lo, ro, both) = (
        !answer.left_only.is_empty(),
        !answer.right_only.is_empty(),
        answer.both.is_some(),
    );
    let consistent = match answer.relation {
        Relation::Equivalent => !lo && !ro,
        Relation::Subset => !lo && ro,
        Relation::Superset => lo && !ro,
        Relation::Overlap => lo && ro && both,
        Relation::Disjoint => lo && ro && !both,
        Relation::Unknown(ref why) => !why.trim().is_empty(),
    };
    if !consistent {
        out.push(format!(
            "the relation {} does not fit its witnesses (left_only: {lo}, right_only: {ro}, both: {both})",
            answer.relation.name()
        ));
    }
    out
}

/// Runs `relate` on the case, in both directions, and panics with the whole case and
/// answer when the relation differs from the expected one or any witness is wrong.
#[track_caller]
fn check_relation(case: &Case) {
    let (l, r) = (canonical(&case.left), canonical(&case.right));
    let (lm, rm) = (Matcher::new(&l), Matcher::new(&r));
    let forward = relate(&l, &r);
    let backward = relate(&r, &l);
    let mut problems = Vec::new();
    if forward.relation.name() != case.relation {
        problems.push(format!(
            "relate(left, right) is {}, expected {}",
            forward.relation.name(),
            case.relation
        ));
    }
    if backward.relation.name() != mirrored(&case.relation) {
        problems.push(format!(
            "relate(right, left) is {}, expected {}",
            backward.relation.name(),
            mirrored(&case.relation)
        ));
    }
    problems.extend(answer_problems(&forward, &lm, &rm));
    problems.extend(
        answer_problems(&backward, &rm, &lm)
            .into_iter()
            .map(|p| format!("(mirrored) {p}")),
    );
    if !problems.is_empty() {
        let gap = match KNOWN_GAPS.contains(&case.name.as_str()) {
            true => "\nKNOWN ENGINE GAP (fails on purpose until src/logic decides it)",
            false => "",
        };
        panic!(
            "case {}{gap}\n  left:  {:?}\n  right: {:?}\n  canonical: {} | {}\n  expected: {}\n  note: {}\n\
             relate(left, right) = {}\nrelate(right, left) = {}\nproblems:\n  - {}",
            case.name,
            case.left,
            case.right,
            l,
            r,
            case.relation,
            case.note,
            describe(&forward),
            describe(&backward),
            problems.join("\n  - "),
        );
    }
}

#[test]
fn corpus_is_well_formed() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name.clone()), "duplicate name {}", c.name);
        assert!(
            RELATIONS.contains(&c.relation.as_str()),
            "{}: relation {:?}",
            c.name,
            c.relation
        );
        let family = c.name.split('-').next().unwrap_or_default();
        assert!(
            FAMILIES.contains(&family) && c.name.contains('-'),
            "{}: unknown family",
            c.name
        );
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: not kebab-case",
            c.name
        );
        assert!(!c.note.trim().is_empty(), "{}: no note", c.name);
        // Both sides must be patterns AWS accepts (quotas included).
        canonical(&c.left);
        canonical(&c.right);
    }
    for family in FAMILIES {
        assert!(
            cases
                .iter()
                .any(|c| c.name.starts_with(&format!("{family}-"))),
            "no case of family {family}"
        );
    }
    for gap in KNOWN_GAPS {
        assert!(
            names.contains(*gap),
            "KNOWN_GAPS names a missing case {gap}"
        );
    }
}

/// Every corpus case; all failures are reported together.
#[test]
fn corpus_relations() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let result = catch_unwind(AssertUnwindSafe(|| check_relation(case)));
        if let Err(payload) = result {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(non-text panic)".to_owned());
            failures.push((case.name.clone(), text));
        }
    }
    if !failures.is_empty() {
        let ruler = "=".repeat(72);
        let mut out = String::new();
        for (_, text) in &failures {
            out.push_str(&format!("\n{ruler}\n{text}\n"));
        }
        let unexpected: Vec<&str> = failures
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !KNOWN_GAPS.contains(n))
            .collect();
        panic!(
            "{out}{ruler}\n{} of {} cases fail ({} known engine gaps; unexpected: {:?})",
            failures.len(),
            cases.len(),
            failures.len() - unexpected.len(),
            unexpected
        );
    }
}

// ------------------------------------------------------------- single cases, by line

fn case(name: &str, left: &str, right: &str, relation: &str) -> Case {
    Case {
        name: name.to_owned(),
        left: left.to_owned(),
        right: right.to_owned(),
        relation: relation.to_owned(),
        note: "inline".to_owned(),
    }
}

#[test]
fn doc_example_cis_subset() {
    check_relation(&case(
        "cis-doc-example",
        "{ ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) }",
        r#"{ $.eventName = "CreatePolicy" || $.eventName = "DeletePolicy" || $.eventName = "AddUserToGroup" }"#,
        "subset",
    ));
}

#[test]
fn middle_star_is_literal() {
    check_relation(&case(
        "wildcard-middle-star",
        r#"{ $.e = "Put*Policy" }"#,
        r#"{ $.e = "PutRolePolicy" }"#,
        "disjoint",
    ));
}

#[test]
fn ne_or_eq_is_any() {
    check_relation(&case(
        "null-ne-or-eq",
        "{ $.a != x || $.a = x }",
        "{ $.a = * }",
        "equivalent",
    ));
}

#[test]
fn empty_pattern_vs_json() {
    check_relation(&case("empty-vs-json", "", "{ $.a NOT EXISTS }", "superset"));
}
