//! The first line is a pattern, the other lines events: the canonical form is idempotent
//! and the pattern re-read from its canonical text matches exactly the same events.
#![no_main]

use cwpattern::eval::Matcher;
use cwpattern::syntax::{parse_with, ParseOptions};
use cwpattern::canon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (pattern, events) = text.split_once('\n').unwrap_or((text, ""));
    let relaxed = ParseOptions { aws_limits: false, ..ParseOptions::default() };
    let Ok(ast) = parse_with(pattern, relaxed) else { return };
    let once = canon::lower(&ast);
    let canonical_text = once.to_string();
    let Ok(reparsed) = parse_with(&canonical_text, relaxed) else {
        panic!("canonical text {canonical_text:?} does not parse");
    };
    let twice = canon::lower(&reparsed);
    assert_eq!(twice, once, "not idempotent: {pattern:?} -> {canonical_text:?}");
    assert_eq!(twice.to_string(), canonical_text);
    let (a, b) = (Matcher::new(&once), Matcher::new(&twice));
    for event in events.split('\n') {
        assert_eq!(a.matches(event), b.matches(event), "{pattern:?} vs {canonical_text:?} on {event:?}");
    }
});
