//! # cwpattern
//!
//! Parse, normalise, evaluate and compare AWS CloudWatch Logs filter patterns — the
//! language of metric filters, subscription filters, FilterLogEvents and Live Tail.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`syntax`]: pattern text → [`syntax::ast::Pattern`] with byte spans, or a precise
//!    [`syntax::Error`] (kind, span, caret diagram).
//! 2. [`canon`]: the syntax tree → its [`canon::Canonical`] form (order-, quoting- and
//!    whitespace-insensitive), printable and re-parseable.
//! 3. [`eval`]: does a pattern match a log event? The offline twin of `TestMetricFilter`.
//! 4. [`logic`]: how two patterns' sets of events relate — equivalent, subset, superset,
//!    overlap, disjoint — with example events that the evaluator confirms.
//!
//! 5. [`rules`]: the catalog of compliance rules (CIS monitoring controls, the 19-event IAM
//!    rule) and [`rules::check()`]: does a pattern catch every event a rule requires?
//! 6. [`scan`]: the whole CIS chain (trail → log group → metric filter → alarm → SNS
//!    subscription) in AWS CLI outputs, Terraform, CloudFormation or a live account.
//!
//! [`regex`] is the `%…%` regular-expression subset, used by all of them.
//!
//! ```
//! use cwpattern::{canon, eval::Matcher, logic, syntax};
//!
//! let cis = canon::lower(&syntax::parse("{($.eventName=CreatePolicy)||($.eventName=DeletePolicy)}")?);
//! assert_eq!(cis.to_string(), "{ $.eventName = CreatePolicy || $.eventName = DeletePolicy }");
//!
//! let mine = canon::lower(&syntax::parse(r#"{ $.eventName = "*Policy" }"#)?);
//! assert!(Matcher::new(&mine).matches(r#"{"eventName":"DeletePolicy"}"#));
//!
//! let answer = logic::relate(&cis, &mine);
//! assert_eq!(answer.relation, logic::Relation::Subset);
//! assert!(Matcher::new(&mine).matches(answer.right_only[0].message()));
//! # Ok::<(), cwpattern::syntax::Error>(())
//! ```
//!
//! The library does no I/O and never panics on user input; what each construct means is
//! written in `SEMANTICS.md`, with its evidence.

#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

pub mod canon;
pub mod eval;
mod fxhash;
pub mod logic;
pub mod regex;
pub mod rules;
pub mod scan;
pub mod syntax;

/// The engine's fast non-cryptographic hasher (FxHash with a folded-multiply finish), for
/// the command line's own caches; not part of the stable API.
#[doc(hidden)]
pub use logic::hash::FoldHasher;
