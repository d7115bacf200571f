//! The CloudTrail world model: what every real CloudTrail record satisfies, and the table of
//! real AWS API events (eventSource, eventName) from botocore's service models
//! (`data/cloudtrail_events.tsv`, see `data/README.md` for its provenance).

use std::sync::OnceLock;

use serde::Serialize;

use crate::canon::{Formula, JsonAtom, Num, Operand, Path, PathStep, Test, TextPat};
use crate::logic::Assumptions;

/// The fields every CloudTrail record has, as strings.
pub const RECORD_STRING_FIELDS: [&str; 4] = ["eventName", "eventSource", "eventTime", "awsRegion"];

/// A formula of one test on a top-level field.
pub(crate) fn field(name: &str, test: Test) -> Formula<JsonAtom> {
    Formula::atom(JsonAtom {
        path: Path(vec![PathStep::Key(name.to_owned())]),
        test,
    })
}

/// `$.name = "value"` (exactly).
pub(crate) fn field_equals(name: &str, value: &str) -> Formula<JsonAtom> {
    field(
        name,
        Test::Eq(Operand::Text(TextPat::Exact(value.to_owned()))),
    )
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
        include_str!("../../data/cloudtrail_events.tsv")
            .lines()
            .filter(|l| {
                !l.starts_with('#') && !l.starts_with("event_source\t") && !l.trim().is_empty()
            })
            .filter_map(|l| {
                let mut cols = l.split('\t');
                Some(ApiEvent {
                    event_source: cols.next()?.to_owned(),
                    event_name: cols.next()?.to_owned(),
                })
            })
            .collect()
    })
}

/// The API table indexed for the noise report: each API's minimal record as JSON text
/// (rendered once), and the APIs sorted by eventName and by eventSource.
pub(crate) struct ApiIndex {
    /// `{"awsRegion":…,"eventName":…,"eventSource":…,"eventTime":…}` of each API of
    /// [`api_events`], in the same order.
    pub records: Vec<String>,
    /// (eventName, position in [`api_events`]), sorted.
    pub by_name: Vec<(&'static str, usize)>,
    /// (eventSource, position in [`api_events`]), sorted.
    pub by_source: Vec<(&'static str, usize)>,
}

impl ApiIndex {
    /// The positions of the APIs whose eventName (`by_source == false`) or eventSource
    /// matches one of `patterns` (exact values and prefixes; others are ignored), ascending.
    pub fn matching(&self, by_source: bool, patterns: &[&TextPat]) -> Vec<usize> {
        let sorted = if by_source {
            &self.by_source
        } else {
            &self.by_name
        };
        let mut out = Vec::new();
        for pat in patterns {
            let (text, prefix) = match pat {
                TextPat::Exact(s) => (s.as_str(), false),
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

/// The field values of the minimal records [`api_index`] renders besides the API's own.
pub(crate) const RECORD_TIME: &str = "2026-01-01T00:00:00Z";
/// See [`RECORD_TIME`].
pub(crate) const RECORD_REGION: &str = "us-east-1";

/// The indexed API table, built on first use.
pub(crate) fn api_index() -> &'static ApiIndex {
    static INDEX: OnceLock<ApiIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let apis = api_events();
        let mut by_name: Vec<(&'static str, usize)> = Vec::with_capacity(apis.len());
        let mut by_source: Vec<(&'static str, usize)> = Vec::with_capacity(apis.len());
        let records = apis
            .iter()
            .enumerate()
            .map(|(i, api)| {
                by_name.push((api.event_name.as_str(), i));
                by_source.push((api.event_source.as_str(), i));
                serde_json::json!({
                    "eventName": api.event_name,
                    "eventSource": api.event_source,
                    "eventTime": RECORD_TIME,
                    "awsRegion": RECORD_REGION,
                })
                .to_string()
            })
            .collect();
        by_name.sort_unstable();
        by_source.sort_unstable();
        ApiIndex {
            records,
            by_name,
            by_source,
        }
    })
}
