//! Property tests of the semantic engine (`cwpattern::logic::relate`).
//!
//! Random small patterns over a tiny vocabulary, so that the two sides of a pair often
//! share fields and values:
//!
//! * JSON patterns: fields `$.a`, `$.b`, `$.a.b`, `$.a[0]`, `$.a[*]`; `=`/`!=` with `x`, `y`,
//!   `x*`, `*y`, `*`, `1`, `2`, `"1"`, `%^x%`, `true`; `<`, `>`, `<=` with `1`, `2`;
//!   `IS NULL`, `NOT EXISTS`, `IS TRUE`; `&&`/`||` nested up to depth 3.
//! * Term patterns: `x`, `xy`, `y`, `-y`, `-x`, `?x`, `?z`, `"x y"`, `%x.y%`, `-%x.y%`, `" "`.
//! * Events from the matching vocabulary: JSON objects with `a`/`b` holding the strings
//!   `x`, `y`, `xy`, `"1"`, the numbers `1`, `2`, `1.0`, booleans, `null`, objects with `b`,
//!   arrays; and short non-empty texts (CloudWatch events are never empty, and the engine
//!   relies on that).
//!
//! Properties:
//! 1. soundness: a claimed relation is never contradicted by a random event, and every
//!    witness distinguishes the sides as claimed (`implies` agrees too);
//! 2. laws: `relate(a, a)` is equivalent; swapping the sides mirrors the relation (with
//!    valid witnesses); `a` ⊆ `a || b`; `a && b` ⊆ `a`; the canonical text is equivalent
//!    to the pattern;
//! 3. `Unknown` always has a reason, and is rare (at most 2% of the questions each property
//!    asks); the reasons seen are printed (`--nocapture`).
//!
//! Runs are reproducible (fixed seed, 300 cases per property); `PROPTEST_RNG_SEED=<u64>`
//! and `RELATE_PROPS_CASES=<n>` widen the hunt. Each property stops generating cases after
//! `RELATE_PROPS_SECONDS` (default 4) of wall-clock time, and says how many it ran, so
//! that the file stays fast in a debug build; `RELATE_PROPS_SECONDS=0` runs every case.
//! `RELATE_PROPS_STEPS` / `RELATE_PROPS_WITNESSES` change the engine's [`Limits`].
//!
//! History: before the engine learnt to spell numbers (`src/logic/value.rs`), 5-20% of the
//! JSON questions here answered Unknown ("a number constrained both by its value and by
//! its text"), at about a second each; the time guard keeps such a regression fast to
//! report. No soundness or law violation has been seen in 1000-case runs.

use std::cell::RefCell;
use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Value};

use cwpattern::canon::{self, Canonical};
use cwpattern::eval::Matcher;
use cwpattern::logic::{implies, relate_with, Comparison, Limits, Relation};
use cwpattern::syntax::{self, ParseOptions};

const RELAXED: ParseOptions = ParseOptions {
    aws_limits: false,
    max_depth: 100,
};

/// Cases per property; `RELATE_PROPS_CASES=5000` for a longer hunt.
const CASES: u32 = 300;

/// The default seed, so that a run is reproducible.
const SEED: u64 = 0x5e1a_7e00_0006;

/// The largest share of `Unknown` answers accepted for this small vocabulary.
const MAX_UNKNOWN_SHARE: f64 = 0.02;

