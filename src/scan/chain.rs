//! Following the chain. PLACEHOLDER — being written.

use serde::Serialize;

use super::Inventory;
use crate::rules::CheckError;

/// The verdict of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The whole chain is there.
    Pass,
    /// A link is missing.
    Fail,
    /// Cannot tell from the data.
    Manual,
}

/// What to scan for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Rule ids (empty: every catalog rule).
    pub rules: Vec<String>,
    /// CIS version (default newest).
    pub cis_version: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule.
    pub rule: String,
    /// The verdict.
    pub status: Status,
}

/// Evaluates every rule over one scope.
pub fn evaluate(_scope: &str, _inventory: &Inventory, _options: &ScanOptions) -> Result<Vec<Finding>, CheckError> {
    Ok(Vec::new())
}
