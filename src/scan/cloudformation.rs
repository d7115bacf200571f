//! CloudFormation templates, JSON and YAML (with the short intrinsic tags `!Ref`, `!Sub`,
//! `!GetAtt`, ...). PLACEHOLDER — being written.

use super::{Inventory, LoadError};

/// Is this JSON a CloudFormation template?
pub fn is_template(_value: &serde_json::Value) -> bool {
    false
}

/// Reads a CloudFormation template in JSON.
pub fn load_json(
    path: &str,
    _text: &str,
    _value: &serde_json::Value,
) -> Result<Inventory, LoadError> {
    Err(LoadError::new(
        path,
        "CloudFormation templates are not read yet",
    ))
}

/// Reads `text` as a CloudFormation template in YAML: `None` when it is not one.
pub fn load_yaml(_path: &str, _text: &str) -> Option<Result<Inventory, LoadError>> {
    None
}

/// The YAML syntax error of `text`, naming the file, line and column; `None` when `text`
/// is valid YAML (and so simply not a template).
pub fn yaml_error(path: &str, _text: &str) -> Option<LoadError> {
    Some(LoadError::new(path, "CloudFormation YAML is not read yet"))
}
