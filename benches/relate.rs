//! Semantic-engine benchmarks: the CIS 16-event IAM pattern against the 19-event one, every
//! pair of `corpus/relate.jsonl`, and scaling with the size of the patterns.
//!
//! - `relate/cis16-vs-iam19`: one question;
//! - `relate_corpus/all`: every pair of the corpus (those that parse), one pass per
//!   iteration, throughput in questions per second;
//! - `relate/disjuncts/<n>`: two lists of `n` eventNames that share all but one name
//!   (relation `overlap`), n = 10 … 10,000;
//! - `relate_scaling/nesting/<n>`: a pattern of `n` nested `&&`/`||` levels against itself
//!   with one value changed;
//! - `relate_scaling/wildcards/<n>`: `n` prefix values (`"Put…*"`) against the same list
//!   with one more.
//!
//! `BENCH_CLOCK=cpu` measures thread CPU time. `cargo bench --bench relate`.

mod common;

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

use cwpattern::canon::{self, Canonical};
use cwpattern::logic::relate;
use cwpattern::syntax::{self, ParseOptions};

fn pattern(text: &str) -> Canonical {
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    canon::lower(&syntax::parse_with(text, relaxed).expect("benchmark patterns are valid"))
}

fn names_pattern(names: &[String]) -> Canonical {
    let body: Vec<String> = names
        .iter()
        .map(|n| format!("($.eventName = \"{n}\")"))
        .collect();
    pattern(&format!("{{ {} }}", body.join(" || ")))
}

fn nested(n: usize, last: &str) -> Canonical {
    let mut s = format!("$.a = {last}");
    for i in 1..=n {
        let op = if i % 2 == 0 { "&&" } else { "||" };
        s = format!("($.k{} = v{i} {op} ({s}))", i % 5);
    }
    pattern(&format!("{{ {s} }}"))
}

fn prefixes(n: usize, extra: bool) -> Canonical {
    let mut body: Vec<String> = (0..n)
        .map(|i| format!("$.eventName = \"Put{i:05}*\""))
        .collect();
    if extra {
        body.push("$.eventName = \"Get*\"".to_owned());
    }
    pattern(&format!("{{ {} }}", body.join(" || ")))
}

fn bench<M: Measurement + 'static>(c: &mut Criterion<M>, suffix: &str) {
    let lines =
        std::fs::read_to_string(common::crate_root().join("corpus/realworld_patterns.jsonl"))
            .expect("corpus");
    let first: serde_json::Value =
        serde_json::from_str(lines.lines().next().expect("a line")).expect("json");
    let cis16 = pattern(first["pattern"].as_str().expect("pattern"));
    let rules =
        std::fs::read_to_string(common::crate_root().join("data/rules.json")).expect("rules");
    let rules: serde_json::Value = serde_json::from_str(&rules).expect("json");
    let iam19 = pattern(
        rules["rules"][0]["patterns"][0]["pattern"]
            .as_str()
            .expect("pattern"),
    );
    c.bench_function(&format!("relate{suffix}/cis16-vs-iam19"), |b| {
        b.iter(|| relate(&cis16, &iam19))
    });

    // Every pair of the relate corpus.
    let corpus =
        std::fs::read_to_string(common::crate_root().join("corpus/relate.jsonl")).expect("corpus");
    let pairs: Vec<(Canonical, Canonical)> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let parse = |k: &str| {
                syntax::parse(v[k].as_str()?)
                    .ok()
                    .map(|ast| canon::lower(&ast))
            };
            Some((parse("left")?, parse("right")?))
        })
        .collect();
    let mut group = c.benchmark_group(format!("relate_corpus{suffix}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("all", |b| {
        b.iter(|| {
            pairs
                .iter()
                .filter(|(l, r)| relate(l, r).left_only.is_empty())
                .count()
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("relate{suffix}/disjuncts"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    for n in [10usize, 100, 1000, 10_000] {
        let left: Vec<String> = (0..n).map(|i| format!("Api{i:05}")).collect();
        // The right side shares all but one name and adds one: an overlap with witnesses.
        let mut right: Vec<String> = left[1..].to_vec();
        right.push("Extra".to_owned());
        let (l, r) = (names_pattern(&left), names_pattern(&right));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| relate(&l, &r))
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("relate_scaling{suffix}/nesting"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    for n in [4usize, 16, 48] {
        let (l, r) = (nested(n, "x"), nested(n, "y"));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| relate(&l, &r))
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("relate_scaling{suffix}/wildcards"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    for n in [10usize, 100, 1000] {
        let (l, r) = (prefixes(n, false), prefixes(n, true));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| relate(&l, &r))
        });
    }
    group.finish();
}

common::main_with_clock!(bench);
