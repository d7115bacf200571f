//! Findings as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.
//!
//! One SARIF rule per catalog rule; one result per finding: FAIL is `kind: fail` with
//! `level: error`, MANUAL is `kind: review` (a human must look), PASS is `kind: pass`
//! (both with level `none`, as the standard requires for kinds other than `fail`).
//! Locations: the file and line of every IaC resource in the chain (the metric filter
//! first, where the fix usually goes); for AWS data, the resources' ARNs as logical
//! locations and the exported file, if any.

use serde_json::{json, Map, Value};

use super::chain::{Finding, Status};
use super::model::Origin;

/// The SARIF log of `findings`. `tool_version` is the producing program's version.
pub fn report(findings: &[Finding], tool_version: &str) -> Value {
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    for f in findings {
        if !rule_ids.contains(&f.rule.as_str()) {
            rule_ids.push(&f.rule);
            rules.push(rule(f));
        }
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rule_ids.iter().position(|id| *id == f.rule).unwrap_or(0);
            result(f, index)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cwpattern",
                "semanticVersion": tool_version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rule(f: &Finding) -> Value {
    json!({
        "id": f.rule,
        "name": camel(&f.rule),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": format!(
            "{} ({}): a multi-region CloudTrail trail, logging read and write management \
             events to a CloudWatch Logs log group; a metric filter on that log group whose \
             pattern catches every event the rule requires (decided from the pattern's \
             meaning); an alarm on the filter's metric (namespace and name) with an SNS \
             action; a confirmed subscription to the topic.",
            f.title, f.standard
        )},
        "help": {"text": format!(
            "Run `cwpattern check PATTERN --rule {}` to see which events a pattern misses \
             and a compliant pattern close to it.",
            f.rule
        )},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "cis", "cloudwatch", "cloudtrail"]},
    })
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let (kind, level) = match f.status {
        Status::Fail => ("fail", "error"),
        Status::Manual => ("review", "none"),
        Status::Pass => ("pass", "none"),
    };
    let mut message = format!("{} {}: {} — {}", f.status, f.rule, f.title, f.reason);
    if let Some(c) = &f.coverage {
        if !c.missing.is_empty() && c.compliant != Some(true) {
            message.push_str(&format!(
                " (filter `{}` misses {})",
                c.filter,
                c.missing.join(", ")
            ));
        }
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule));
    r.insert("ruleIndex".into(), json!(rule_index));
    r.insert("kind".into(), json!(kind));
    r.insert("level".into(), json!(level));
    r.insert("message".into(), json!({"text": message}));
    let locations = locations(f);
    if !locations.is_empty() {
        r.insert("locations".into(), Value::Array(locations));
    }
    r.insert(
        "partialFingerprints".into(),
        json!({"cwpatternFinding/v1": format!("{}|{}", f.rule, f.scope)}),
    );
    r.insert(
        "properties".into(),
        json!({
            "scope": f.scope,
            "status": f.status,
            "chain": f.chain,
            "coverage": f.coverage,
        }),
    );
    Value::Object(r)
}

/// Physical locations of the resources that have a file (metric filter first), logical
/// locations for the others; with no resource at all, the scope as a file location.
fn locations(f: &Finding) -> Vec<Value> {
    let mut origins: Vec<&Origin> = f.resources().collect();
    // The filter (index 1 in the chain when present) is where a fix usually goes.
    origins.sort_by_key(|o| {
        f.chain
            .iter()
            .position(|l| l.resource.as_ref() == Some(*o))
            .map(|i| if i == 1 { 0 } else { i + 1 })
    });
    let mut out: Vec<Value> = Vec::new();
    for o in origins {
        let mut loc = Map::new();
        if let Some(file) = &o.file {
            let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
            if let Some(line) = o.line {
                physical["region"] = json!({"startLine": line});
            }
            loc.insert("physicalLocation".into(), physical);
        }
        loc.insert(
            "logicalLocations".into(),
            json!([{"fullyQualifiedName": o.address, "kind": "resource"}]),
        );
        loc.insert("message".into(), json!({"text": o.address}));
        let value = Value::Object(loc);
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// A relative URI for a path as given on the command line.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(uri("./corpus/scan/a b.tf"), "corpus/scan/a%20b.tf");
        assert_eq!(uri("dir\\main.tf"), "dir/main.tf");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel("iam-policy-changes"), "IamPolicyChanges");
    }
}
