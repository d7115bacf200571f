//! Argument parsing and the subcommands. Only this module does I/O, uses clap and decides
//! exit codes; the library knows nothing about them.

#[cfg(feature = "aws")]
mod aws;
mod batch;
mod checking;
mod diff;
mod input;
mod jsonstr;
mod matching;
mod scan;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cwpattern::syntax;

/// Exit status for "yes" (equivalent, compliant, matched, done).
pub const YES: u8 = 0;
/// Exit status for "no".
pub const NO: u8 = 1;
/// Exit status for unusable input.
pub const UNUSABLE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "cwpattern",
    version,
    about = "Parse, normalise, evaluate and compare AWS CloudWatch Logs filter patterns",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the canonical form of a pattern, on one line.
    Fmt {
        /// The pattern exactly as AWS stores it; `-` or nothing reads standard input.
        pattern: Option<String>,
        /// Format many patterns: JSON Lines from FILE (or `-` for standard input), each a
        /// JSON string or an object with a `pattern` field; prints a JSON object per line.
        #[arg(long, value_name = "FILE", conflicts_with = "pattern")]
        batch: Option<String>,
        /// Print a JSON object instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// Print the events a pattern matches, from files of JSON or text lines or CloudTrail
    /// log files (`{"Records": [...]}`, gzip-compressed or not), or standard input.
    Match {
        /// The pattern; `-` reads standard input.
        pattern: String,
        /// Files of events; none reads standard input.
        files: Vec<String>,
        /// Print only the number of matching events.
        #[arg(long)]
        count: bool,
    },
    /// Offline `aws logs test-metric-filter`: the same flags and JSON output.
    TestMetricFilter {
        /// The filter pattern.
        #[arg(long, allow_hyphen_values = true)]
        filter_pattern: String,
        /// The log event messages to test (1 to 50).
        #[arg(long, num_args = 1.., allow_hyphen_values = true)]
        log_event_messages: Vec<String>,
    },
    /// Decide how the events two patterns match relate: equivalent, subset, superset,
    /// overlap or disjoint, with example events only one side matches.
    Diff {
        /// The left pattern.
        left: String,
        /// The right pattern.
        right: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Does PATTERN catch every event a rule requires? (Default rule: the 19 IAM
    /// eventNames of CloudGuard D9.AWS.MON.04.)
    Check {
        /// The pattern; `-` or nothing reads standard input.
        pattern: Option<String>,
        /// The rule (`cwpattern rules` lists them).
        #[arg(long, default_value = "iam-policy-changes")]
        rule: String,
        /// The CIS version of the rule's reference pattern (default: the newest).
        #[arg(long, value_name = "VERSION")]
        cis_version: Option<String>,
        /// Which events the rule is about: real CloudTrail records (`cloudtrail`) or any JSON
        /// event (`none`).
        #[arg(long, default_value = "cloudtrail", value_parser = checking::parse_assume)]
        assume: cwpattern::rules::Assume,
        /// Many patterns: JSON Lines from FILE (or `-`), one JSON result per line.
        #[arg(long, value_name = "FILE", conflicts_with = "pattern")]
        batch: Option<String>,
        /// With --batch: print only each pattern's verdict (compliant, relation, covered,
        /// missing, witnesses), decided as fully but without the lint, repair, noise and
        /// text comparisons: faster, for scanners.
        #[arg(long, requires = "batch")]
        brief: bool,
        /// With --batch: threads checking lines (default: the machine's cores); the output
        /// is the same, in the input's order.
        #[arg(long, value_name = "N", requires = "batch", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Skip the noise report (the AWS APIs caught beyond the rule).
        #[arg(long)]
        no_noise: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the rules `check` knows.
    Rules {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Point out what in a pattern is probably not what its author meant.
    Lint {
        /// The pattern; `-` or nothing reads standard input.
        pattern: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the whole CIS monitoring chain (trail -> log group -> metric filter -> alarm ->
    /// SNS subscription) in AWS CLI JSON outputs, Terraform source or plans, CloudFormation
    /// templates (files detected by content; directories walked), or a live account.
    /// Exit 0 when nothing fails, 1 when a rule fails, 2 on unusable input.
    Scan {
        /// Files and directories to read.
        paths: Vec<String>,
        /// Also scan the live AWS account of the default credential chain (honours
        /// AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL); needs the `aws` build feature.
        #[arg(long)]
        aws: bool,
        /// Regions for --aws (repeatable; default: the configured region).
        #[arg(long = "region", value_name = "REGION", requires = "aws")]
        regions: Vec<String>,
        /// Rules to check (repeatable; default: every rule of the catalog).
        #[arg(long = "rule", value_name = "ID")]
        rules: Vec<String>,
        /// The CIS version (default: each rule's newest).
        #[arg(long, value_name = "VERSION")]
        cis_version: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: scan::Format,
        /// Print JSON (same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Exit 1 when a finding is MANUAL too, not only when one is FAIL.
        #[arg(long)]
        strict: bool,
    },
    /// Print the syntax tree of a pattern as JSON.
    Parse {
        /// The pattern; `-` or nothing reads standard input.
        pattern: Option<String>,
        /// Print JSON (the default and only format; accepted for symmetry).
        #[arg(long)]
        json: bool,
    },
}

/// Parses the arguments and runs the command.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { UNUSABLE } else { YES });
        }
    };
    let status = match cli.command {
        Command::Fmt {
            batch: Some(file), ..
        } => batch::fmt(&file),
        Command::Fmt { pattern, json, .. } => fmt(pattern.as_deref(), json),
        Command::Parse { pattern, .. } => parse(pattern.as_deref()),
        Command::Diff { left, right, json } => diff::run(&left, &right, json),
        Command::Check {
            pattern,
            rule,
            cis_version,
            assume,
            batch,
            brief,
            jobs,
            no_noise,
            json,
        } => {
            let options = cwpattern::rules::CheckOptions {
                rule,
                version: cis_version,
                assume,
                noise: !no_noise,
                ..Default::default()
            };
            match batch {
                Some(file) => {
                    let jobs = jobs.map_or_else(default_jobs, usize::from);
                    checking::batch(&file, &options, brief, jobs)
                }
                None => checking::run(pattern.as_deref(), &options, json),
            }
        }
        Command::Scan {
            paths,
            aws,
            regions,
            rules,
            cis_version,
            format,
            json,
            strict,
        } => scan::run(&scan::Request {
            paths,
            aws,
            regions,
            options: cwpattern::scan::ScanOptions {
                rules,
                cis_version,
                ..Default::default()
            },
            format: if json { scan::Format::Json } else { format },
            strict,
        }),
        Command::Rules { json } => checking::list(json),
        Command::Lint { pattern, json } => checking::lint(pattern.as_deref(), json),
        Command::Match {
            pattern,
            files,
            count,
        } => matching::run(Some(&pattern), &files, count),
        Command::TestMetricFilter {
            filter_pattern,
            log_event_messages,
        } => matching::test_metric_filter(&filter_pattern, &log_event_messages),
    };
    ExitCode::from(status)
}

/// Reads and parses the PATTERN argument, printing the error diagram on failure.
fn parsed(arg: Option<&str>) -> Result<(String, syntax::ast::Pattern), u8> {
    let text = input::pattern_arg(arg).map_err(|e| {
        eprintln!("error: {e}");
        UNUSABLE
    })?;
    match syntax::parse(&text) {
        Ok(ast) => Ok((text, ast)),
        Err(e) => {
            eprintln!("{e}");
            Err(UNUSABLE)
        }
    }
}

/// Like [`parsed`], but accepting patterns over AWS's quotas (which lint reports).
fn parsed_relaxed(arg: Option<&str>) -> Result<(String, syntax::ast::Pattern), u8> {
    let text = input::pattern_arg(arg).map_err(|e| {
        eprintln!("error: {e}");
        UNUSABLE
    })?;
    let relaxed = syntax::ParseOptions {
        aws_limits: false,
        ..Default::default()
    };
    match syntax::parse_with(&text, relaxed) {
        Ok(ast) => Ok((text, ast)),
        Err(e) => {
            eprintln!("{e}");
            Err(UNUSABLE)
        }
    }
}

fn fmt(arg: Option<&str>, json: bool) -> u8 {
    let (text, ast) = match parsed(arg) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let canonical = cwpattern::canon::lower(&ast);
    let out = if json {
        let doc = serde_json::json!({
            "pattern": text,
            "canonical": canonical.to_string(),
            "form": canonical,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    } else {
        canonical.to_string()
    };
    print_line(&out)
}

fn parse(arg: Option<&str>) -> u8 {
    let (_, ast) = match parsed(arg) {
        Ok(p) => p,
        Err(status) => return status,
    };
    match serde_json::to_string_pretty(&ast) {
        Ok(json) => print_line(&json),
        Err(e) => {
            eprintln!("error: cannot serialise the syntax tree: {e}");
            UNUSABLE
        }
    }
}

/// Prints one line to standard output; a closed pipe is not an error worth a panic.
fn print_line(line: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}") {
        Ok(()) => YES,
        Err(_) => UNUSABLE,
    }
}

/// Threads for batch mode when `--jobs` is not given: the machine's cores (at most 16).
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(16))
}