/// The engine's limits: the defaults, unless `RELATE_PROPS_STEPS` (work budget of one
/// question) or `RELATE_PROPS_WITNESSES` say otherwise. A lower budget makes undecided
/// questions cheaper but turns some decided ones into "the search budget ran out".
fn limits() -> Limits {
    let steps = std::env::var("RELATE_PROPS_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(STEPS);
    let witnesses = std::env::var("RELATE_PROPS_WITNESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(Limits::default().max_witnesses);
    Limits {
        max_steps: steps,
        max_witnesses: witnesses,
    }
}

const STEPS: u64 = 5_000_000; // = Limits::default().max_steps

fn config() -> Config {
    let cases = std::env::var("RELATE_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    let defaults = Config::default();
    let rng_seed = match std::env::var_os("PROPTEST_RNG_SEED") {
        Some(_) => defaults.rng_seed,
        None => RngSeed::Fixed(SEED),
    };
    Config {
        cases,
        rng_seed,
        failure_persistence: None,
        ..defaults
    }
}

fn canonical(text: &str) -> Canonical {
    canon::lower(
        &syntax::parse_with(text, RELAXED)
            .unwrap_or_else(|e| panic!("{text:?} does not parse:\n{e}")),
    )
}

// ------------------------------------------------------------------------ strategies

/// One JSON condition, as text.
fn json_leaf() -> BoxedStrategy<String> {
    let field = || select(vec!["$.a", "$.b", "$.a.b", "$.a[0]", "$.a[*]"]);
    let eq = (
        field(),
        select(vec!["=", "!="]),
        select(vec![
            "x", "y", "x*", "*y", "*", "1", "2", "\"1\"", "%^x%", "true",
        ]),
    )
        .prop_map(|(f, op, v)| format!("{f} {op} {v}"));
    let ord = (
        field(),
        select(vec!["<", ">", "<="]),
        select(vec!["1", "2"]),
    )
        .prop_map(|(f, op, v)| format!("{f} {op} {v}"));
    let unary = (field(), select(vec!["IS NULL", "NOT EXISTS", "IS TRUE"]))
        .prop_map(|(f, t)| format!("{f} {t}"));
    prop_oneof![4 => eq, 2 => ord, 2 => unary].boxed()
}

/// A JSON expression (the text between the braces), `&&`/`||` nested up to depth 3.
fn json_expr() -> BoxedStrategy<String> {
    json_leaf()
        .prop_recursive(3, 12, 3, |inner| {
            (
                prop::collection::vec(inner, 2..=3),
                select(vec![" && ", " || "]),
            )
                .prop_map(|(ops, joiner)| {
                    let ops: Vec<String> = ops.into_iter().map(|o| format!("({o})")).collect();
                    ops.join(joiner)
                })
        })
        .boxed()
}

fn braces(expr: &str) -> String {
    format!("{{ {expr} }}")
}

/// A term pattern: one to four items.
fn terms_pattern() -> BoxedStrategy<String> {
    prop::collection::vec(
        select(vec![
            "x", "xy", "y", "-y", "-x", "?x", "?z", "\"x y\"", "%x.y%", "-%x.y%", "\" \"",
        ]),
        1..=4,
    )
    .prop_map(|items| items.join(" "))
    .boxed()
}

fn json_scalar() -> BoxedStrategy<Value> {
    select(vec![
        json!("x"),
        json!("y"),
        json!("xy"),
        json!("1"),
        json!(1),
        json!(2),
        json!(1.0),
        json!(true),
        json!(false),
        Value::Null,
    ])
    .boxed()
}

/// A field value: a scalar, an object with `b`, or an array.
fn json_value() -> BoxedStrategy<Value> {
    json_scalar()
        .prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|v| json!({ "b": v })),
                Just(json!({})),
                prop::collection::vec(inner, 0..=3).prop_map(Value::Array),
            ]
        })
        .boxed()
}

