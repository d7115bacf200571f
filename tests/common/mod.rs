//! Helpers shared by the integration tests: paths into `corpus/`, the failure report that
//! every `check_*` prints, and running the `cwpattern` binary.
//!
//! Each test binary uses only some of these, hence the `allow` below.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The path of `name` inside the repository's `corpus/` folder.
pub fn corpus_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

/// The text of `corpus/<name>`.
pub fn read_corpus(name: &str) -> String {
    let path = corpus_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The pattern of an `errors.txt` header (`### name spec`): a JSON string, or a generator object
/// `{"prefix": s, "repeat": s, "times": n, "suffix": s}` for long patterns.
pub fn error_case_pattern(name: &str, spec: &str) -> String {
    let value: Value = serde_json::from_str(spec)
        .unwrap_or_else(|e| panic!("errors.txt: case {name}: the pattern is not JSON: {e}"));
    match value {
        Value::String(s) => s,
        Value::Object(g) => {
            let text = |key: &str| g.get(key).and_then(Value::as_str).unwrap_or_default();
            let times = g.get("times").and_then(Value::as_u64).unwrap_or_else(|| {
                panic!("errors.txt: case {name}: a generator needs a number \"times\"")
            });
            let times = usize::try_from(times).expect("times fits in usize");
            format!(
                "{}{}{}",
                text("prefix"),
                text("repeat").repeat(times),
                text("suffix")
            )
        }
        other => panic!("errors.txt: case {name}: expected a string or a generator, found {other}"),
    }
}

/// The patterns of every `errors.txt` case, by the headers' specs.
pub fn error_case_patterns() -> Vec<String> {
    read_corpus("errors.txt")
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .map(|header| {
            let (name, spec) = header.split_once(' ').unwrap_or((header, ""));
            error_case_pattern(name, spec)
        })
        .collect()
}

/// True when the run was asked to rewrite snapshot files (`CWPATTERN_BLESS=1`).
pub fn bless() -> bool {
    std::env::var_os("CWPATTERN_BLESS").is_some_and(|v| v == "1")
}

/// One case's expected and actual result, both as text.
#[derive(Debug)]
pub struct Outcome {
    /// The case's name.
    pub name: String,
    /// What was fed in (shown as a JSON string so that whitespace is visible).
    pub input: String,
    /// What the case expects.
    pub expected: String,
    /// What happened.
    pub actual: String,
}

/// The failure report: every mismatching case between rulers, then a count.
pub fn report(mismatches: &[&Outcome], total: usize) -> String {
    let ruler = "=".repeat(72);
    let thin = "-".repeat(72);
    let mut out = String::new();
    for m in mismatches {
        out.push_str(&format!(
            "\n{ruler}\ncase: {}\ninput: {}\n{thin} expected\n{}\n{thin} actual\n{}\n{ruler}\n",
            m.name,
            serde_json::to_string(&m.input).unwrap_or_else(|_| m.input.clone()),
            m.expected,
            m.actual,
        ));
    }
    out.push_str(&format!("{} of {total} cases differ", mismatches.len()));
    out
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `cwpattern` with `args`, feeding `stdin` (or nothing: standard input is then closed).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_os(args.iter().map(std::ffi::OsStr::new), stdin)
}

/// [`run`] with arguments that need not be UTF-8.
pub fn run_os<I, S>(args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_cwpattern"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cwpattern binary starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // A child that exits without reading (a bad flag) closes the pipe: not our failure.
        let _ = pipe.write_all(bytes);
    }
    let out = child.wait_with_output().expect("the cwpattern binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    /// The exit code and both outputs, for failure reports.
    pub fn summary(&self) -> String {
        format!(
            "exit {:?}\nstdout: {}\nstderr: {}",
            self.code,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}
