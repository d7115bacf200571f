//! Term patterns: case-sensitive substring search in the whole message.

use crate::canon::{TermLit, TermSet};

/// Does `term` occur in `message`?
pub(crate) fn occurs(term: &TermLit, message: &str) -> bool {
    match term {
        TermLit::Literal(s) => {
            term.always_occurs() || memchr::memmem::find(message.as_bytes(), s.as_bytes()).is_some()
        }
        TermLit::Regex(re) => re.is_match(message),
        TermLit::Unquoted(_) => false,
    }
}

/// Every required term occurs, no excluded term occurs, and, when there are only optional
/// terms, at least one of them occurs.
pub(crate) fn matches(set: &TermSet, message: &str) -> bool {
    set.required().iter().all(|t| occurs(t, message))
        && !set.excluded().iter().any(|t| occurs(t, message))
        && (set.optional().is_empty() || set.optional().iter().any(|t| occurs(t, message)))
}