/// A JSON object event with optional `a` and `b` (and, rarely, an event that is not a
/// JSON object at all).
fn json_event() -> BoxedStrategy<String> {
    let object = (
        prop::option::weighted(0.85, json_value()),
        prop::option::weighted(0.6, json_value()),
    )
        .prop_map(|(a, b)| {
            let mut map = serde_json::Map::new();
            if let Some(a) = a {
                map.insert("a".into(), a);
            }
            if let Some(b) = b {
                map.insert("b".into(), b);
            }
            Value::Object(map).to_string()
        });
    prop_oneof![
        20 => object,
        1 => select(vec!["x", "[1]", "\"x\"", "{\"a\": "]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// A short non-empty text event.
fn text_event() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::collection::vec(select(vec!["x", "y", "z", " ", ".", "xy", "\n"]), 1..=5)
            .prop_map(|parts| parts.concat()),
        1 => json_event(),
    ]
    .boxed()
}

// ------------------------------------------------------------------------ bookkeeping

/// How many questions a property asked, how many got `Unknown`, and why.
#[derive(Default)]
struct Tally {
    questions: usize,
    unknown: usize,
    decided_time: std::time::Duration,
    unknown_time: std::time::Duration,
    reasons: BTreeMap<String, usize>,
    examples: Vec<String>,
    cases: usize,
    skipped: usize,
    relations: BTreeMap<&'static str, usize>,
    slowest: (std::time::Duration, String),
}

impl Tally {
    /// Records an answer; fails when an `Unknown` has no reason.
    fn record(
        &mut self,
        answer: &Comparison,
        left: &str,
        right: &str,
        took: std::time::Duration,
    ) -> Result<(), TestCaseError> {
        self.questions += 1;
        *self.relations.entry(answer.relation.name()).or_default() += 1;
        match answer.relation {
            Relation::Unknown(_) => self.unknown_time += took,
            _ => self.decided_time += took,
        }
        if took > self.slowest.0 && !matches!(answer.relation, Relation::Unknown(_)) {
            self.slowest = (
                took,
                format!("{left}  VS  {right}  -> {}", answer.relation.name()),
            );
        }
        if let Relation::Unknown(why) = &answer.relation {
            prop_assert!(
                !why.trim().is_empty(),
                "Unknown without a reason for {left:?} vs {right:?}"
            );
            self.unknown += 1;
            *self.reasons.entry(why.clone()).or_default() += 1;
            if self.examples.len() < 5 {
                self.examples.push(format!("{left}  VS  {right}  ({why})"));
            }
        }
        Ok(())
    }

    /// Prints the tally and fails when `Unknown` is too common.
    fn finish(&self, property: &str) {
        let share = self.unknown as f64 / self.questions.max(1) as f64;
        let mut text = format!(
            "[{property}] {} questions, {} unknown ({:.2}%); relate took {:.2?} on decided, {:.2?} on unknown answers",
            self.questions,
            self.unknown,
            share * 100.0,
            self.decided_time,
            self.unknown_time,
        );
        text.push_str(&format!("\n    relations: {:?}", self.relations));
        for (why, n) in &self.reasons {
            text.push_str(&format!("\n    {n} x {why}"));
        }
        for e in &self.examples {
            text.push_str(&format!("\n    e.g. {e}"));
        }
        text.push_str(&format!(
            "\n    slowest decided question ({:.2?}): {}",
            self.slowest.0, self.slowest.1
        ));
        eprintln!("{text}");
        assert!(
            share <= MAX_UNKNOWN_SHARE,
            "too many Unknown answers for this small vocabulary:\n{text}"
        );
    }
}

fn mirrored(r: &Relation) -> &'static str {
    match r {
        Relation::Subset => "superset",
        Relation::Superset => "subset",
        other => other.name(),
    }
}

/// Every witness distinguishes the sides as claimed, and the relation fits them.
fn check_witnesses(
    answer: &Comparison,
    left: &Matcher,
    right: &Matcher,
    context: &str,
) -> Result<(), TestCaseError> {
    for e in &answer.left_only {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        prop_assert!(
            l && !r,
            "{context}: left_only witness {:?} gives left={l} right={r}",
            e.message()
        );
    }
    for e in &answer.right_only {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        prop_assert!(
            r && !l,
            "{context}: right_only witness {:?} gives left={l} right={r}",
            e.message()
        );
    }
    if let Some(e) = &answer.both {
        let (l, r) = (left.matches(e.message()), right.matches(e.message()));
        prop_assert!(
            l && r,
            "{context}: both witness {:?} gives left={l} right={r}",
            e.message()
        );
    }
    let (lo, ro, both) = (
        !answer.left_only.is_empty(),
        !answer.right_only.is_empty(),
        answer.both.is_some(),
    );
    let fits = match answer.relation {
        Relation::Equivalent => !lo && !ro,
        Relation::Subset => !lo && ro,
        Relation::Superset => lo && !ro,
        Relation::Overlap => lo && ro && both,
        Relation::Disjoint => lo && ro && !both,
        Relation::Unknown(_) => true,
    };
    prop_assert!(
        fits,
        "{context}: relation {} with left_only={lo} right_only={ro} both={both}",
        answer.relation.name()
    );
    Ok(())
}

/// No event contradicts the claimed relation.
fn check_events(
    answer: &Comparison,
    left: &Matcher,
    right: &Matcher,
    events: &[String],
    context: &str,
) -> Result<(), TestCaseError> {
    for e in events {
        let (l, r) = (left.matches(e), right.matches(e));
        let contradicted = match answer.relation {
            Relation::Equivalent => l != r,
            Relation::Subset => l && !r,
            Relation::Superset => r && !l,
            Relation::Disjoint => l && r,
            Relation::Overlap | Relation::Unknown(_) => false,
        };
        prop_assert!(
            !contradicted,
            "{context}: claimed {} but event {e:?} gives left={l} right={r}",
            answer.relation.name()
        );
    }
    Ok(())
}

