//! JSON strings for the batch modes, eight bytes at a time: writing one as serde_json does,
//! and reading a line that is one JSON string.
//!
//! `check --batch` reads a ~600-byte pattern per line and writes a ~1.5 KB line per
//! pattern; serde_json looks at each byte of a string on its own, which cost 10.8 thousand
//! instructions per line of `--brief` output in its escaping loop (callgrind over 1,000
//! lines; 3.6 thousand here, BENCHMARKS.md §7d). Here a
//! word of eight bytes is tested at once for a byte that needs attention — `"`, `\` or a
//! control character — and runs without one are copied whole. The output is serde_json's,
//! byte for byte (property-tested below); a string this reader does not handle goes to
//! serde_json. The reader also gives back the string's JSON text when the writer would
//! write exactly that text (no `\/` escape), so that `check --batch --brief` copies the
//! pattern into its output line instead of escaping it again.

/// The eight-byte words whose bytes all equal `b`.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `word` (read little-endian) that is `"`, `\` or below 0x20;
/// bytes after the first such byte may be marked wrongly, the first one never is.
fn special_bytes(word: u64) -> u64 {
    const HIGHS: u64 = splat(0x80);
    // A zero byte of `x` borrows in `x - 0x01…01` and sets that byte's high bit, which `!x`
    // keeps only when the byte was below 0x80.
    let zero_byte = |x: u64| x.wrapping_sub(splat(1)) & !x & HIGHS;
    let control = word.wrapping_sub(splat(0x20)) & !word & HIGHS;
    zero_byte(word ^ splat(b'"')) | zero_byte(word ^ splat(b'\\')) | control
}

/// The position of the first `"`, `\` or control byte at or after `from`, if any.
fn next_special(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let marks = special_bytes(u64::from_le_bytes(*word));
        if marks != 0 {
            // The lowest mark is a special byte.
            return Some(at + marks.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    // The last few bytes one at a time (copying them into a padded word took a call).
    let rest = bytes.get(at..)?;
    let found = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | 0..=0x1f));
    found.map(|i| at + i)
}

/// Appends `s` as a JSON string, exactly as `serde_json::to_writer` writes it.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_special(bytes, start) {
        out.extend_from_slice(&bytes[start..at]);
        let b = bytes[at];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A JSON string read by [`read_simple_string`].
#[derive(Debug, PartialEq)]
pub struct ReadString<'a> {
    /// The string; borrowed from the line when it has no escape.
    pub text: std::borrow::Cow<'a, str>,
    /// The string's JSON text in the line, quotes included, when it is what [`write_str`]
    /// writes for `text` — when it has no `\/` escape, the one escape [`write_str`] never
    /// writes (a control character is always escaped, or the line is not read): so it can
    /// be written again as it is.
    pub json: Option<&'a str>,
}

