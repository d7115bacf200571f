//! Terraform: source (`.tf`, one directory = one module) and plan/state JSON
//! (`terraform show -json`). PLACEHOLDER — being written.

use super::{Inventory, LoadError, SourceFile};

/// Does `text` look like Terraform source (HCL with top-level blocks)?
pub fn looks_like_hcl(_text: &str) -> bool {
    false
}

/// The HCL syntax error of a file that is not valid Terraform source.
pub fn syntax_error(path: &str, _text: &str) -> LoadError {
    LoadError::new(path, "Terraform source is not read yet")
}

/// Reads the `.tf` files of one directory (one module) together, resolving variables,
/// locals and references between them. Files with errors are reported and skipped.
pub fn load_module(_files: &[SourceFile]) -> (Inventory, Vec<LoadError>) {
    (Inventory::default(), Vec::new())
}

/// Is this JSON a Terraform plan or state (`terraform show -json`)?
pub fn is_plan(_value: &serde_json::Value) -> bool {
    false
}

/// Reads a Terraform plan or state JSON.
pub fn load_plan(path: &str, _text: &str, _value: &serde_json::Value) -> Result<Inventory, LoadError> {
    Err(LoadError::new(path, "Terraform plans are not read yet"))
}
