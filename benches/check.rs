//! `check` per pattern, against what scanners do today: the Prowler-style text search.
//!
//! Data: 1,000 IAM metric filters from `scripts/gen_patterns.py --count 10000 --seed 1`
//! (the first 1,000 lines: every IAM pattern of the real-world corpus, then generated
//! variants: reordered, respaced, requoted, events missing or extra, eventSource
//! conjuncts, a few wildcards and other-field conditions), checked against the 19-event rule
//! `iam-policy-changes` under the CloudTrail assumption. One iteration checks all of them;
//! throughput is patterns per second (`Throughput::Elements`).
//!
//! Functions of the group `check_per_pattern`:
//! - `prowler_regex` (the baseline): one precompiled `regex::Regex` per required eventName,
//!   `\$\.eventName\s*=\s*.?NAME\b`, searched in the pattern text, stopping at the first
//!   name not found — Prowler's lookahead chain, in Rust. A yes/no answer from the text.
//! - `checker`: `Checker::check` (one `Checker` for the run, no memo): the full report —
//!   canonical form, coverage per eventName from meaning, witnesses, relation, lint, a
//!   verified repair and the noise report.
//! - `checker_batch`: a memoised `Checker` made for each pass, as `check --batch` does
//!   (patterns of one canonical form are decided once per pass).
//! - `checker_no_noise`: `checker` without the noise report.
//! - `verdict`: `Checker::verdict` (one `Checker`, no memo): the same decision from meaning
//!   (compliant, relation, covered, missing, witnesses) without the rest of the report —
//!   the answer the regex check gives, exactly.
//!   Patterns of the commonest shape are read by the quick recogniser (`src/rules/quick.rs`).
//! - `verdict_parsed`: `verdict` with every pattern through the parser (no quick recogniser).
//! - `verdict_batch`: a memoised `Checker` made for each pass and `Checker::verdict_shared`,
//!   as `check --batch --brief` (a formula the quick recogniser reads is decided once per
//!   pass).
//!
//! A `Checker` keeps the engine's answers about the conditions on other fields of split
//! patterns (`fast.rs`) for its lifetime, as in a batch: after the first pass over the data,
//! `checker`, `checker_no_noise`, `verdict` and `verdict_parsed` reuse them.
//! - `check_fn`: the free function `check`, which prepares the rule for every pattern.
//!
//! and `check_general/checker`: the same report through the general engine only
//! (`Checker::check_general`, the path before the fast path existed), over the first 100
//! patterns (it is slow).
//!
//! `BENCH_CLOCK=cpu` measures thread CPU time (steadier on a shared machine). Run with
//! `cargo bench --bench check`; `scripts/bench_ratios.py target/criterion check_per_pattern-cpu
//! prowler_regex --elements 1000` prints the ratios.

mod common;

use criterion::measurement::Measurement;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use cwpattern::rules::{check, rule, CheckOptions, Checker};

const COUNT: usize = 1000;
const GENERAL_COUNT: usize = 100;

/// The Prowler-style check: one regex per required eventName, all must be found.
struct Prowler {
    searches: Vec<regex::Regex>,
}

impl Prowler {
    fn new(names: &[String]) -> Prowler {
        let searches = names
            .iter()
            .map(|n| {
                regex::Regex::new(&format!(r"\$\.eventName\s*=\s*.?{}\b", regex::escape(n)))
                    .expect("valid regex")
            })
            .collect();
        Prowler { searches }
    }

    fn compliant(&self, pattern: &str) -> bool {
        self.searches.iter().all(|r| r.is_match(pattern))
    }
}

fn bench<M: Measurement + 'static>(c: &mut Criterion<M>, suffix: &str) {
    let (_, all) = common::generated_patterns(10_000, 1);
    let patterns: Vec<String> = all.into_iter().take(COUNT).collect();
    let options = CheckOptions::default();
    let checker = Checker::new(&options).expect("the default rule");
    let no_noise = Checker::new(&CheckOptions {
        noise: false,
        ..CheckOptions::default()
    })
    .expect("the default rule");
    let prowler = Prowler::new(&rule("iam-policy-changes").expect("rule").event_names);
    // Warm the lazily built tables (API index) outside the measurement.
    let _ = checker.check(&patterns[0]);

    let mut group = c.benchmark_group(format!("check_per_pattern{suffix}"));
    configure(&mut group);
    group.throughput(Throughput::Elements(patterns.len() as u64));
    group.bench_function("prowler_regex", |b| {
        b.iter(|| compliant(&patterns, |p| prowler.compliant(p)))
    });
    group.bench_function("checker", |b| {
        b.iter(|| compliant(&patterns, |p| checker.check(p).is_ok_and(|r| r.compliant)))
    });
    group.bench_function("checker_batch", |b| {
        b.iter(|| {
            let memo = Checker::new(&options).expect("rule").memoised();
            compliant(&patterns, |p| memo.check(p).is_ok_and(|r| r.compliant))
        })
    });
    group.bench_function("checker_no_noise", |b| {
        b.iter(|| compliant(&patterns, |p| no_noise.check(p).is_ok_and(|r| r.compliant)))
    });
    group.bench_function("verdict", |b| {
        b.iter(|| compliant(&patterns, |p| checker.verdict(p).is_ok_and(|v| v.compliant)))
    });
    group.bench_function("verdict_parsed", |b| {
        b.iter(|| {
            compliant(&patterns, |p| {
                checker.verdict_parsed(p).is_ok_and(|v| v.compliant)
            })
        })
    });
    group.bench_function("verdict_batch", |b| {
        b.iter(|| {
            let memo = Checker::new(&options).expect("rule").memoised();
            compliant(&patterns, |p| {
                memo.verdict_shared(p).is_ok_and(|v| v.compliant)
            })
        })
    });
    group.bench_function("check_fn", |b| {
        b.iter(|| compliant(&patterns, |p| check(p, &options).is_ok_and(|r| r.compliant)))
    });
    group.finish();

    let few = &patterns[..GENERAL_COUNT];
    let mut group = c.benchmark_group(format!("check_general{suffix}"));
    configure(&mut group);
    group.throughput(Throughput::Elements(few.len() as u64));
    group.bench_function("prowler_regex", |b| {
        b.iter(|| compliant(few, |p| prowler.compliant(p)))
    });
    group.bench_function("checker", |b| {
        b.iter(|| compliant(few, |p| checker.check_general(p).is_ok_and(|r| r.compliant)))
    });
    group.finish();
}

/// How many of `patterns` one way of checking calls compliant: one pass of a benchmark.
fn compliant(patterns: &[String], is_compliant: impl Fn(&str) -> bool) -> usize {
    patterns.iter().filter(|p| is_compliant(p)).count()
}

fn configure<M: Measurement>(group: &mut BenchmarkGroup<'_, M>) {
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
}

common::main_with_clock!(bench);
