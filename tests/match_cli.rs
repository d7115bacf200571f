//! `cwpattern match` and `test-metric-filter` on real and broken inputs: CloudTrail files
//! (plain and gzip), NDJSON, text lines, and malformed input — truncated JSON, invalid UTF-8,
//! a 1 MB line, 10,000 levels of nesting, an empty file. Every case must be handled
//! clearly: no panic, and nothing dropped silently.

use std::io::Write;
use std::process::{Command, Stdio};

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cwpattern"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("the binary finishes");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cwpattern-match-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

const IAM: &str = r#"{ $.eventSource = "iam.amazonaws.com" }"#;

/// The one check of this boundary: exit status, and text that stdout and stderr contain.
#[track_caller]
fn check_run(r: &Run, status: i32, stdout_has: &[&str], stderr_has: &[&str]) {
    let ok = r.status == status
        && stdout_has.iter().all(|s| r.stdout.contains(s))
        && stderr_has.iter().all(|s| r.stderr.contains(s))
        && !r.stderr.contains("panicked");
    assert!(
        ok,
        "expected exit {status}, stdout with {stdout_has:?}, stderr with {stderr_has:?}\n--- got exit {}\n--- stdout\n{}\n--- stderr\n{}",
        r.status,
        &r.stdout[..r.stdout.len().min(2000)],
        r.stderr
    );
}

fn count(path: &std::path::Path, pattern: &str) -> u64 {
    let r = run(
        &[
            "match",
            pattern,
            path.to_str().expect("utf-8 path"),
            "--count",
        ],
        b"",
    );
    r.stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no count: {} {}", r.stdout, r.stderr))
}

#[test]
fn cloudtrail_file_plain_gzip_and_ndjson_agree() {
    let records = std::fs::read_to_string("corpus/cloudtrail_sample.json").expect("sample");
    let doc: serde_json::Value = serde_json::from_str(&records).expect("json");
    let lines: Vec<String> = doc["Records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r.to_string())
        .collect();
    let expected = lines
        .iter()
        .filter(|l| l.contains("\"iam.amazonaws.com\""))
        .count() as u64;
    assert!(expected > 0, "the sample has IAM records");
    let ndjson = temp_file("records.ndjson", (lines.join("\n") + "\n").as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(records.as_bytes()).expect("gzip");
    let gzipped = temp_file("records.json.gz.bin", &gz.finish().expect("gzip"));
    let plain = std::path::Path::new("corpus/cloudtrail_sample.json");
    assert_eq!(count(plain, IAM), expected);
    assert_eq!(count(&gzipped, IAM), expected);
    assert_eq!(count(&ndjson, IAM), expected);
}

#[test]
fn prints_matching_events_one_per_line() {
    let r = run(
        &["match", "ERROR"],
        b"INFO ok\nERROR one\nWARN two\nERROR three\n",
    );
    check_run(&r, 0, &["ERROR one\nERROR three\n"], &[]);
    let r = run(&["match", "FATAL"], b"INFO ok\n");
    check_run(&r, 1, &[], &[]);
}

#[test]
fn truncated_cloudtrail_file_is_an_error_after_the_records_read() {
    let records = std::fs::read_to_string("corpus/cloudtrail_sample.json").expect("sample");
    let cut = temp_file("truncated.json", &records.as_bytes()[..records.len() / 2]);
    let r = run(&["match", IAM, cut.to_str().expect("path"), "--count"], b"");
    check_run(
        &r,
        2,
        &[],
        &["not a complete CloudTrail log file after", "record(s)"],
    );
}

#[test]
fn broken_lines_are_counted_and_reported() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"eventSource\":\"iam.amazonaws.com\"}\n");
    input.extend_from_slice(b"{\"eventSource\":\"iam.amazon\n");
    input.extend_from_slice(b"\xff\xfe not utf-8\n");
    input.extend_from_slice(b"plain text line\n");
    let r = run(&["match", IAM, "--count"], &input);
    check_run(
        &r,
        0,
        &["1\n"],
        &[
            "1 line(s) were not valid UTF-8",
            "line 3",
            "2 event(s) could not be read as a JSON object",
            "line 2",
        ],
    );
}

#[test]
fn a_one_megabyte_line_is_read_whole() {
    let big = format!(
        "{{\"eventSource\":\"iam.amazonaws.com\",\"pad\":\"{}\"}}\n",
        "x".repeat(1 << 20)
    );
    let r = run(&["match", IAM, "--count"], big.as_bytes());
    check_run(&r, 0, &["1\n"], &[]);
    let r = run(&["match", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "--count"], big.as_bytes());
    check_run(&r, 0, &["1\n"], &[]);
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_crash() {
    let deep = format!(
        "{{\"eventSource\":\"iam.amazonaws.com\",\"a\":{}1{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let r = run(&["match", IAM, "--count"], deep.as_bytes());
    check_run(&r, 0, &["1\n"], &[]);
    let r = run(&["match", "{ $.a[0][0] = 1 }", "--count"], deep.as_bytes());
    check_run(&r, 1, &["0\n"], &[]);
}

#[test]
fn empty_input_matches_nothing() {
    let empty = temp_file("empty.json", b"");
    let r = run(
        &["match", IAM, empty.to_str().expect("path"), "--count"],
        b"",
    );
    check_run(&r, 1, &["0\n"], &[]);
    let r = run(&["match", IAM, "/nonexistent/file.json"], b"");
    check_run(&r, 2, &[], &["cannot open /nonexistent/file.json"]);
}

#[test]
fn test_metric_filter_has_the_aws_cli_shape() {
    let r = run(
        &[
            "test-metric-filter",
            "--filter-pattern",
            "[ip, user, ..., status=4*, size]",
            "--log-event-messages",
            "1.2.3.4 bob GET 404 12",
            "x y 200 1",
        ],
        b"",
    );
    check_run(
        &r,
        0,
        &[
            "\"matches\"",
            "\"eventNumber\": 1",
            "\"$status\": \"404\"",
            "\"$3\": \"GET\"",
        ],
        &[],
    );
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(doc["matches"].as_array().map(Vec::len), Some(1));
    let r = run(
        &[
            "test-metric-filter",
            "--filter-pattern",
            "ERROR",
            "--log-event-messages",
            "ok",
        ],
        b"",
    );
    check_run(&r, 1, &["\"matches\": []"], &[]);
}
