//! Relates two lists of `n` eventNames that share all but one name (the `relate/disjuncts`
//! benchmark), `REPS` times, and prints the wall-clock and (on Linux, from
//! `/proc/thread-self/schedstat`) the CPU time per `relate`: on a shared machine the CPU
//! time does not count waiting for a core. Under `valgrind --tool=callgrind
//! --toggle-collect=cwpattern::logic::relate_with` it counts the instructions of `relate`
//! alone. `SHAPE=nesting`: the `relate_scaling/nesting` question instead;
//! `SHAPE=wildcards`: the `relate_scaling/wildcards` one.
//! `cargo run --release --example relate_disjuncts -- 10000`
use cwpattern::canon::{self, Canonical};
use cwpattern::syntax::{self, ParseOptions};

fn names_pattern(names: &[String]) -> Canonical {
    let body: Vec<String> = names
        .iter()
        .map(|n| format!("($.eventName = \"{n}\")"))
        .collect();
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let text = format!("{{ {} }}", body.join(" || "));
    canon::lower(&syntax::parse_with(&text, relaxed).expect("valid"))
}

/// The `relate_scaling/nesting` pattern of `benches/relate.rs` (parsed without the AWS
/// length limit, as there, and with room for two parentheses a level).
fn nested(n: usize, last: &str) -> Canonical {
    let mut s = format!("$.a = {last}");
    for i in 1..=n {
        let op = if i % 2 == 0 { "&&" } else { "||" };
        s = format!("($.k{} = v{i} {op} ({s}))", i % 5);
    }
    let relaxed = ParseOptions {
        aws_limits: false,
        max_depth: 2 * n + 2,
    };
    canon::lower(&syntax::parse_with(&format!("{{ {s} }}"), relaxed).expect("valid"))
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let (l, r) = match std::env::var("SHAPE").as_deref() {
        // `relate_scaling/nesting`: n alternating `||`/`&&` levels, differing in the last value.
        Ok("nesting") => (nested(n, "x"), nested(n, "y")),
        // `relate_scaling/wildcards`: n prefix values against the same list and `Get*`.
        Ok("wildcards") => {
            let prefixes: Vec<String> = (0..n).map(|i| format!("Put{i:05}*")).collect();
            let mut more = prefixes.clone();
            more.push("Get*".to_owned());
            (names_pattern(&prefixes), names_pattern(&more))
        }
        _ => {
            let left: Vec<String> = (0..n).map(|i| format!("Api{i:05}")).collect();
            let mut right: Vec<String> = left[1..].to_vec();
            right.push("Extra".to_owned());
            (names_pattern(&left), names_pattern(&right))
        }
    };
    let (start, cpu_start) = (std::time::Instant::now(), cpu_ns());
    let mut relation = String::new();
    for _ in 0..reps {
        relation = cwpattern::logic::relate(&l, &r).relation.name().to_owned();
    }
    let per = start.elapsed() / reps as u32;
    let cpu = match (cpu_start, cpu_ns()) {
        (Some(a), Some(b)) => format!(
            ", {:?} CPU",
            std::time::Duration::from_nanos((b - a) / reps as u64)
        ),
        _ => String::new(),
    };
    println!("n = {n}: {relation}, {per:?} per relate{cpu}");
}

/// The CPU time of this thread so far, in nanoseconds (Linux only).
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}
