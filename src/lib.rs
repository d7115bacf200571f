//! cwpattern
pub mod canon;
pub mod eval;
pub mod regex;
pub mod syntax;
