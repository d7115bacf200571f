//! `cwpattern match` and `cwpattern test-metric-filter`: evaluating a pattern on events.
//!
//! Files are streamed: one line (or one CloudTrail record) at a time, so memory stays flat
//! however large the file. A file is a CloudTrail log file when its (decompressed) content
//! starts with `{"Records"`; otherwise each non-empty line is one event, JSON or plain text.
//! Gzip is detected by its magic bytes, whatever the file's name.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::json;
use serde_json::value::RawValue;

use super::{input, NO, UNUSABLE, YES};
use cwpattern::eval::{JsonStatus, Matcher};

/// Counts kept while matching, reported on standard error at the end.
#[derive(Debug, Default)]
struct Tally {
    events: u64,
    matched: u64,
    bytes: u64,
    /// Lines that were not UTF-8 (skipped), with the first one's place.
    not_utf8: u64,
    first_not_utf8: Option<String>,
    /// Events a JSON pattern could not read as a JSON object, with the first one's reason.
    not_json: u64,
    first_not_json: Option<String>,
}

/// Where matches go: printed, or only counted.
struct Sink<'a> {
    out: std::io::StdoutLock<'a>,
    count_only: bool,
    failed: bool,
}

impl Sink<'_> {
    fn emit(&mut self, event: &str) {
        if self.count_only || self.failed {
            return;
        }
        let written = if event.contains('\n') {
            // A pretty-printed CloudTrail record: print it on one line.
            let compact = serde_json::from_str::<serde_json::Value>(event).map(|v| v.to_string());
            writeln!(self.out, "{}", compact.as_deref().unwrap_or(event))
        } else {
            writeln!(self.out, "{event}")
        };
        self.failed = written.is_err();
    }
}

/// A progress line on standard error, shown only on a terminal and for large inputs.
struct Progress {
    enabled: bool,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new() -> Progress {
        let now = Instant::now();
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: now,
            last: now,
        }
    }

    fn tick(&mut self, tally: &Tally) {
        if !self.enabled || tally.events % 4096 != 0 {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.started) < Duration::from_secs(1)
            || now.duration_since(self.last) < Duration::from_millis(200)
        {
            return;
        }
        self.last = now;
        let mb = tally.bytes as f64 / 1e6;
        let rate = mb / now.duration_since(self.started).as_secs_f64().max(1e-9);
        eprint!(
            "\r{} events, {} matched, {mb:.1} MB ({rate:.0} MB/s)   ",
            tally.events, tally.matched
        );
    }

    fn done(&self) {
        if self.enabled && Instant::now().duration_since(self.started) >= Duration::from_secs(1) {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}

struct Run<'m, 'o> {
    matcher: &'m Matcher,
    tally: Tally,
    sink: Sink<'o>,
    progress: Progress,
}

impl Run<'_, '_> {
    fn event(&mut self, event: &str, place: impl FnOnce() -> String) {
        self.tally.events += 1;
        self.tally.bytes += event.len() as u64 + 1;
        let matched = if self.matcher.wants_json() {
            let outcome = self.matcher.evaluate(event);
            if let Some(JsonStatus::NotObject | JsonStatus::Invalid(_)) = &outcome.json {
                self.tally.not_json += 1;
                if self.tally.first_not_json.is_none() {
                    let why = match &outcome.json {
                        Some(JsonStatus::Invalid(e)) => e.clone(),
                        _ => "valid JSON but not an object".to_owned(),
                    };
                    self.tally.first_not_json = Some(format!("{}: {why}", place()));
                }
            }
            outcome.matched
        } else {
            self.matcher.matches(event)
        };
        if matched {
            self.tally.matched += 1;
            self.sink.emit(event);
        }
        self.progress.tick(&self.tally);
    }
}

/// `cwpattern match PATTERN [FILE...] [--count]`.
pub fn run(pattern: Option<&str>, files: &[String], count: bool) -> u8 {
    let (_, ast) = match super::parsed(pattern) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let matcher = Matcher::new(&cwpattern::canon::lower(&ast));
    let stdout = std::io::stdout();
    let mut run = Run {
        matcher: &matcher,
        tally: Tally::default(),
        sink: Sink {
            out: stdout.lock(),
            count_only: count,
            failed: false,
        },
        progress: Progress::new(),
    };
    let stdin_name = ["-".to_owned()];
    let files = if files.is_empty() {
        &stdin_name[..]
    } else {
        files
    };
    let mut unusable = false;
    for path in files {
        if let Err(e) = read_file(&mut run, path) {
            eprintln!("error: {e}");
            unusable = true;
        }
    }
    run.progress.done();
    if count {
        let _ = writeln!(run.sink.out, "{}", run.tally.matched);
    }
    report(&run.tally);
    if unusable || run.sink.failed {
        UNUSABLE
    } else if run.tally.matched > 0 {
        YES
    } else {
        NO
    }
}

fn report(tally: &Tally) {
    if tally.not_utf8 > 0 {
        eprintln!(
            "warning: {} line(s) were not valid UTF-8 and were skipped (first: {})",
            tally.not_utf8,
            tally.first_not_utf8.as_deref().unwrap_or("?")
        );
    }
    if tally.not_json > 0 {
        eprintln!(
            "warning: {} event(s) could not be read as a JSON object, so the JSON pattern did not match them (first: {})",
            tally.not_json,
            tally.first_not_json.as_deref().unwrap_or("?")
        );
    }
}

/// Reads one file (or standard input), decompressing gzip and recognising CloudTrail files.
fn read_file(run: &mut Run<'_, '_>, path: &str) -> Result<(), String> {
    let name = if path == "-" { "standard input" } else { path };
    let mut reader = input::open(path)?;
    let head = reader.fill_buf().map_err(|e| format!("{name}: {e}"))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(reader),
        ))
    } else {
        reader
    };
    let head = reader.fill_buf().map_err(|e| format!("{name}: {e}"))?;
    if is_cloudtrail(head) {
        return read_cloudtrail(run, reader, name);
    }
    read_lines(run, reader, name)
}

