//! End to end: the CIS chain built in a local AWS emulator (moto) with the real AWS CLI
//! (`scripts/moto_fixture.py`), scanned from the CLI's saved outputs and — with the `aws`
//! feature — live through the AWS SDK against the emulator.
//!
//! Needs a Python with moto 5.2.1 and awscli 1.45.11: `$CWPATTERN_E2E_PYTHON`, else `python3`
//! when it has them. `scripts/e2e_env.sh` prints such a Python (making a venv if needed):
//!
//! ```text
//! export CWPATTERN_E2E_PYTHON="$(scripts/e2e_env.sh)"
//! ```
//!
//! Without one the test fails, saying so, unless `CWPATTERN_E2E=skip`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The moto server the fixture left running; stopped when dropped.
struct Moto {
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    port: u16,
    pid: u32,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}

const CHECK_PYTHON: &str = r#"
import importlib.metadata as m
def version(p):
    try:
        return m.version(p)
    except m.PackageNotFoundError:
        return "missing"
want = {"moto": "5.2.1", "awscli": "1.45.11", "jsonschema": "4.26.0"}
bad = [f"{p} {version(p)} (want {v})" for p, v in want.items() if version(p) != v]
if not bad:
    import flask, flask_cors, moto.server
print("; ".join(bad))
"#;

/// The Python to run the fixture with, or why there is none.
fn python() -> Result<String, String> {
    let (python, chosen) = match std::env::var("CWPATTERN_E2E_PYTHON") {
        Ok(p) if !p.is_empty() => (p, "CWPATTERN_E2E_PYTHON"),
        _ => (
            "python3".to_owned(),
            "python3 (CWPATTERN_E2E_PYTHON is not set)",
        ),
    };
    let out = Command::new(&python)
        .args(["-c", CHECK_PYTHON])
        .output()
        .map_err(|e| format!("{chosen}: cannot run {python}: {e}"))?;
    let problems = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("").to_owned();
        return Err(format!("{chosen}: {python} lacks moto's server: {last}"));
    }
    if !problems.is_empty() {
        return Err(format!("{chosen}: {python} has {problems}"));
    }
    Ok(python)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the fixture into `dir`, leaving the server running.
fn fixture(python: &str, dir: &Path) -> Moto {
    let _ = std::fs::remove_dir_all(dir);
    let out = Command::new(python)
        .arg(repo().join("scripts/moto_fixture.py"))
        .arg(dir)
        .output()
        .expect("run scripts/moto_fixture.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "moto_fixture.py failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("moto_fixture.py printed no {key}: {stdout}"))
    };
    Moto {
        port: value("MOTO_PORT=") as u16,
        pid: value("MOTO_PID="),
    }
}

/// Runs `cwpattern scan ARGS --json`, with `env` on top of an environment cleared of AWS
/// settings.
fn scan(args: &[&str], env: &[(&str, String)]) -> (Output, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cwpattern"));
    cmd.arg("scan").args(args).arg("--json");
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v)));
    let out = cmd.output().expect("run cwpattern scan");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan printed no JSON ({e}); status {}; stderr:\n{}\nstdout:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out, json)
}

/// Rule id → (status, the step of the first missing or unknown link).
fn verdicts(report: &Value) -> BTreeMap<String, (String, Option<String>)> {
    let findings = report["findings"].as_array().expect("findings");
    findings
        .iter()
        .map(|f| {
            let broken = f["chain"].as_array().and_then(|links| {
                links
                    .iter()
                    .find(|l| l["state"] != "ok")
                    .and_then(|l| l["step"].as_str())
                    .map(str::to_owned)
            });
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                (f["status"].as_str().unwrap_or_default().to_owned(), broken),
            )
        })
        .collect()
}

fn expect(
    verdicts: &BTreeMap<String, (String, Option<String>)>,
    rule: &str,
    status: &str,
    broken: Option<&str>,
    report: &Value,
) {
    let got = verdicts
        .get(rule)
        .unwrap_or_else(|| panic!("no finding for {rule}"));
    assert_eq!(
        (got.0.as_str(), got.1.as_deref()),
        (status, broken),
        "{rule}: {}",
        serde_json::to_string_pretty(
            &report["findings"]
                .as_array()
                .and_then(|f| f.iter().find(|f| f["rule"] == rule))
        )
        .unwrap_or_default()
    );
}

/// The verdicts both scans agree on (see scripts/moto_fixture.py).
fn expect_common(v: &BTreeMap<String, (String, Option<String>)>, report: &Value) {
    expect(v, "iam-policy-changes", "PASS", None, report);
    expect(
        v,
        "root-account-usage",
        "FAIL",
        Some("metric_filter"),
        report,
    );
    expect(
        v,
        "console-signin-without-mfa",
        "FAIL",
        Some("alarm"),
        report,
    );
    expect(
        v,
        "console-auth-failures",
        "FAIL",
        Some("subscription"),
        report,
    );
    expect(v, "cis-iam-policy-changes", "PASS", None, report);
    // Its filter is on a log group the trail does not deliver to.
    expect(v, "nacl-changes", "FAIL", Some("trail"), report);
    expect(v, "vpc-changes", "FAIL", Some("metric_filter"), report);
}

