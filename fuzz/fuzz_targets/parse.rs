//! Any bytes → the parser never panics; when a pattern parses, printing it parses back to
//! the same tree, and its canonical text parses back to the same canonical form.
#![no_main]

use cwpattern::syntax::{parse_with, ParseOptions};
use cwpattern::{canon, syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = syntax::parse(text);
    let relaxed = ParseOptions { aws_limits: false, ..ParseOptions::default() };
    let Ok(ast) = parse_with(text, relaxed) else { return };
    let printed = ast.to_string();
    let again = parse_with(&printed, relaxed).unwrap_or_else(|e| panic!("printed form {printed:?} of {text:?} does not parse:\n{e}"));
    assert_eq!(again.to_string(), printed, "print/parse round trip of {text:?}");
    let canonical = canon::lower(&ast);
    let canonical_text = canonical.to_string();
    let reparsed = parse_with(&canonical_text, relaxed).unwrap_or_else(|e| panic!("canonical text {canonical_text:?} of {text:?} does not parse:\n{e}"));
    assert_eq!(canon::lower(&reparsed), canonical, "canonical text {canonical_text:?} of {text:?}");
});
