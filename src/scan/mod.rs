//! Scanning configurations for the whole CIS monitoring chain: a multi-region trail that is
//! logging management events into a log group, a metric filter on that group whose pattern
//! covers the rule (decided by [`crate::rules::check()`]), an alarm on the filter's metric
//! (namespace and name), and an SNS topic on the alarm with a confirmed subscription.
//!
//! The library part does no I/O: the caller reads files (or calls AWS) and hands their text
//! to [`detect`] (one file) or [`terraform::load_module`] (the `.tf` files of one
//! directory); the resulting [`Inventory`] of each scope goes to [`chain::evaluate`], and
//! the findings to [`sarif::report`] or serde.
//!
//! ```
//! use cwpattern::scan::{chain, detect, Detected, ScanOptions};
//! let filters = r#"{"metricFilters": [{"filterName": "root", "logGroupName": "ct",
//!   "filterPattern": "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }",
//!   "metricTransformations": [{"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1"}]}]}"#;
//! let Detected::Inventory { mut inventory, .. } = detect("filters.json", filters)? else { panic!() };
//! inventory.finish();
//! let options = ScanOptions { rules: vec!["root-account-usage".into()], ..ScanOptions::default() };
//! let findings = chain::evaluate("export", &inventory, &options)?;
//! // The filter covers the rule, but no trail, alarm or subscription was read: cannot tell.
//! assert_eq!(findings[0].status, chain::Status::Manual);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod awscli;
pub mod chain;
pub mod cloudformation;
pub mod model;
pub mod sarif;
pub mod terraform;

use std::fmt;

use serde::Serialize;

pub use chain::{Finding, ScanOptions, Status};
pub use model::{
    Alarm, FieldSelector, Inventory, Management, Metric, MetricFilter, Note, Origin, Seen,
    SourceKind, Subscription, Trail, Val,
};

/// One input file: its name as the user gave it, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path, as named on the command line (used in messages and locations).
    pub path: String,
    /// The whole text.
    pub text: String,
}

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// The 1-based line of the problem, if known.
    pub line: Option<u32>,
    /// The 1-based column, if known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error about a whole file.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> LoadError {
        LoadError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// The same error at a line and column.
    pub fn at(mut self, line: Option<u32>, column: Option<u32>) -> LoadError {
        self.line = line;
        self.column = column;
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// What a file's content turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// A configuration read on its own: an AWS CLI output, a Terraform plan or state
    /// JSON, or a CloudFormation template.
    Inventory {
        /// What kind of file it is, in words (`aws cloudtrail describe-trails output`).
        format: String,
        /// Its resources.
        inventory: Inventory,
    },
    /// Terraform source: to be read with the other `.tf` files of its directory by
    /// [`terraform::load_module`].
    TerraformSource,
    /// Not a configuration this scan reads (a README, a `package.json`, an unknown JSON
    /// shape): the reason, for a notice.
    Other(String),
}

/// Detects what `text` is by its content, not its name, and reads it. The file name is used
/// only in messages, and — when nothing recognises the content — to choose which parser's
/// error to report (`.tf` → the HCL error, `.json` → the JSON error, `.yaml` → YAML).
pub fn detect(path: &str, text: &str) -> Result<Detected, LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(LoadError::new(path, "the file is empty"));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(path, text);
    }
    if terraform::looks_like_hcl(text) {
        return Ok(Detected::TerraformSource);
    }
    // Variable files are only `name = value` lines, which no content test can tell from
    // other settings files; Terraform itself finds them by name, and so does the scan.
    if path.ends_with(".tfvars") {
        return Ok(Detected::TerraformSource);
    }
    if let Some(result) = cloudformation::load_yaml(path, text) {
        return result.map(|inventory| Detected::Inventory {
            format: "CloudFormation template (YAML)".to_owned(),
            inventory,
        });
    }
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("tf") => Err(terraform::syntax_error(path, text)),
        Some("yaml" | "yml" | "template") => match cloudformation::yaml_error(path, text) {
            Some(e) => Err(e),
            None => Ok(Detected::Other(
                "YAML that is not a CloudFormation template".to_owned(),
            )),
        },
        _ => Ok(Detected::Other(
            "neither JSON, a CloudFormation YAML template nor Terraform source".to_owned(),
        )),
    }
}

fn detect_json(path: &str, text: &str) -> Result<Detected, LoadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    let inventory = |format: &str, inventory: Inventory| Detected::Inventory {
        format: format.to_owned(),
        inventory,
    };
    if let Some((format, inv)) = awscli::load(path, &value)? {
        return Ok(inventory(format, inv));
    }
    if terraform::is_plan(&value) {
        return terraform::load_plan(path, text, &value)
            .map(|inv| inventory("Terraform plan/state JSON", inv));
    }
    if cloudformation::is_template(&value) {
        return cloudformation::load_json(path, text, &value)
            .map(|inv| inventory("CloudFormation template (JSON)", inv));
    }
    Ok(Detected::Other(format!(
        "JSON of an unknown shape ({}): not an AWS CLI output, Terraform plan or \
         CloudFormation template",
        json_shape(&value)
    )))
}

/// A short description of a JSON value's top level, for messages.
fn json_shape(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(5).map(String::as_str).collect();
            if keys.is_empty() {
                "an empty object".to_owned()
            } else {
                format!(
                    "an object with keys {}{}",
                    keys.join(", "),
                    if map.len() > 5 { ", ..." } else { "" }
                )
            }
        }
        serde_json::Value::Array(a) => format!("an array of {} items", a.len()),
        _ => "a scalar".to_owned(),
    }
}

/// A JSON syntax error naming the file, line and column.
pub fn json_error(path: &str, e: &serde_json::Error) -> LoadError {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the JSON ends too early (truncated file?)",
        _ => "invalid JSON",
    };
    let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
    let column = u32::try_from(e.column()).ok().filter(|&c| c > 0);
    // serde_json's message ends with " at line L column C", which the location says.
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    LoadError::new(path, format!("{what}: {message}")).at(line, column)
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> Option<u32> {
    let at = text.find(needle)?;
    u32::try_from(text[..at].bytes().filter(|&b| b == b'\n').count() + 1).ok()
}