#[test]
fn scan_finds_the_chain_built_in_moto() {
    let python = match python() {
        Ok(p) => p,
        Err(why) if std::env::var("CWPATTERN_E2E").as_deref() == Ok("skip") => {
            eprintln!("skipped (CWPATTERN_E2E=skip): {why}");
            return;
        }
        Err(why) => panic!(
            "no Python for the end-to-end scan test: {why}.\nRun \
             `export CWPATTERN_E2E_PYTHON=\"$(scripts/e2e_env.sh)\"` first, or set \
             CWPATTERN_E2E=skip to skip this test."
        ),
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scan_e2e");
    let moto = fixture(&python, &dir);
    let dir_arg = dir.to_string_lossy().into_owned();

    // The saved AWS CLI outputs.
    let (out, report) = scan(&[&dir_arg], &[]);
    assert_eq!(out.status.code(), Some(1), "FAIL findings exit 1");
    let v = verdicts(&report);
    expect_common(&v, &report);
    // The email subscription is pending in the saved outputs.
    expect(
        &v,
        "cloudtrail-config-changes",
        "FAIL",
        Some("subscription"),
        &report,
    );

    sarif_is_valid(&python, &dir_arg);
    live(&moto);
}

/// The SARIF log of the scan validates against the SARIF 2.1.0 JSON schema
/// (`tests/data/sarif-schema-2.1.0.json`), checked with Python's `jsonschema`; so do the
/// logs of an IaC scan (file and line locations) and of a scan with unusable inputs.
fn sarif_is_valid(python: &str, export: &str) {
    let corpus = |p: &str| repo().join("corpus").join(p).to_string_lossy().into_owned();
    let runs = [
        vec![export.to_owned()],
        vec![
            corpus("scan/tf-secure-baseline-count"),
            corpus("scan/cfn-yaml-sample"),
        ],
        vec![corpus("awscli/broken")],
    ];
    for paths in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_cwpattern"))
            .arg("scan")
            .args(&paths)
            .args(["--format", "sarif"])
            .output()
            .expect("run cwpattern scan --format sarif");
        let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scan_e2e.sarif");
        std::fs::write(&log, &out.stdout).expect("write the SARIF log");
        let check = Command::new(python)
            .arg("-c")
            .arg(
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 log = json.load(open(sys.argv[2]))\n\
                 jsonschema.Draft4Validator(schema).validate(log)\n\
                 print(len(log['runs'][0]['results']))",
            )
            .arg(repo().join("tests/data/sarif-schema-2.1.0.json"))
            .arg(&log)
            .output()
            .expect("run the schema check");
        assert!(
            check.status.success(),
            "SARIF of {paths:?} does not validate: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let results: usize = String::from_utf8_lossy(&check.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        assert!(results > 0, "SARIF of {paths:?} has no results");
    }
}

#[cfg(not(feature = "aws"))]
fn live(_moto: &Moto) {}

#[cfg(feature = "aws")]
fn live(moto: &Moto) {
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let base = vec![
        ("AWS_ENDPOINT_URL", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        ("AWS_CONFIG_FILE", "/nonexistent/aws-config".to_owned()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials".to_owned(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];

    // Two regions: the multi-region trail is listed in both (first in us-west-2, as a
    // shadow trail whose status and selectors are read from its home region) and read once.
    let (out, report) = scan(
        &["--aws", "--region", "us-west-2", "--region", "us-east-1"],
        &base,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = verdicts(&report);
    expect_common(&v, &report);
    // moto confirms the email subscription.
    expect(&v, "cloudtrail-config-changes", "PASS", None, &report);
    let finding = &report["findings"][0];
    assert_eq!(finding["scope"], "aws account 123456789012");
    assert_eq!(finding["notes"], Value::Array(Vec::new()), "no call failed");

    // The region from the environment, and SNS unreachable: the subscriptions cannot be
    // read, so the chain cannot be told (MANUAL), not FAIL; the failed call is noted.
    let mut env = base.clone();
    env.push(("AWS_REGION", "us-east-1".to_owned()));
    env.push(("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:1".to_owned()));
    env.push(("AWS_MAX_ATTEMPTS", "1".to_owned()));
    let (_, report) = scan(&["--aws"], &env);
    let v = verdicts(&report);
    expect(
        &v,
        "iam-policy-changes",
        "MANUAL",
        Some("subscription"),
        &report,
    );
    expect(
        &v,
        "console-signin-without-mfa",
        "FAIL",
        Some("alarm"),
        &report,
    );
    let notes = report["findings"][0]["notes"].to_string();
    assert!(
        notes.contains("sns:ListSubscriptions in us-east-1"),
        "{notes}"
    );

    // No region anywhere: a usage error, not a crash.
    let (out, report) = scan(&["--aws"], &base);
    assert_eq!(out.status.code(), Some(2));
    assert!(report["errors"].to_string().contains("region"), "{report}");
}
