//! `cwpattern scan` over saved AWS CLI outputs, Terraform and CloudFormation fixtures and
//! broken inputs: the cases of
//! `corpus/scan_cases.jsonl` (arguments → exit status, findings, messages), the SARIF
//! output's shape, and an empty directory.

mod common;

use common::{corpus_path, read_corpus, report, run, Outcome};
use serde_json::Value;

/// One case: the binary with `args` (and `--json`) must exit with `exit`, report each of
/// `findings` (rule, status, the link that decides the status, words of the reason), none
/// of the rules in `absent`, and print each of `stderr_contains` on standard error.
fn check_scan_case(case: &Value) -> Result<(), String> {
    let mut args: Vec<&str> = vec!["scan"];
    args.extend(
        case["args"]
            .as_array()
            .ok_or("case without args")?
            .iter()
            .filter_map(Value::as_str),
    );
    args.push("--json");
    let out = run(&args, None);
    let mut problems = Vec::new();
    if out.code != case["exit"].as_i64().map(|c| c as i32) {
        problems.push(format!("exit {:?}, expected {}", out.code, case["exit"]));
    }
    for needle in case["stderr_contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap_or_default();
        if !out.stderr.contains(needle) {
            problems.push(format!("standard error lacks {needle:?}"));
        }
    }
    let wants_findings = case.get("findings").is_some() || case.get("absent").is_some();
    if wants_findings {
        let doc: Value = serde_json::from_str(&out.stdout)
            .map_err(|e| format!("output is not JSON ({e}):\n{}", out.summary()))?;
        let findings = doc["findings"].as_array().cloned().unwrap_or_default();
        let by_rule = |rule: &str| findings.iter().find(|f| f["rule"] == rule);
        for want in case["findings"].as_array().into_iter().flatten() {
            let rule = want["rule"].as_str().unwrap_or_default();
            let Some(got) = by_rule(rule) else {
                problems.push(format!("no finding for {rule}"));
                continue;
            };
            if got["status"] != want["status"] {
                problems.push(format!(
                    "{rule}: status {}, expected {}",
                    got["status"], want["status"]
                ));
            }
            if let Some(step) = want.get("step") {
                // The link that decides the status: the first missing one for FAIL, the
                // first undecidable one for MANUAL.
                let deciding = if got["status"] == "FAIL" {
                    "missing"
                } else {
                    "unknown"
                };
                let first_gap = got["chain"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|l| l["state"] == deciding)
                    .map(|l| l["step"].clone());
                if first_gap.as_ref() != Some(step) {
                    problems.push(format!(
                        "{rule}: first gap at {first_gap:?}, expected {step}"
                    ));
                }
            }
            if let Some(words) = want["reason_contains"].as_str() {
                if !got["reason"].as_str().unwrap_or_default().contains(words) {
                    problems.push(format!("{rule}: reason {} lacks {words:?}", got["reason"]));
                }
            }
        }
        for absent in case["absent"].as_array().into_iter().flatten() {
            if let Some(rule) = absent.as_str().filter(|r| by_rule(r).is_some()) {
                problems.push(format!("{rule} should not be scanned"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", problems.join("\n"), out.summary()))
    }
}

#[test]
fn scan_cases() {
    let text = read_corpus("scan_cases.jsonl");
    let mut outcomes = Vec::new();
    let mut total = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        let case: Value = serde_json::from_str(line).expect("scan_cases.jsonl lines are JSON");
        if let Err(actual) = check_scan_case(&case) {
            outcomes.push(Outcome {
                name: case["name"].as_str().unwrap_or_default().to_owned(),
                input: case["args"].to_string(),
                expected: line.to_owned(),
                actual,
            });
        }
    }
    let mismatches: Vec<&Outcome> = outcomes.iter().collect();
    assert!(mismatches.is_empty(), "{}", report(&mismatches, total));
}

#[test]
fn an_empty_directory_is_unusable_input() {
    let dir = std::env::temp_dir().join(format!("cwpattern-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&["scan", dir.to_str().unwrap()], None);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.code, Some(2), "{}", out.summary());
    assert!(
        out.stderr.contains("holds no configuration"),
        "{}",
        out.summary()
    );
}

#[test]
fn nothing_to_scan_is_unusable_input() {
    let out = run(&["scan"], None);
    assert_eq!(out.code, Some(2), "{}", out.summary());
    assert!(out.stderr.contains("nothing to scan"), "{}", out.summary());
}

/// The SARIF log has the shape GitHub code scanning reads: one rule per catalog rule used,
/// one result per finding with a matching rule index, kinds and levels as SARIF 2.1.0
/// requires, and file locations. (`scan_e2e` also validates it against the schema.)
#[test]
fn sarif_output_has_rules_results_and_locations() {
    let dir = corpus_path("awscli/account");
    let out = run(&["scan", dir.to_str().unwrap(), "--format", "sarif"], None);
    assert_eq!(out.code, Some(1), "{}", out.summary());
    let log: Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(rules.len(), cwpattern::rules::rules().len());
    assert_eq!(results.len(), rules.len());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        match r["kind"].as_str().unwrap() {
            "fail" => assert_eq!(r["level"], "error"),
            "pass" | "review" => assert_eq!(r["level"], "none"),
            other => panic!("unexpected kind {other}"),
        }
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.contains("corpus/awscli/account/"), "{uri}");
    }
    let iam = results
        .iter()
        .find(|r| r["ruleId"] == "iam-policy-changes")
        .unwrap();
    assert_eq!(iam["kind"], "pass");
}

/// IaC findings point at the declaring file and line, the metric filter first (where a
/// fix usually goes), so that code scanning annotates the right line.
#[test]
fn sarif_locations_of_iac_findings_have_lines() {
    let dir = corpus_path("scan/tf-secure-baseline-count");
    let out = run(
        &[
            "scan",
            dir.to_str().unwrap(),
            "--rule",
            "iam-policy-changes",
            "--format",
            "sarif",
        ],
        None,
    );
    assert_eq!(out.code, Some(1), "{}", out.summary());
    let log: Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["kind"], "fail");
    let first = &result["locations"][0]["physicalLocation"];
    let uri = first["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("tf-secure-baseline-count/alarms.tf"), "{uri}");
    assert_eq!(
        first["region"]["startLine"], 49,
        "the IAM filter's resource block"
    );
    let trail = &result["locations"][1]["physicalLocation"];
    assert!(trail["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("trail.tf"));
}
