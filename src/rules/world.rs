//! The CloudTrail world model: what every real CloudTrail record satisfies, and the table of
//! real AWS API events (eventSource, eventName) from botocore's service models
//! (`data/cloudtrail_events.tsv`, see `data/README.md` for its provenance).

use std::sync::OnceLock;

use serde::Serialize;

use crate::canon::{Formula, JsonAtom, Num, Operand, Path, PathStep, Test, TextPat};
use crate::fxhash::FxHashMap;
use crate::logic::Assumptions;

/// The fields every CloudTrail record has, as strings.
pub const RECORD_STRING_FIELDS: [&str; 4] = ["eventName", "eventSource", "eventTime", "awsRegion"];

/// A test on a top-level field.
fn field_atom(name: &str, test: Test) -> JsonAtom {
    JsonAtom {
        path: Path(vec![PathStep::Key(name.to_owned())]),
        test,
    }
}

/// A formula of one test on a top-level field.
pub(crate) fn field(name: &str, test: Test) -> Formula<JsonAtom> {
    Formula::atom(field_atom(name, test))
}

/// The atom `$.name = "value"` (exactly).
pub(crate) fn equals_atom(name: &str, value: &str) -> JsonAtom {
    field_atom(
        name,
        Test::Eq(Operand::Text(TextPat::Exact(value.to_owned()))),
    )
}

/// `$.name = "value"` (exactly).
pub(crate) fn field_equals(name: &str, value: &str) -> Formula<JsonAtom> {
    Formula::atom(equals_atom(name, value))
}

/// What every real CloudTrail record satisfies: `eventName`, `eventSource`, `eventTime`
/// and `awsRegion` are present strings (not numbers, booleans, null, objects or arrays).
pub fn cloudtrail_assumptions() -> Assumptions {
    let mut a = Assumptions::none();
    let zero = Num::zero();
    for name in RECORD_STRING_FIELDS {
        a.assume(field(name, Test::Eq(Operand::Any)), true);
        a.assume(field(name, Test::Lt(zero.clone())), false);
        a.assume(field(name, Test::Ge(zero.clone())), false);
        a.assume(field(name, Test::IsTrue), false);
        a.assume(field(name, Test::IsFalse), false);
    }
    a
}

/// One AWS API as CloudTrail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiEvent {
    /// `eventSource`, e.g. `iam.amazonaws.com`.
    pub event_source: String,
    /// `eventName`, e.g. `CreatePolicy`.
    pub event_name: String,
}

/// Every (eventSource, eventName) pair of the AWS APIs, from botocore's service models.
pub fn api_events() -> &'static [ApiEvent] {
    static TABLE: OnceLock<Vec<ApiEvent>> = OnceLock::new();
    TABLE.get_or_init(|| {
        api_pairs()
            .map(|(source, name)| ApiEvent {
                event_source: source.to_owned(),
                event_name: name.to_owned(),
            })
            .collect()
    })
}

/// The (eventSource, eventName) rows of `data/cloudtrail_events.tsv`, borrowed from the
/// embedded text.
fn api_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("../../data/cloudtrail_events.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("event_source\t") && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, cols.next()?))
        })
}

