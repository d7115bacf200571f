//! Every case of `corpus/conformance.jsonl` (copied from `shared/spec/conformance.jsonl`)
//! runs through the parser, the canonical form and the evaluator.
//!
//! A disagreement with an `aws-*` or `empirical` case is a bug. A disagreement with an
//! `impl-test(unverified)` case (another implementation's choice, not AWS's) is allowed only
//! when `corpus/conformance_deviations.jsonl` lists it with its reason; a listed case that
//! no longer disagrees must be removed from the list.

use std::collections::BTreeMap;

use serde::Deserialize;

use cwpattern::{canon, eval::Matcher, syntax};

#[derive(Deserialize)]
struct Case {
    source: String,
    pattern: String,
    event: String,
    matches: bool,
    #[serde(default)]
    extracted: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct Deviation {
    pattern: String,
    event: String,
    reason: String,
}

fn lines<T: for<'de> Deserialize<'de>>(path: &str) -> Vec<T> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1)))
        .collect()
}

/// What cwpattern says about one case: whether it matches and what it extracts, or why the
/// pattern is rejected.
fn actual(case: &Case) -> Result<(bool, BTreeMap<String, String>), String> {
    let ast = syntax::parse(&case.pattern).map_err(|e| e.message())?;
    let outcome = Matcher::new(&canon::lower(&ast)).evaluate(&case.event);
    Ok((outcome.matched, outcome.extracted))
}

/// The one check of this boundary: `None` when cwpattern agrees with the case, else what
/// differs.
fn check_case(case: &Case) -> Option<String> {
    match actual(case) {
        Err(e) => Some(format!("pattern rejected: {e}")),
        Ok((matched, _)) if matched != case.matches => {
            Some(format!("expected matches={}, got {matched}", case.matches))
        }
        Ok((_, extracted)) => match &case.extracted {
            Some(want) if *want != extracted => {
                Some(format!("expected extracted {want:?}, got {extracted:?}"))
            }
            _ => None,
        },
    }
}

#[test]
fn conformance_cases() {
    let cases: Vec<Case> = lines("corpus/conformance.jsonl");
    let deviations: Vec<Deviation> = lines("corpus/conformance_deviations.jsonl");
    let listed = |c: &Case| {
        deviations
            .iter()
            .find(|d| d.pattern == c.pattern && d.event == c.event)
    };
    let mut failures = Vec::new();
    for case in &cases {
        let problem = check_case(case);
        let verified = !case.source.starts_with("impl-test");
        match (problem, listed(case)) {
            (Some(p), Some(d)) if !verified => {
                assert!(
                    !d.reason.trim().is_empty(),
                    "deviation without a reason: {}",
                    case.pattern
                );
                let _ = p;
            }
            (Some(p), _) => failures.push(format!(
                "{}\n  pattern: {:?}\n  event:   {:?}\n  {p}",
                case.source, case.pattern, case.event
            )),
            (None, Some(_)) => failures.push(format!(
                "listed as a deviation but now agrees: {:?} on {:?}",
                case.pattern, case.event
            )),
            (None, None) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases disagree:\n{}\n",
        failures.len(),
        cases.len(),
        failures.join("\n----------------\n")
    );
}
