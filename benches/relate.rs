//! Semantic-engine benchmarks: the CIS 16-event IAM pattern against the 19-event one, and
//! scaling with the number of eventName disjuncts (10 / 100 / 1,000) on both sides.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

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

fn cis(c: &mut Criterion) {
    let lines = std::fs::read_to_string("corpus/realworld_patterns.jsonl").expect("corpus");
    let first: serde_json::Value =
        serde_json::from_str(lines.lines().next().expect("a line")).expect("json");
    let cis16 = pattern(first["pattern"].as_str().expect("pattern"));
    let rules = std::fs::read_to_string("data/rules.json").expect("rules");
    let rules: serde_json::Value = serde_json::from_str(&rules).expect("json");
    let iam19 = pattern(
        rules["rules"][0]["patterns"][0]["pattern"]
            .as_str()
            .expect("pattern"),
    );
    c.bench_function("relate/cis16-vs-iam19", |b| {
        b.iter(|| relate(&cis16, &iam19))
    });
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("relate/disjuncts");
    group.sample_size(10);
    for n in [10usize, 100, 1000] {
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
}

criterion_group!(benches, cis, scaling);
criterion_main!(benches);
