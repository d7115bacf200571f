//! Checks the patterns of a JSON Lines file (one JSON string per line, as written by
//! `scripts/gen_patterns.py`) with one `Checker`, for profiling `check` under callgrind or
//! perf. `MODE=full` (default) builds the full report, `MODE=nonoise` skips the noise report;
//! `SLOWEST=1` prints the ten slowest patterns.
//!
//! `cargo run --release --example check_profile -- FILE [COUNT]`
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: check_profile FILE [COUNT]");
    let count: usize = args
        .next()
        .map_or(usize::MAX, |c| c.parse().expect("a count"));
    let text = std::fs::read_to_string(&path).expect("readable file");
    let patterns: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(count)
        .map(|l| serde_json::from_str(l).expect("a JSON string per line"))
        .collect();
    let noise = std::env::var("MODE").map_or(true, |m| m != "nonoise");
    let options = cwpattern::rules::CheckOptions {
        noise,
        ..Default::default()
    };
    let checker = cwpattern::rules::Checker::new(&options).expect("the default rule");
    let mut compliant = 0;
    let mut slowest: Vec<(std::time::Duration, &str)> = Vec::new();
    for p in &patterns {
        let start = std::time::Instant::now();
        if checker.check(p).is_ok_and(|r| r.compliant) {
            compliant += 1;
        }
        slowest.push((start.elapsed(), p));
    }
    println!("{compliant} of {} compliant", patterns.len());
    if std::env::var_os("SLOWEST").is_some() {
        slowest.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
        for (took, p) in slowest.iter().take(10) {
            println!("{took:>10.1?}  {p}");
        }
    }
}
