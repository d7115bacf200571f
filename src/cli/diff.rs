//! `cwpattern diff LEFT RIGHT`: how the events two patterns match relate.

use serde_json::json;

use super::{NO, UNUSABLE, YES};
use cwpattern::logic::{relate, Comparison, Event, Relation};

/// Runs `diff`, printing a readable semantic diff or (with `json`) the contract's JSON.
pub fn run(left: &str, right: &str, json: bool) -> u8 {
    let (Ok((_, l)), Ok((_, r))) = (super::parsed(Some(left)), super::parsed(Some(right))) else {
        return UNUSABLE;
    };
    let (l, r) = (cwpattern::canon::lower(&l), cwpattern::canon::lower(&r));
    let answer = relate(&l, &r);
    let text = if json {
        let reason = match &answer.relation {
            Relation::Unknown(why) => Some(why.clone()),
            _ => None,
        };
        let doc = json!({
            "relation": answer.relation.name(),
            "reason": reason,
            "left_only": answer.left_only,
            "right_only": answer.right_only,
            "both": answer.both,
            "left_canonical": l.to_string(),
            "right_canonical": r.to_string(),
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    } else {
        describe(&answer)
    };
    match super::print_line(&text) {
        YES if answer.relation == Relation::Equivalent => YES,
        YES => NO,
        status => status,
    }
}

/// The relation in one sentence, then examples of what only one side catches.
fn describe(answer: &Comparison) -> String {
    let mut out = match &answer.relation {
        Relation::Equivalent => {
            "equivalent: both patterns match exactly the same events".to_owned()
        }
        Relation::Subset => {
            "subset: every event LEFT matches, RIGHT matches too, but RIGHT matches more".to_owned()
        }
        Relation::Superset => {
            "superset: every event RIGHT matches, LEFT matches too, but LEFT matches more"
                .to_owned()
        }
        Relation::Overlap => {
            "overlap: some events match both, and each side matches events the other does not"
                .to_owned()
        }
        Relation::Disjoint => "disjoint: no event matches both patterns".to_owned(),
        Relation::Unknown(why) => format!("unknown: not decided ({why})"),
    };
    let mut section = |title: &str, events: &[Event]| {
        if events.is_empty() {
            return;
        }
        out.push_str(&format!("\n\n{title}:"));
        for e in events {
            out.push_str(&format!("\n  {}", e.message()));
        }
    };
    section("only LEFT matches, for example", &answer.left_only);
    section("only RIGHT matches, for example", &answer.right_only);
    if let Some(both) = &answer.both {
        section("both match, for example", std::slice::from_ref(both));
    }
    out
}
