//! Throughput of `Matcher::matches` on generated CloudTrail NDJSON, against a DOM baseline.
//!
//! Data: `scripts/gen_cloudtrail.py --size-mb 50 --seed 7` (generated once, cached under
//! `<target dir>/bench-data/`), loaded into memory as lines. Every benchmark function makes
//! one pass over all lines, so the reported throughput (`Throughput::Bytes`) is MB/s of
//! NDJSON.
//!
//! Groups (one per pattern, so criterion prints the two figures next to each other):
//! - `cis_iam`: the CIS IAM policy-change pattern (16 `||`-ed `$.eventName` tests);
//! - `cis_root`: CIS root-account usage (nested paths, `NOT EXISTS`, `!=`);
//!
//! each with
//! - `cwpattern`: `Matcher::matches(line)`, the evaluator the CLI uses;
//! - `dom_baseline`: `serde_json::from_str::<serde_json::Value>(line)`, then the same
//!   canonical formula evaluated on the `Value` by [`dom`] below.
//!
//! and a pattern-independent reference, `json_floor/ignored_any`: `serde_json::from_str::<
//! IgnoredAny>(line)`, a validating pass that builds nothing: the throughput ceiling of any
//! evaluator that validates each event with serde_json.
//!
//! Time is wall-clock time by default; `BENCH_CLOCK=cpu` measures the benchmark thread's CPU
//! time instead, which is steadier on a shared machine (its groups are named `cis_iam-cpu`,
//! ..., so that criterion's change reports never mix the two clocks).
//!
//! Before measuring, the setup asserts that `cwpattern` and `dom_baseline` agree on every
//! line of the file (so both do the same work), and at the end a summary prints the ratios
//! from criterion's saved estimates of this run. Run it with
//! `cargo bench --bench match_throughput`; `scripts/bench_match.sh` does the whole-process
//! comparison with `jq` and the memory check. Under `cargo test --benches` (criterion's test
//! mode: each function runs once) a 1 MB file is used instead, to keep tests quick.

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use criterion::measurement::Measurement;
use criterion::{Criterion, SamplingMode, Throughput};
use cwpattern::canon::{self, Canonical, Formula, JsonAtom};
use cwpattern::eval::Matcher;
use cwpattern::syntax;

const SIZE_MB: u32 = 50;
/// The file size in criterion's test and list modes (`cargo test --benches`).
const TEST_SIZE_MB: u32 = 1;
const SEED: u32 = 7;
/// Group-name suffix under `BENCH_CLOCK=cpu`, so that criterion never compares CPU times with
/// wall-clock times from an earlier run.
const CPU_SUFFIX: &str = "-cpu";

/// A straightforward evaluator over a parsed `serde_json::Value`: the baseline.
///
/// It applies the rules of SEMANTICS.md directly: the event must be an object; a path step
/// into a missing key, a key step on a non-object or an index step on a non-array resolves to
/// nothing; `[*]`/`.*` resolve to every element/member and a test holds when it holds for
/// some value; comparisons need a non-null scalar; `NOT EXISTS` holds for no value.
///
/// One known difference, irrelevant to the benchmark's patterns (which compare strings only):
/// without serde_json's `arbitrary_precision`, a float's text is serde_json's rendering
/// (`1.50` reads back as `1.5`), whereas the evaluator uses the number as written.
mod dom {
    use cwpattern::canon::{Formula, FormulaKind, JsonAtom, Num, Operand, PathStep, Test};
    use cwpattern::eval::text_matches;
    use serde_json::Value;

    /// Parses `event` into a `Value` and evaluates `formula` on it.
    pub fn matches(formula: &Formula<JsonAtom>, event: &str) -> bool {
        match serde_json::from_str::<Value>(event) {
            Ok(root @ Value::Object(_)) => eval(formula, &root),
            _ => false,
        }
    }

    fn eval(formula: &Formula<JsonAtom>, root: &Value) -> bool {
        match formula.kind() {
            FormulaKind::Atom(atom) => holds(atom, root),
            FormulaKind::And(ops) => ops.iter().all(|f| eval(f, root)),
            FormulaKind::Or(ops) => ops.iter().any(|f| eval(f, root)),
        }
    }

