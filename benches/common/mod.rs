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

/// `BENCH_CLOCK=cpu`: measure the benchmark thread's CPU time instead of wall-clock time.
/// On a shared machine, wall-clock time includes the time the thread waits for a core;
/// CPU time does not (cache and memory-bandwidth contention still show).
pub mod cpu {
    use std::time::Duration;

    use criterion::measurement::{Measurement, ValueFormatter, WallTime};

    pub struct ThreadCpuTime;

    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    fn now() -> Duration {
        extern "C" {
            fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable `struct timespec` (64-bit Linux layout).
        let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    fn now() -> Duration {
        panic!("BENCH_CLOCK=cpu is implemented for 64-bit Linux only")
    }

    static WALL: WallTime = WallTime;

    impl Measurement for ThreadCpuTime {
        type Intermediate = Duration;
        type Value = Duration;

        fn start(&self) -> Duration {
            now()
        }
        fn end(&self, start: Duration) -> Duration {
            now().saturating_sub(start)
        }
        fn add(&self, a: &Duration, b: &Duration) -> Duration {
            *a + *b
        }
        fn zero(&self) -> Duration {
            Duration::ZERO
        }
        fn to_f64(&self, d: &Duration) -> f64 {
            d.as_nanos() as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            // Values are nanoseconds, like wall-clock time: reuse its formatter.
            WALL.formatter()
        }
    }
}

/// Patterns from the corpus files (`corpus/<name>`, JSON Lines with a `pattern` field, or
/// `left`/`right` for relate.jsonl): every pattern text, in file order.
pub fn corpus_patterns(name: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(crate_root().join("corpus").join(name)).expect("read corpus file");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        for key in ["pattern", "left", "right"] {
            if let Some(p) = v[key].as_str() {
                out.push(p.to_owned());
            }
        }
    }
    out
}

/// The generated file of `count` IAM metric filters (`scripts/gen_patterns.py`, one JSON
/// string per line), generated once into `<target dir>/bench-data/`.
pub fn generated_patterns(count: u32, seed: u32) -> (PathBuf, Vec<String>) {
    let dir = target_dir().join("bench-data");
    let path = dir.join(format!("patterns-{count}-seed{seed}.jsonl"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("create bench-data directory");
        let tmp = dir.join(format!(".patterns-{count}.{}.tmp", std::process::id()));
        let status = Command::new("python3")
            .arg(crate_root().join("scripts/gen_patterns.py"))
            .args(["--count", &count.to_string(), "--seed", &seed.to_string()])
            .arg("--output")
            .arg(&tmp)
            .status()
            .expect("run python3 scripts/gen_patterns.py");
        assert!(status.success(), "gen_patterns.py failed: {status}");
        std::fs::rename(&tmp, &path).expect("move generated patterns into place");
    }
    let patterns = std::fs::read_to_string(&path)
        .expect("read generated patterns")
        .lines()
        .map(|l| serde_json::from_str::<String>(l).expect("a JSON string per line"))
        .collect();
    (path, patterns)
}

/// True under `BENCH_CLOCK=cpu`.
pub fn cpu_clock() -> bool {
    std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "cpu")
}

/// True when criterion runs each benchmark once (`cargo test --benches`, `--test`).
pub fn quick_mode() -> bool {
    std::env::args().any(|a| a == "--test" || a == "--list")
}

/// `fn main` for a bench whose `bench(c, suffix)` is generic over criterion's measurement:
/// wall-clock time, or (`BENCH_CLOCK=cpu`) the thread's CPU time, with `-cpu` appended to
/// the group names so that both kinds of figures can sit side by side in `target/criterion`.
#[allow(unused_macros)] // not every bench uses it
macro_rules! main_with_clock {
    ($bench:ident) => {
        fn main() {
            if common::cpu_clock() {
                let mut c = criterion::Criterion::default()
                    .with_measurement(common::cpu::ThreadCpuTime)
                    .configure_from_args();
                $bench(&mut c, "-cpu");
                c.final_summary();
            } else {
                let mut c = criterion::Criterion::default().configure_from_args();
                $bench(&mut c, "");
                c.final_summary();
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use main_with_clock;
