//! Times `relate` on adversarial patterns (many overlapping wildcards and regexes) to show
//! the step budget bounds it. `cargo run --release --example adversarial`
use cwpattern::syntax::{parse_with, ParseOptions};

fn main() {
    let relaxed = ParseOptions {
        aws_limits: false,
        ..ParseOptions::default()
    };
    let p = |s: &str| cwpattern::canon::lower(&parse_with(s, relaxed).expect("valid"));
    let cases = [
        (
            (0..300)
                .map(|i| format!("$.a = \"*{}*\"", (b'a' + (i % 26) as u8) as char))
                .collect::<Vec<_>>()
                .join(" || "),
            (0..300)
                .map(|i| {
                    format!(
                        "$.a != \"*{}{}*\"",
                        (b'a' + (i % 26) as u8) as char,
                        (b'a' + (i % 7) as u8) as char
                    )
                })
                .collect::<Vec<_>>()
                .join(" && "),
        ),
        (
            (0..40)
                .map(|i| {
                    format!(
                        "$.a = %{}.*{}%",
                        (b'a' + (i % 26) as u8) as char,
                        (b'a' + ((i * 7) % 26) as u8) as char
                    )
                })
                .collect::<Vec<_>>()
                .join(" || "),
            (0..40)
                .map(|i| {
                    format!(
                        "$.a = %{}.{{2,5}}{}%",
                        (b'a' + ((i * 3) % 26) as u8) as char,
                        (b'a' + ((i * 5) % 26) as u8) as char
                    )
                })
                .collect::<Vec<_>>()
                .join(" || "),
        ),
        (
            (0..12)
                .map(|i| format!("($.a{i} = x || $.b{i} = y)"))
                .collect::<Vec<_>>()
                .join(" && "),
            (0..12)
                .map(|i| format!("($.a{i} = y || $.b{i} = x)"))
                .collect::<Vec<_>>()
                .join(" && "),
        ),
    ];
    for (l, r) in cases {
        let (l, r) = (p(&format!("{{ {l} }}")), p(&format!("{{ {r} }}")));
        let start = std::time::Instant::now();
        let answer = cwpattern::logic::relate(&l, &r);
        println!(
            "{:?} in {:.0} ms",
            answer.relation,
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}