    fn resolve<'v>(root: &'v Value, steps: &[PathStep]) -> Vec<&'v Value> {
        let mut current = vec![root];
        for step in steps {
            let mut next = Vec::new();
            for value in current {
                match (step, value) {
                    (PathStep::Key(k), Value::Object(map)) => next.extend(map.get(k.as_str())),
                    (PathStep::AnyKey, Value::Object(map)) => next.extend(map.values()),
                    (PathStep::Index(i), Value::Array(items)) => {
                        next.extend(usize::try_from(*i).ok().and_then(|i| items.get(i)))
                    }
                    (PathStep::AnyIndex, Value::Array(items)) => next.extend(items.iter()),
                    _ => {}
                }
            }
            if next.is_empty() {
                return next;
            }
            current = next;
        }
        current
    }

    /// A scalar's text: a string's value, a number's text, `true`/`false`.
    fn with_text<R>(value: &Value, f: impl FnOnce(&str) -> R) -> Option<R> {
        match value {
            Value::String(s) => Some(f(s)),
            Value::Number(n) => Some(f(&n.to_string())),
            Value::Bool(true) => Some(f("true")),
            Value::Bool(false) => Some(f("false")),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    fn number(value: &Value) -> Option<Num> {
        match value {
            Value::Number(n) => Num::parse(&n.to_string()),
            _ => None,
        }
    }

    fn operand_holds(operand: &Operand, value: &Value) -> Option<bool> {
        with_text(value, |text| match operand {
            Operand::Any => true,
            Operand::Text(pat) => text_matches(pat, text),
            Operand::Num(n) => number(value).as_ref() == Some(n),
            Operand::Regex(re) => re.is_match(text),
        })
    }

    fn holds(atom: &JsonAtom, root: &Value) -> bool {
        let values = resolve(root, &atom.path.0);
        let compare =
            |f: &dyn Fn(&Num) -> bool| values.iter().any(|v| number(v).is_some_and(|n| f(&n)));
        match &atom.test {
            Test::NotExists => values.is_empty(),
            Test::IsNull => values.iter().any(|v| v.is_null()),
            Test::IsTrue => values.iter().any(|v| **v == Value::Bool(true)),
            Test::IsFalse => values.iter().any(|v| **v == Value::Bool(false)),
            Test::Eq(o) => values.iter().any(|v| operand_holds(o, v) == Some(true)),
            Test::Ne(o) => values.iter().any(|v| operand_holds(o, v) == Some(false)),
            Test::Lt(n) => compare(&|v| v < n),
            Test::Le(n) => compare(&|v| v <= n),
            Test::Gt(n) => compare(&|v| v > n),
            Test::Ge(n) => compare(&|v| v >= n),
        }
    }
}

struct Pattern {
    group: &'static str,
    text: &'static str,
    matcher: Matcher,
    formula: Formula<JsonAtom>,
}

fn pattern(group: &'static str, text: &'static str) -> Pattern {
    let canonical = canon::lower(&syntax::parse(text).expect("benchmark pattern parses"));
    let matcher = Matcher::new(&canonical);
    let Canonical::Json(formula) = canonical else {
        panic!("{group}: not a JSON pattern");
    };
    Pattern {
        group,
        text,
        matcher,
        formula,
    }
}

/// Asserts that the evaluator and the DOM baseline agree on every line; returns the count.
fn cross_check(p: &Pattern, lines: &[&str]) -> usize {
    let mut count = 0;
    for (i, line) in lines.iter().enumerate() {
        let ours = p.matcher.matches(line);
        let dom = dom::matches(&p.formula, line);
        assert_eq!(
            ours,
            dom,
            "{}: cwpattern and the DOM baseline disagree on line {}: {line}",
            p.group,
            i + 1
        );
        count += usize::from(ours);
    }
    count
}

fn count_matches(lines: &[&str], f: impl Fn(&str) -> bool) -> usize {
    lines.iter().filter(|l| f(black_box(l))).count()
}

fn main() {
    let started = SystemTime::now();
    // Criterion measures only with `--bench` (as `cargo bench` passes) and without `--test`.
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let measuring = has("--bench") && !has("--test") && !has("--list");
    let size_mb = if measuring { SIZE_MB } else { TEST_SIZE_MB };
    let path = common::cloudtrail_ndjson(size_mb, SEED);
    let (lines, bytes) = common::load_lines(&path);
    eprintln!(
        "data: {} ({:.1} MB, {} events)",
        path.display(),
        bytes as f64 / 1e6,
        lines.len()
    );

    let patterns = [
        pattern("cis_iam", common::CIS_IAM),
        pattern("cis_root", common::CIS_ROOT),
    ];
    let mut counts = Vec::new();
    for p in &patterns {
        let n = cross_check(p, &lines);
        assert!(
            n > 0 && n < lines.len(),
            "{}: {n} matches, want some but not all",
            p.group
        );
        eprintln!(
            "{}: {n} of {} events match (cwpattern = DOM baseline)",
            p.group,
            lines.len()
        );
        eprintln!("  pattern: {}", p.text);
        counts.push(n);
    }

    let cpu_clock = match std::env::var("BENCH_CLOCK").as_deref() {
        Ok("cpu") => true,
        Ok("wall") | Err(_) => false,
        Ok(other) => panic!("BENCH_CLOCK={other}: want `wall` (default) or `cpu`"),
    };
    let config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    if cpu_clock {
        let mut c = config
            .with_measurement(common::cpu::ThreadCpuTime)
            .configure_from_args();
        run(&mut c, &patterns, &counts, &lines, bytes, CPU_SUFFIX);
        c.final_summary();
    } else {
        let mut c = config.configure_from_args();
        run(&mut c, &patterns, &counts, &lines, bytes, "");
        c.final_summary();
    }
    let (clock, suffix) = if cpu_clock {
        ("thread CPU time", CPU_SUFFIX)
    } else {
        ("wall-clock time", "")
    };
    summary(started, clock, suffix, bytes, lines.len());
}

fn run<M: Measurement>(
    c: &mut Criterion<M>,
    patterns: &[Pattern],
    counts: &[usize],
    lines: &[&str],
    bytes: u64,
    suffix: &str,
) {
    for (p, &expected) in patterns.iter().zip(counts) {
        let mut group = c.benchmark_group(format!("{}{suffix}", p.group));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function("cwpattern", |b| {
            b.iter(|| {
                let n = count_matches(lines, |l| p.matcher.matches(l));
                assert_eq!(n, expected);
                n
            })
        });
        group.bench_function("dom_baseline", |b| {
            b.iter(|| {
                let n = count_matches(lines, |l| dom::matches(&p.formula, l));
                assert_eq!(n, expected);
                n
            })
        });
        group.finish();
    }

    let mut group = c.benchmark_group(format!("json_floor{suffix}"));
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("ignored_any", |b| {
        b.iter(|| {
            count_matches(lines, |l| {
                serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok()
            })
        })
    });
    group.finish();
}

/// Where criterion saves its estimates (same rule as criterion 0.5).
fn criterion_dir() -> PathBuf {
    match std::env::var_os("CRITERION_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => common::target_dir().join("criterion"),
    }
}

/// The median time of one pass (seconds) from this run's saved estimates, if any.
fn median_seconds(group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let file = criterion_dir()
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
    if modified < since {
        return None; // not measured in this run (filtered out)
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
    Some(json["median"]["point_estimate"].as_f64()? / 1e9)
}

/// Prints MB/s, events/s and the ratio to the DOM baseline for what this run measured.
fn summary(since: SystemTime, clock: &str, suffix: &str, bytes: u64, events: usize) {
    let rows = [
        ("cis_iam", "cwpattern"),
        ("cis_iam", "dom_baseline"),
        ("cis_root", "cwpattern"),
        ("cis_root", "dom_baseline"),
        ("json_floor", "ignored_any"),
    ];
    let measured: Vec<_> = rows
        .iter()
        .filter_map(|&(g, f)| Some((g, f, median_seconds(&format!("{g}{suffix}"), f, since)?)))
        .collect();
    if measured.is_empty() {
        return;
    }
    println!();
    println!(
        "summary: criterion medians of this run ({clock}); {:.1} MB, {events} events per pass",
        bytes as f64 / 1e6
    );
    println!(
        "{:<12} {:<14} {:>10} {:>10} {:>14} {:>12}",
        "group", "function", "ms/pass", "MB/s", "events/s", "vs DOM"
    );
    for &(g, f, secs) in &measured {
        let dom = measured
            .iter()
            .find(|&&(g2, f2, _)| g2 == g && f2 == "dom_baseline")
            .map(|&(_, _, s)| s);
        let ratio = match dom {
            Some(d) if f != "dom_baseline" => format!("{:.2}x", d / secs),
            _ => "-".to_owned(),
        };
        println!(
            "{:<12} {:<14} {:>10.1} {:>10.1} {:>14.0} {:>12}",
            g,
            f,
            secs * 1e3,
            bytes as f64 / 1e6 / secs,
            events as f64 / secs,
            ratio
        );
    }
}
