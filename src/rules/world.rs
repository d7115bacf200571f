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
