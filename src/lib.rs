//! cwpattern
pub mod canon;
pub mod eval;
pub mod logic;
pub mod regex;
pub mod syntax;
