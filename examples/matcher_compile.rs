//! Profiles compiling a matcher (development aid).
fn main() {
    let p = |s: &str| cwpattern::canon::lower(&cwpattern::syntax::parse(s).expect("valid"));
    let names: Vec<String> = (0..16)
        .map(|i| format!("($.eventName = Name{i})"))
        .collect();
    let cis = p(&format!("{{ {} }}", names.join(" || ")));
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < 3.0 {
        std::hint::black_box(cwpattern::eval::Matcher::new(&cis));
        n += 1;
    }
    println!("{:.2} µs", start.elapsed().as_secs_f64() * 1e6 / n as f64);
}
