//! Space-delimited patterns: splitting a message into fields and binding them to entries.
//!
//! Rules (SEMANTICS.md): fields are separated by runs of spaces and tabs; a field that
//! starts with `"` runs to the next `"`, and one that starts with `[` to the next `]`, and
//! the grouping characters are removed (an opening `"` or `[` that is never closed is an
//! ordinary character). Without `...` the message must have exactly as many fields as the
//! pattern has entries; with `...`, the entries before it bind to the first fields, the
//! entries after it to the last ones, and `...` takes the rest (possibly none). `[]`
//! matches every message (documented by TestMetricFilter's example), like `[...]`.

use std::collections::BTreeMap;

use super::{operand_matches, Outcome};
use crate::canon::{Column, Columns, Formula, FormulaKind, Num, Test};

/// A space-delimited pattern compiled for evaluation.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    before: Vec<Slot>,
    /// `Some(after)` when the pattern has `...`.
    after: Option<Vec<Slot>>,
}

/// Bound slots with their 1-based field numbers, and the field numbers `...` covers.
type Binding<'a> = (Vec<(&'a Slot, usize)>, std::ops::Range<usize>);

#[derive(Debug, Clone)]
struct Slot {
    name: Option<String>,
    condition: Option<Formula<Test>>,
}

/// Splits a message into its fields, as CloudWatch does for space-delimited patterns.
///
/// ```
/// use cwpattern::eval::columns::split;
/// let fields = split(r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET / HTTP/1.0" 200"#);
/// assert_eq!(fields, ["127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET / HTTP/1.0", "200"]);
/// ```
pub fn split(message: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut rest = message;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let Some(first) = rest.chars().next() else {
            return fields;
        };
        let close = match first {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(end) = close.and_then(|c| rest[1..].find(c)) {
            fields.push(&rest[1..1 + end]);
            rest = &rest[end + 2..];
            continue;
        }
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
}

/// Does the condition hold for a field whose text is `text`?
pub fn field_holds(condition: &Formula<Test>, text: &str) -> bool {
    match condition.kind() {
        FormulaKind::Atom(test) => test_holds(test, text),
        FormulaKind::And(ops) => ops.iter().all(|f| field_holds(f, text)),
        FormulaKind::Or(ops) => ops.iter().any(|f| field_holds(f, text)),
    }
}

/// One test on a field's text: strings compare as text; a number compares by value with a
/// field that reads as a number.
fn test_holds(test: &Test, text: &str) -> bool {
    let number = Num::parse(text);
    let compare = |f: &dyn Fn(&Num) -> bool| number.as_ref().is_some_and(f);
    match test {
        Test::Eq(o) => operand_matches(o, text, number.as_ref()),
        Test::Ne(o) => !operand_matches(o, text, number.as_ref()),
        Test::Lt(n) => compare(&|v| v < n),
        Test::Le(n) => compare(&|v| v <= n),
        Test::Gt(n) => compare(&|v| v > n),
        Test::Ge(n) => compare(&|v| v >= n),
        // The parser admits no IS/NOT EXISTS tests in space-delimited patterns.
        Test::IsNull | Test::IsTrue | Test::IsFalse | Test::NotExists => false,
    }
}

impl ColumnPlan {
    /// Compiles a space-delimited pattern.
    pub fn new(columns: &Columns) -> ColumnPlan {
        let mut before = Vec::new();
        let mut after: Option<Vec<Slot>> = None;
        for column in &columns.0 {
            match column {
                Column::Ellipsis => after = Some(Vec::new()),
                Column::Field { name, condition } => {
                    let slot = Slot {
                        name: name.clone(),
                        condition: condition.clone(),
                    };
                    match after.as_mut() {
                        Some(list) => list.push(slot),
                        None => before.push(slot),
                    }
                }
            }
        }
        if columns.0.is_empty() {
            // `[]` matches every message and numbers all its fields, like `[...]`.
            after = Some(Vec::new());
        }
        ColumnPlan { before, after }
    }

    /// The binding of fields to slots: `(slot, 1-based field number)` for each bound field,
    /// and the numbers of the fields `...` covers; `None` when the count does not fit.
    fn bind(&self, n_fields: usize) -> Option<Binding<'_>> {
        let n_before = self.before.len();
        let bound_before = self.before.iter().enumerate().map(|(i, s)| (s, i + 1));
        match &self.after {
            None if n_fields == n_before => Some((bound_before.collect(), 0..0)),
            None => None,
            Some(after) if n_fields >= n_before + after.len() => {
                let start_after = n_fields - after.len();
                let mut bound: Vec<(&Slot, usize)> = bound_before.collect();
                bound.extend(
                    after
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s, start_after + i + 1)),
                );
                Some((bound, n_before + 1..start_after + 1))
            }
            Some(_) => None,
        }
    }

    /// Does the pattern match `message`?
    pub fn matches(&self, message: &str) -> bool {
        let fields = split(message);
        match self.bind(fields.len()) {
            Some((bound, _)) => bound
                .iter()
                .all(|(slot, n)| slot_holds(slot, fields.get(n - 1).copied())),
            None => false,
        }
    }

    /// Evaluates `message`, extracting `$name` for named fields and `$N` for the others.
    pub fn evaluate(&self, message: &str) -> Outcome {
        let fields = split(message);
        let mut extracted = BTreeMap::new();
        let matched = match self.bind(fields.len()) {
            Some((bound, covered)) => {
                let ok = bound
                    .iter()
                    .all(|(slot, n)| slot_holds(slot, fields.get(n - 1).copied()));
                if ok {
                    for (slot, n) in &bound {
                        let key = match &slot.name {
                            Some(name) => format!("${name}"),
                            None => format!("${n}"),
                        };
                        extracted.insert(key, fields.get(n - 1).copied().unwrap_or("").to_owned());
                    }
                    for n in covered {
                        extracted.insert(
                            format!("${n}"),
                            fields.get(n - 1).copied().unwrap_or("").to_owned(),
                        );
                    }
                }
                ok
            }
            None => false,
        };
        Outcome {
            matched,
            json: None,
            extracted,
        }
    }
}

fn slot_holds(slot: &Slot, field: Option<&str>) -> bool {
    match (field, &slot.condition) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(text), Some(condition)) => field_holds(condition, text),
    }
}
