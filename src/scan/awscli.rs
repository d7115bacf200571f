//! Saved AWS CLI JSON outputs. PLACEHOLDER — being written.

use super::{Inventory, LoadError};

/// Reads `value` if it is the output of one of the AWS CLI commands the scan knows.
pub fn load(_path: &str, _value: &serde_json::Value) -> Result<Option<(&'static str, Inventory)>, LoadError> {
    Ok(None)
}
