//! Times parse and lower of `n` eventName disjuncts (the `stages_scaling/disjuncts` shape of
//! `benches/stages.rs`) for n = 10 .. 10,000, or (`SHAPE=nesting`) of its n nested levels
//! for n = 10, 25, 45 (two parentheses a level; the parser allows 100), for profiling their
//! growth.
//! `cargo run --release --example stage_scaling [N]`
use std::time::Instant;

use cwpattern::{canon, syntax};

fn main() {
    let nesting = std::env::var("SHAPE").as_deref() == Ok("nesting");
    let sizes: Vec<usize> = match std::env::args().nth(1) {
        Some(n) => vec![n.parse().expect("a count")],
        None if nesting => vec![10, 25, 45],
        None => vec![10, 100, 1000, 10_000],
    };
    let relaxed = syntax::ParseOptions {
        aws_limits: false,
        ..Default::default()
    };
    for n in sizes {
        let text = match nesting {
            // `benches/stages.rs`'s nesting: n nested levels, a sibling condition at each.
            true => {
                let mut s = "$.a = 0".to_owned();
                for i in 1..=n {
                    s = format!("($.a{} = {i} && ({s}))", i % 7);
                }
                format!("{{ {s} }}")
            }
            false => format!(
                "{{ {} }}",
                (0..n)
                    .map(|i| format!("($.eventName = Api{i:05})"))
                    .collect::<Vec<_>>()
                    .join(" || ")
            ),
        };
        let reps = (100_000 / n).max(3);
        let start = Instant::now();
        let mut ast = None;
        for _ in 0..reps {
            ast = Some(syntax::parse_with(&text, relaxed).expect("valid"));
        }
        let parse = start.elapsed() / reps as u32;
        let ast = ast.expect("parsed");
        let start = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(canon::lower(&ast));
        }
        let lower = start.elapsed() / reps as u32;
        println!("n={n:>6} parse {parse:>10.1?} lower {lower:>10.1?}");
    }
}