/// Relates two pattern texts, checks the answer against its witnesses and the events, and
/// checks `implies` against it. Returns the answer.
fn relate_checked(
    left: &str,
    right: &str,
    events: &[String],
    tally: &RefCell<Tally>,
) -> Result<Comparison, TestCaseError> {
    let (l, r) = (canonical(left), canonical(right));
    let (lm, rm) = (Matcher::new(&l), Matcher::new(&r));
    let started = std::time::Instant::now();
    let answer = relate_with(&l, &r, &limits());
    tally
        .borrow_mut()
        .record(&answer, left, right, started.elapsed())?;
    let context = format!(
        "left {left:?} (canonical {l}) vs right {right:?} (canonical {r}), answer {}",
        match &answer.relation {
            Relation::Unknown(why) => format!("unknown ({why})"),
            other => other.name().to_owned(),
        }
    );
    check_witnesses(&answer, &lm, &rm, &context)?;
    check_events(&answer, &lm, &rm, events, &context)?;
    // `implies(left, right)` is "subset or equivalent", when decided.
    if !matches!(answer.relation, Relation::Unknown(_)) {
        let want = matches!(answer.relation, Relation::Subset | Relation::Equivalent);
        if let Some(got) = implies(&l, &r) {
            prop_assert_eq!(got, want, "{}: implies disagrees with relate", context);
        }
    }
    Ok(answer)
}

/// Wall-clock time per property, after which the remaining cases are skipped (and the
/// tally says so): undecided questions cost the engine seconds each in a debug build, and
/// the file must stay fast. `RELATE_PROPS_SECONDS=0` runs every case.
fn deadline() -> Option<std::time::Duration> {
    let seconds: f64 = std::env::var("RELATE_PROPS_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SECONDS);
    (seconds > 0.0).then(|| std::time::Duration::from_secs_f64(seconds))
}

const SECONDS: f64 = 4.0;

fn run<S: Strategy>(
    property: &str,
    strategy: S,
    test: impl Fn(S::Value, &RefCell<Tally>) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let tally = RefCell::new(Tally::default());
    let started = std::time::Instant::now();
    let deadline = deadline();
    let failing = std::cell::Cell::new(false);
    let config = config();
    let planned = config.cases;
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        if !failing.get() && deadline.is_some_and(|d| started.elapsed() > d) {
            tally.borrow_mut().skipped += 1;
            return Ok(());
        }
        tally.borrow_mut().cases += 1;
        let outcome = test(value, &tally);
        if outcome.is_err() {
            failing.set(true);
        }
        outcome
    });
    {
        let t = tally.borrow();
        eprintln!(
            "[{property}] {:.2?}; ran {} of {planned} cases{}",
            started.elapsed(),
            t.cases,
            match t.skipped {
                0 => String::new(),
                n => format!(
                    " ({n} skipped: the time budget ran out; RELATE_PROPS_SECONDS=0 runs all)"
                ),
            }
        );
    }
    if let Err(e) = result {
        panic!("[{property}] {e}");
    }
    tally.borrow().finish(property);
}

// ------------------------------------------------------------------------ properties

/// Soundness on pairs of JSON patterns, against random JSON events.
#[test]
fn json_relations_are_never_contradicted() {
    run(
        "json-soundness",
        (
            json_expr(),
            json_expr(),
            prop::collection::vec(json_event(), 24),
        ),
        |(a, b, events), tally| {
            relate_checked(&braces(&a), &braces(&b), &events, tally)?;
            Ok(())
        },
    );
}

/// Soundness on pairs of a JSON pattern and a variant of it sharing an operand, so that
/// subset and equivalence answers are common too.
#[test]
fn json_related_pairs_are_never_contradicted() {
    run(
        "json-soundness-related",
        (
            json_expr(),
            json_expr(),
            select(vec![" && ", " || "]),
            prop::collection::vec(json_event(), 24),
        ),
        |(a, b, joiner, events), tally| {
            let left = braces(&a);
            let right = braces(&format!("({a}){joiner}({b})"));
            relate_checked(&left, &right, &events, tally)?;
            Ok(())
        },
    );
}

/// Soundness on pairs of term patterns (and the blank pattern), against random texts.
#[test]
fn term_relations_are_never_contradicted() {
    run(
        "terms-soundness",
        (
            terms_pattern(),
            prop_oneof![9 => terms_pattern(), 1 => select(vec!["", " "]).prop_map(str::to_owned)],
            prop::collection::vec(text_event(), 24),
        ),
        |(a, b, events), tally| {
            relate_checked(&a, &b, &events, tally)?;
            Ok(())
        },
    );
}

