//! cwpattern
pub mod canon;
pub mod regex;
pub mod syntax;
