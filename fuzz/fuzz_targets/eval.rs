//! A pattern and arbitrary event bytes → evaluation never panics and agrees with
//! `matches`.
#![no_main]

use arbitrary::Arbitrary;
use cwpattern::eval::Matcher;
use cwpattern::syntax::{parse_with, ParseOptions};
use cwpattern::canon;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    pattern: &'a str,
    event: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let relaxed = ParseOptions { aws_limits: false, ..ParseOptions::default() };
    let Ok(ast) = parse_with(input.pattern, relaxed) else { return };
    let matcher = Matcher::new(&canon::lower(&ast));
    let event = String::from_utf8_lossy(input.event);
    let outcome = matcher.evaluate(&event);
    assert_eq!(outcome.matched, matcher.matches(&event));
    assert!(outcome.matched || outcome.extracted.is_empty());
});