/// The empty pattern is a strict superset of every JSON pattern: a text event matches it
/// and no JSON pattern.
#[test]
fn empty_pattern_is_a_superset_of_every_json_pattern() {
    run(
        "empty-vs-json",
        (json_expr(), prop::collection::vec(json_event(), 8)),
        |(a, events), tally| {
            let answer = relate_checked("", &braces(&a), &events, tally)?;
            if !matches!(answer.relation, Relation::Unknown(_)) {
                prop_assert_eq!(answer.relation, Relation::Superset, "{}", a);
            }
            Ok(())
        },
    );
}

/// `relate(a, a)` is equivalent, and swapping sides mirrors the relation.
#[test]
fn reflexivity_and_symmetry() {
    let pattern = || prop_oneof![3 => json_expr().prop_map(|e| braces(&e)), 1 => terms_pattern()];
    run(
        "reflexive-and-swap",
        (pattern(), pattern(), prop::collection::vec(json_event(), 8)),
        |(a, b, events), tally| {
            let same = relate_checked(&a, &a, &events, tally)?;
            if !matches!(same.relation, Relation::Unknown(_)) {
                prop_assert_eq!(
                    &same.relation,
                    &Relation::Equivalent,
                    "relate(a, a) for {}",
                    a
                );
            }
            // Different kinds (JSON vs terms) are not decided; only compare like with like.
            let kind = |p: &str| p.starts_with('{');
            if kind(&a) != kind(&b) {
                return Ok(());
            }
            let forward = relate_checked(&a, &b, &events, tally)?;
            let backward = relate_checked(&b, &a, &events, tally)?;
            let decided = |c: &Comparison| !matches!(c.relation, Relation::Unknown(_));
            if decided(&forward) && decided(&backward) {
                prop_assert_eq!(
                    backward.relation.name(),
                    mirrored(&forward.relation),
                    "relate({:?}, {:?}) is {} but the swapped question says {}",
                    a,
                    b,
                    forward.relation.name(),
                    backward.relation.name()
                );
                prop_assert_eq!(forward.left_only.is_empty(), backward.right_only.is_empty());
                prop_assert_eq!(forward.right_only.is_empty(), backward.left_only.is_empty());
            }
            Ok(())
        },
    );
}

/// `a` ⊆ `a || b` and `a && b` ⊆ `a`.
#[test]
fn or_widens_and_and_narrows() {
    run(
        "or-widens-and-narrows",
        (
            json_expr(),
            json_expr(),
            prop::collection::vec(json_event(), 8),
        ),
        |(a, b, events), tally| {
            let pa = braces(&a);
            let or = braces(&format!("({a}) || ({b})"));
            let and = braces(&format!("({a}) && ({b})"));
            let widen = relate_checked(&pa, &or, &events, tally)?;
            if !matches!(widen.relation, Relation::Unknown(_)) {
                prop_assert!(
                    matches!(widen.relation, Relation::Subset | Relation::Equivalent),
                    "{} vs {}: {} (expected subset or equivalent)",
                    pa,
                    or,
                    widen.relation.name()
                );
            }
            let narrow = relate_checked(&and, &pa, &events, tally)?;
            if !matches!(narrow.relation, Relation::Unknown(_)) {
                prop_assert!(
                    matches!(narrow.relation, Relation::Subset | Relation::Equivalent),
                    "{} vs {}: {} (expected subset or equivalent)",
                    and,
                    pa,
                    narrow.relation.name()
                );
            }
            Ok(())
        },
    );
}

/// The canonical text, parsed again, is equivalent to the pattern as written.
#[test]
fn canonical_text_is_equivalent() {
    let pattern = || prop_oneof![3 => json_expr().prop_map(|e| braces(&e)), 1 => terms_pattern()];
    run(
        "canonical-equivalent",
        (pattern(), prop::collection::vec(text_event(), 8)),
        |(a, events), tally| {
            let text = canonical(&a).to_string();
            let answer = relate_checked(&a, &text, &events, tally)?;
            if !matches!(answer.relation, Relation::Unknown(_)) {
                prop_assert_eq!(
                    &answer.relation,
                    &Relation::Equivalent,
                    "{:?} and its canonical text {:?}",
                    a,
                    text
                );
            }
            Ok(())
        },
    );
}
