//! The rule catalog and the coverage check: does a metric filter catch every event a
//! compliance rule requires?
//!
//! The catalog (`data/rules.json`, embedded at build time) holds the 19-event IAM rule of
//! CloudGuard D9.AWS.MON.04 and every CIS AWS Foundations monitoring control, with the
//! pattern text for each CIS version and its sources. [`check()`] answers from meaning, with
//! the semantic engine — never by comparing text — and also reports what a text-comparing
//! scanner would conclude.

mod check;
mod fast;
mod lint;
mod quick;
mod world;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use check::{
    check, Assume, CheckError, CheckOptions, CheckReport, Checker, ExactText, Noise, Verdict,
};
pub use lint::{lint, Lint, LintKind};
pub use world::{api_events, cloudtrail_assumptions, ApiEvent};

/// One compliance rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's slug, e.g. `iam-policy-changes`.
    pub id: String,
    /// What it requires, in words.
    pub title: String,
    /// The standard(s) and control numbers it comes from.
    pub standard: String,
    /// The service whose records the rule is about (`iam.amazonaws.com`), when there is one.
    pub event_source: Option<String>,
    /// The eventNames the rule names.
    pub event_names: Vec<String>,
    /// The reference pattern per version.
    pub patterns: Vec<RulePattern>,
    /// Remarks from the catalog.
    #[serde(default)]
    pub notes: String,
}

/// A rule's reference pattern for some versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulePattern {
    /// The versions this text applies to (CIS versions such as `1.4`, or a rule id).
    pub versions: Vec<String>,
    /// `required`, or `alternative` for an accepted narrower variant.
    #[serde(default)]
    pub role: Option<String>,
    /// The pattern text as the standard prints it.
    pub pattern: String,
    /// Where the text was read.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Remarks.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct Catalog {
    cis_versions: Vec<String>,
    rules: Vec<Rule>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The file is part of the crate and checked by the tests; an empty catalog is the
        // fallback that cannot happen.
        serde_json::from_str(include_str!("../../data/rules.json")).unwrap_or(Catalog {
            cis_versions: Vec::new(),
            rules: Vec::new(),
        })
    })
}

/// Every rule of the catalog.
///
/// ```
/// let ids: Vec<&str> = cwpattern::rules::rules().iter().map(|r| r.id.as_str()).collect();
/// assert!(ids.contains(&"iam-policy-changes") && ids.contains(&"root-account-usage"));
/// ```
pub fn rules() -> &'static [Rule] {
    &catalog().rules
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| r.id == id)
}

/// The CIS versions the catalog knows, oldest first.
pub fn cis_versions() -> &'static [String] {
    &catalog().cis_versions
}

impl Rule {
    /// The reference pattern for `version` (default: the newest), and the alternative
    /// accepted for that version, if any.
    pub fn reference(&self, version: Option<&str>) -> Option<(&RulePattern, Option<&RulePattern>)> {
        let for_version = |role: &str, v: &str| {
            self.patterns.iter().find(|p| {
                p.role.as_deref().unwrap_or("required") == role && p.versions.iter().any(|x| x == v)
            })
        };
        let version = match version {
            Some(v) => v.to_owned(),
            None => {
                let newest = self
                    .patterns
                    .iter()
                    .filter(|p| p.role.as_deref().unwrap_or("required") == "required")
                    .flat_map(|p| p.versions.iter())
                    .max_by(|a, b| version_key(a).cmp(&version_key(b)));
                newest?.clone()
            }
        };
        let required = for_version("required", &version)?;
        Some((required, for_version("alternative", &version)))
    }

    /// Every version the rule has a pattern for.
    pub fn versions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .patterns
            .iter()
            .flat_map(|p| p.versions.iter().map(String::as_str))
            .collect();
        v.sort_by_key(|a| version_key(a));
        v.dedup();
        v
    }
}

/// Orders `1.10` after `1.2`.
fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