/// Does the content start with `{ "Records"`?
fn is_cloudtrail(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(256)]);
    let rest = text.trim_start().strip_prefix('{').map(str::trim_start);
    rest.is_some_and(|r| r.starts_with("\"Records\""))
}

fn read_lines(
    run: &mut Run<'_, '_>,
    mut reader: Box<dyn BufRead>,
    name: &str,
) -> Result<(), String> {
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{name}: line {}: {e}", line_no + 1))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            buf.pop();
        }
        if buf.is_empty() {
            continue;
        }
        match std::str::from_utf8(&buf) {
            Ok(line) => run.event(line, || format!("{name}: line {line_no}")),
            Err(e) => {
                run.tally.not_utf8 += 1;
                if run.tally.first_not_utf8.is_none() {
                    run.tally.first_not_utf8 = Some(format!("{name}: line {line_no}: {e}"));
                }
            }
        }
        if run.sink.failed {
            return Ok(());
        }
    }
}

/// Streams the `Records` array of a CloudTrail log file, one record at a time.
fn read_cloudtrail(
    run: &mut Run<'_, '_>,
    reader: Box<dyn BufRead>,
    name: &str,
) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut records = 0u64;
    let result = de::Deserializer::deserialize_map(
        &mut de,
        FileVisitor {
            run,
            records: &mut records,
            name,
        },
    )
    .and_then(|()| de.end());
    result.map_err(|e| {
        format!("{name}: not a complete CloudTrail log file after {records} record(s): {e}")
    })
}

struct FileVisitor<'r, 'a, 'b, 'c> {
    run: &'r mut Run<'a, 'b>,
    records: &'c mut u64,
    name: &'c str,
}

impl<'de> Visitor<'de> for FileVisitor<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudTrail log file {\"Records\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "Records" {
                map.next_value_seed(RecordsSeed {
                    run: &mut *self.run,
                    records: &mut *self.records,
                    name: self.name,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct RecordsSeed<'r, 'a, 'b, 'c> {
    run: &'r mut Run<'a, 'b>,
    records: &'c mut u64,
    name: &'c str,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Box<RawValue>>()? {
            *self.records += 1;
            let n = *self.records;
            let name = self.name;
            self.run
                .event(record.get(), || format!("{name}: record {n}"));
            if self.run.sink.failed {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// `cwpattern test-metric-filter --filter-pattern P --log-event-messages M...`: the same
/// output shape as `aws logs test-metric-filter` (events numbered from 1, as the AWS CLI's
/// example shows).
pub fn test_metric_filter(pattern: &str, messages: &[String]) -> u8 {
    if messages.is_empty() || messages.len() > 50 {
        eprintln!(
            "error: --log-event-messages takes 1 to 50 messages (AWS's limit); got {}",
            messages.len()
        );
        return UNUSABLE;
    }
    if let Some(i) = messages.iter().position(String::is_empty) {
        eprintln!(
            "error: log event message {} is empty; AWS requires at least 1 character",
            i + 1
        );
        return UNUSABLE;
    }
    let (_, ast) = match super::parsed(Some(pattern)) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let matcher = Matcher::new(&cwpattern::canon::lower(&ast));
    let matches: Vec<_> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, message)| {
            let outcome = matcher.evaluate(message);
            let extracted: BTreeMap<String, String> = outcome.extracted;
            outcome.matched.then(|| {
                json!({ "eventNumber": i + 1, "eventMessage": message, "extractedValues": extracted })
            })
        })
        .collect();
    let any = !matches.is_empty();
    let doc = json!({ "matches": matches });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    match super::print_line(&text) {
        YES if any => YES,
        YES => NO,
        status => status,
    }
}