/// The API table indexed for the noise report: the APIs sorted by eventName and by
/// eventSource.
pub(crate) struct ApiIndex {
    /// (eventSource, eventName) of each API, in the order of [`api_events`].
    pub apis: Vec<(&'static str, &'static str)>,
    /// (eventName, position in [`api_events`]), sorted.
    pub by_name: Vec<(&'static str, usize)>,
    /// (eventSource, position in [`api_events`]), sorted.
    pub by_source: Vec<(&'static str, usize)>,
    /// Where each eventName's entries of `by_name` are (a range), for exact lookups.
    name_ranges: FxHashMap<&'static str, std::ops::Range<usize>>,
    /// The same for eventSources in `by_source`.
    source_ranges: FxHashMap<&'static str, std::ops::Range<usize>>,
}

impl ApiIndex {
    /// The positions of the APIs whose eventName (`by_source == false`) or eventSource
    /// matches one of `patterns` (exact values and prefixes; others are ignored), ascending.
    pub fn matching(&self, by_source: bool, patterns: &[&TextPat]) -> Vec<usize> {
        let (sorted, ranges) = if by_source {
            (&self.by_source, &self.source_ranges)
        } else {
            (&self.by_name, &self.name_ranges)
        };
        let mut out = Vec::new();
        for pat in patterns {
            let (text, prefix) = match pat {
                TextPat::Exact(s) => {
                    if let Some(range) = ranges.get(s.as_str()) {
                        out.extend(sorted[range.clone()].iter().map(|(_, i)| *i));
                    }
                    continue;
                }
                TextPat::Prefix(s) => (s.as_str(), true),
                TextPat::Suffix(_) | TextPat::Contains(_) => continue,
            };
            let from = sorted.partition_point(|(v, _)| *v < text);
            out.extend(
                sorted[from..]
                    .iter()
                    .take_while(|(v, _)| {
                        if prefix {
                            v.starts_with(text)
                        } else {
                            *v == text
                        }
                    })
                    .map(|(_, i)| *i),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl ApiIndex {
    /// The positions of the APIs with the eventSource `source` and one of the eventNames
    /// `names`, ascending.
    pub fn positions(&self, source: &str, names: &[String]) -> Vec<usize> {
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|n| self.name_ranges.get(n.as_str()))
            .flat_map(|range| self.by_name[range.clone()].iter().map(|(_, i)| *i))
            .filter(|&i| self.apis[i].0 == source)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The field values of the minimal records [`api_records`] renders besides the API's own.
pub(crate) const RECORD_TIME: &str = "2026-01-01T00:00:00Z";
/// See [`RECORD_TIME`].
pub(crate) const RECORD_REGION: &str = "us-east-1";

/// The indexed API table, built on first use.
pub(crate) fn api_index() -> &'static ApiIndex {
    static INDEX: OnceLock<ApiIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let apis: Vec<(&'static str, &'static str)> = api_pairs().collect();
        let mut by_name: Vec<(&'static str, usize)> = Vec::with_capacity(apis.len());
        let mut by_source: Vec<(&'static str, usize)> = Vec::with_capacity(apis.len());
        for (i, (source, name)) in apis.iter().enumerate() {
            by_name.push((name, i));
            by_source.push((source, i));
        }
        by_name.sort_unstable();
        by_source.sort_unstable();
        let (name_ranges, source_ranges) = (ranges(&by_name), ranges(&by_source));
        ApiIndex {
            apis,
            by_name,
            by_source,
            name_ranges,
            source_ranges,
        }
    })
}

/// Where each value's entries of a sorted table are.
fn ranges(sorted: &[(&'static str, usize)]) -> FxHashMap<&'static str, std::ops::Range<usize>> {
    let mut out = FxHashMap::default();
    let mut start = 0;
    for (i, (value, _)) in sorted.iter().enumerate() {
        if sorted.get(i + 1).map(|(next, _)| next) != Some(value) {
            out.insert(*value, start..i + 1);
            start = i + 1;
        }
    }
    out
}

/// `{"awsRegion":…,"eventName":…,"eventSource":…,"eventTime":…}`, the minimal record of
/// each API of [`api_events`] as JSON text, in the same order; rendered on first use (only
/// patterns outside `check`'s fast path are evaluated on records).
pub(crate) fn api_records() -> &'static [String] {
    static RECORDS: OnceLock<Vec<String>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        api_index()
            .apis
            .iter()
            .map(|(source, name)| minimal_record(name, source))
            .collect()
    })
}

/// The minimal CloudTrail record of an API: its eventName and eventSource, with
/// [`RECORD_TIME`] and [`RECORD_REGION`], keys in alphabetical order.
pub(crate) fn minimal_record(name: &str, source: &str) -> String {
    let mut out = String::with_capacity(name.len() + source.len() + 96);
    out.push_str(r#"{"awsRegion":"#);
    json_string(&mut out, RECORD_REGION);
    out.push_str(r#","eventName":"#);
    json_string(&mut out, name);
    out.push_str(r#","eventSource":"#);
    json_string(&mut out, source);
    out.push_str(r#","eventTime":"#);
    json_string(&mut out, RECORD_TIME);
    out.push('}');
    out
}

/// Appends `s` as a JSON string (serde_json's escaping; written directly when nothing needs
/// escaping, as in every real eventName and eventSource).
fn json_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Serialising a `str` cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}
