//! Shared helpers for the benchmarks: the generated CloudTrail data and the patterns.
//!
//! The data is generated once by `scripts/gen_cloudtrail.py` (deterministic for a seed) and
//! cached under `<target dir>/bench-data/`, the same place `scripts/bench_match.sh` uses.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// CIS AWS Foundations 4.4 (formerly 3.4): IAM policy changes, the 16-event pattern.
pub const CIS_IAM: &str = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";

/// CIS AWS Foundations 4.3 (formerly 3.3): usage of the root account (nested paths,
/// `NOT EXISTS`, `!=`).
pub const CIS_ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

/// The crate root (where `scripts/` lives).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's target directory: `$CARGO_TARGET_DIR`, else `<crate>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                crate_root().join(dir)
            }
        }
        _ => crate_root().join("target"),
    }
}

/// The generated NDJSON file of about `size_mb` MB for `seed`, generating it if missing.
pub fn cloudtrail_ndjson(size_mb: u32, seed: u32) -> PathBuf {
    let dir = target_dir().join("bench-data");
    let path = dir.join(format!("cloudtrail-{size_mb}mb-seed{seed}.ndjson"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("create bench-data directory");
    let tmp = dir.join(format!(
        ".cloudtrail-{size_mb}mb-seed{seed}.{}.tmp",
        std::process::id()
    ));
    eprintln!("generating {} (once) ...", path.display());
    let status = Command::new("python3")
        .arg(crate_root().join("scripts/gen_cloudtrail.py"))
        .args([
            "--size-mb",
            &size_mb.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--quiet")
        .arg("--output")
        .arg(&tmp)
        .status()
        .expect("run python3 scripts/gen_cloudtrail.py");
    assert!(status.success(), "gen_cloudtrail.py failed: {status}");
    std::fs::rename(&tmp, &path).expect("move generated data into place");
    path
}

/// The file's non-empty lines (without `\n`/`\r`), as `cwpattern match` reads them, and the
/// total byte count including the newlines. The lines borrow from one contiguous buffer (kept
/// for the life of the benchmark process), like a streamed file's read buffer.
pub fn load_lines(path: &Path) -> (Vec<&'static str>, u64) {
    let text: &'static str = Box::leak(
        std::fs::read_to_string(path)
            .expect("read bench data (UTF-8)")
            .into_boxed_str(),
    );
    let lines = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .collect();
    (lines, text.len() as u64)
}
