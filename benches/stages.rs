//! The front stages per pattern: parse, canonicalise, print the canonical text; and how
//! they scale with the pattern's size.
//!
//! Data: every pattern of `corpus/realworld_patterns.jsonl`, `corpus/samples/patterns.jsonl`,
//! `corpus/check_cases.jsonl` and `corpus/relate.jsonl` (both sides), keeping those that
//! parse within AWS's limits. One iteration handles all of them; throughput is patterns per
//! second and MB/s of pattern text.
//!
//! - `stages/parse`: `syntax::parse` (AWS's limits on);
//! - `stages/canonicalise`: `canon::lower` of the parsed trees;
//! - `stages/print`: the canonical text (`Canonical`'s `Display`).
//!
//! Scaling (`stages_scaling/<shape>/<n>`, parse + lower with AWS's limits off): `disjuncts`
//! (n `$.eventName = Api…` joined by `||`), `nesting` (n nested parentheses) and `wildcards`
//! (n `$.a.*.bN = "x*"` disjuncts).
//!
//! `BENCH_CLOCK=cpu` measures thread CPU time. `cargo bench --bench stages`.

mod common;

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use cwpattern::{canon, syntax};

/// Pattern texts for the scaling groups.
pub fn disjuncts(n: usize) -> String {
    let body: Vec<String> = (0..n)
        .map(|i| format!("($.eventName = Api{i:05})"))
        .collect();
    format!("{{ {} }}", body.join(" || "))
}

/// `n` nested parentheses around one condition, with a sibling at each level.
pub fn nesting(n: usize) -> String {
    let mut s = "$.a = 0".to_owned();
    for i in 1..=n {
        s = format!("($.a{} = {i} && ({s}))", i % 7);
    }
    format!("{{ {s} }}")
}

/// `n` disjuncts with a wildcard step and a prefix value each.
pub fn wildcards(n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("$.a.*.b{i} = \"x{i}*\"")).collect();
    format!("{{ {} }}", body.join(" || "))
}

/// A scaling shape: its name, the pattern of size n, the sizes.
type Shape = (&'static str, fn(usize) -> String, &'static [usize]);

fn bench<M: Measurement + 'static>(c: &mut Criterion<M>, suffix: &str) {
    let mut patterns: Vec<String> = Vec::new();
    for file in [
        "realworld_patterns.jsonl",
        "samples/patterns.jsonl",
        "check_cases.jsonl",
        "relate.jsonl",
    ] {
        patterns.extend(common::corpus_patterns(file));
    }
    patterns.retain(|p| syntax::parse(p).is_ok());
    let bytes: usize = patterns.iter().map(String::len).sum();
    let trees: Vec<_> = patterns
        .iter()
        .filter_map(|p| syntax::parse(p).ok())
        .collect();
    let canonical: Vec<_> = trees.iter().map(canon::lower).collect();

    let mut group = c.benchmark_group(format!("stages{suffix}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.throughput(Throughput::Elements(patterns.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| patterns.iter().filter(|p| syntax::parse(p).is_ok()).count())
    });
    group.bench_function("canonicalise", |b| {
        b.iter(|| {
            trees
                .iter()
                .filter(|t| matches!(canon::lower(t), canon::Canonical::Json(_)))
                .count()
        })
    });
    group.bench_function("print", |b| {
        b.iter(|| canonical.iter().map(|c| c.to_string().len()).sum::<usize>())
    });
    group.finish();
    let mut group = c.benchmark_group(format!("stages_bytes{suffix}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| patterns.iter().filter(|p| syntax::parse(p).is_ok()).count())
    });
    group.finish();

    let relaxed = syntax::ParseOptions {
        aws_limits: false,
        ..syntax::ParseOptions::default()
    };
    let shapes: [Shape; 3] = [
        ("disjuncts", disjuncts, &[10, 100, 1000, 10_000]),
        ("nesting", nesting, &[10, 25, 45]),
        ("wildcards", wildcards, &[10, 100, 1000]),
    ];
    for (name, make, sizes) in shapes {
        let mut group = c.benchmark_group(format!("stages_scaling{suffix}/{name}"));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        for &n in sizes {
            let text = make(n);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
                b.iter(|| {
                    let ast = syntax::parse_with(text, relaxed).expect("valid");
                    canon::lower(&ast)
                })
            });
        }
        group.finish();
    }
}

common::main_with_clock!(bench);