/// The string a line holds when the line is one JSON string (with JSON whitespace around
/// it) whose escapes are the one-character ones (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`,
/// `\t`); `None` for any other line — a `\u` escape, an object, invalid JSON — which the
/// caller reads with serde_json.
pub fn read_simple_string(line: &str) -> Option<ReadString<'_>> {
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = line.as_bytes();
    let open = bytes.iter().position(|&b| !is_ws(b))?;
    if bytes[open] != b'"' {
        return None;
    }
    let body = open + 1;
    let mut owned: Option<String> = None;
    let mut as_written = true;
    let mut start = body;
    let close = loop {
        let at = next_special(bytes, start)?;
        match bytes[at] {
            b'"' => break at,
            b'\\' => {
                let unescaped = match bytes.get(at + 1)? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => {
                        as_written = false;
                        '/'
                    }
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return None,
                };
                let text = owned.get_or_insert_with(|| String::with_capacity(bytes.len()));
                // `start` and `at` are at ASCII bytes: character boundaries.
                text.push_str(&line[start..at]);
                text.push(unescaped);
                start = at + 2;
            }
            // A control character: invalid JSON, which serde_json reports.
            _ => return None,
        }
    };
    if !bytes[close + 1..].iter().all(|&b| is_ws(b)) {
        return None;
    }
    let text = match owned {
        None => std::borrow::Cow::Borrowed(&line[body..close]),
        Some(mut text) => {
            text.push_str(&line[start..close]);
            std::borrow::Cow::Owned(text)
        }
    };
    Some(ReadString {
        text,
        json: as_written.then(|| &line[open..=close]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// True when the byte needs attention in a JSON string.
    fn is_special(b: u8) -> bool {
        b == b'"' || b == b'\\' || b < 0x20
    }

    fn written(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).expect("UTF-8")
    }

    /// Strings rich in what needs escaping, in runs long and short.
    fn tricky() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("\"".to_owned()),
                Just("\\".to_owned()),
                Just("/".to_owned()),
                (0u8..0x20).prop_map(|b| char::from(b).to_string()),
                Just("\u{7f}é€😀".to_owned()),
                "[a-zA-Z0-9 ${}().=*]{0,20}",
                any::<char>().prop_map(String::from),
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn finds_the_first_special_byte(bytes in prop::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff, b'a'..=b'z'], 0..40), from in 0usize..40) {
            let naive = (from..bytes.len()).find(|&i| is_special(bytes[i]));
            prop_assert_eq!(next_special(&bytes, from), naive);
        }

        #[test]
        fn writes_what_serde_json_writes(s in tricky()) {
            prop_assert_eq!(written(&s), serde_json::to_string(&s).expect("a string"));
        }

        #[test]
        fn reads_what_serde_json_reads(s in tricky(), pad in "[ \t\r\n]{0,2}", tail in "[ \t\r\n]{0,2}") {
            // serde_json's own text of `s` (with `\u` escapes for some controls) and this
            // writer's, padded: read back to `s` by both readers when this one reads it.
            let text = format!("{pad}{}{tail}", serde_json::to_string(&s).expect("a string"));
            if let Some(read) = read_simple_string(&text) {
                prop_assert_eq!(read.text.as_ref(), s.as_str());
                // Written by serde_json: so as this module writes it.
                prop_assert_eq!(read.json, Some(text.trim_matches([' ', '\t', '\r', '\n'])));
            }
            prop_assert_eq!(serde_json::from_str::<String>(&text).expect("valid"), s);
        }

        #[test]
        fn reads_only_what_serde_json_reads_as_a_string(
            line in "[ ]?\"[ \"\\\\a-z/nu{}:,\u{1}\t]{0,20}\"?[ x]?|[ \"\\\\a-z{}:,\t]{0,24}"
        ) {
            if let Some(read) = read_simple_string(&line) {
                let serde_read = serde_json::from_str::<String>(&line).ok();
                prop_assert_eq!(serde_read.as_deref(), Some(read.text.as_ref()));
                // The JSON text it gives back is the text write_str writes.
                if let Some(json) = read.json {
                    prop_assert_eq!(json, written(&read.text));
                }
            }
        }
    }

    #[test]
    fn reads_typical_lines() {
        let text = |line| read_simple_string(line).map(|r| r.text.into_owned());
        let json = |line| read_simple_string(line).and_then(|r| r.json);
        assert_eq!(text(r#""{ $.a = 1 }""#).as_deref(), Some("{ $.a = 1 }"));
        assert!(matches!(
            read_simple_string(r#" "abc" "#).map(|r| r.text),
            Some(std::borrow::Cow::Borrowed("abc"))
        ));
        assert_eq!(json(r#" "abc" "#), Some(r#""abc""#));
        assert_eq!(text(r#""say \"hi\"\\""#).as_deref(), Some(r#"say "hi"\"#));
        assert_eq!(json(r#""say \"hi\"\\" "#), Some(r#""say \"hi\"\\""#));
        // `\/` reads as `/`, which is written without the escape.
        assert_eq!(text(r#""a\/b""#).as_deref(), Some("a/b"));
        assert_eq!(json(r#""a\/b""#), None);
        for other in [
            r#""\u0041""#,
            r#"{"pattern": "x"}"#,
            r#""open"#,
            r#""a" x"#,
            "\"\u{1}\"",
            "",
        ] {
            assert_eq!(read_simple_string(other), None, "{other:?}");
        }
    }

    #[test]
    fn finds_every_special_byte_in_a_word() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                let mut word = [b'a'; 8];
                word[pos] = b;
                let found = next_special(&word, 0);
                assert_eq!(found, is_special(b).then_some(pos), "byte {b:#x} at {pos}");
            }
        }
    }
}
