//! The syntax layer: what was written.
//!
//! [`parse()`] turns pattern text into an [`ast::Pattern`] with byte spans, or an [`Error`]
//! that names what was expected and where. Nothing here decides what a pattern means; that
//! is [`crate::canon`]'s job.

pub mod ast;
mod error;
pub mod parse;
mod span;

pub use error::{Error, ErrorKind};
pub use parse::{parse, parse_with, ParseOptions};
pub use span::Span;
