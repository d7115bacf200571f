//! `cwpattern scan PATH... [--aws]`: reads configurations (files and directories, detected
//! by content), groups them into scopes, follows the CIS chain in each and reports.
//!
//! Scopes: the AWS CLI outputs of one directory are one export (one account); the `.tf`
//! files of one directory are one Terraform module; a plan, state or CloudFormation
//! template is its own scope; a live account is one scope.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use cwpattern::scan::{
    chain, detect, sarif, terraform, Detected, Finding, Inventory, LoadError, ScanOptions,
    SourceFile, SourceKind, Status,
};

use super::{NO, UNUSABLE, YES};

/// Files larger than this are not configurations this scan reads.
const MAX_FILE: u64 = 64 << 20;

/// How to print the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable report.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

/// What the user asked for.
#[derive(Debug)]
pub struct Request {
    /// Files and directories.
    pub paths: Vec<String>,
    /// Also scan the live account.
    pub aws: bool,
    /// Regions for the live scan.
    pub regions: Vec<String>,
    /// What to check.
    pub options: ScanOptions,
    /// Output format.
    pub format: Format,
    /// Exit 1 for MANUAL findings too.
    pub strict: bool,
}

/// A file read and what it turned out to be.
#[derive(Debug, Serialize)]
struct Input {
    file: String,
    format: String,
}

/// A file passed over: not a configuration this scan reads.
#[derive(Debug, Serialize)]
struct Skipped {
    file: String,
    reason: String,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    pass: usize,
    fail: usize,
    manual: usize,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    summary: Summary,
    findings: &'a [Finding],
    inputs: Vec<Input>,
    errors: Vec<LoadError>,
    skipped: Vec<Skipped>,
}

/// Scopes and their inventories, built while reading.
#[derive(Default)]
struct Collected {
    /// Scope label → inventory, in a stable order.
    scopes: BTreeMap<String, Inventory>,
    /// Terraform source files per directory.
    terraform: BTreeMap<String, Vec<SourceFile>>,
    inputs: Vec<Input>,
    errors: Vec<LoadError>,
    skipped: Vec<Skipped>,
}

/// Runs the scan; returns the exit status.
pub fn run(req: &Request) -> u8 {
    if req.paths.is_empty() && !req.aws {
        eprintln!(
            "error: nothing to scan: name files or directories, or --aws for the live account"
        );
        return UNUSABLE;
    }
    let mut c = Collected::default();
    for path in &req.paths {
        c.path(path);
    }
    for (dir, files) in std::mem::take(&mut c.terraform) {
        let names: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        let (inventory, errors) = terraform::load_module(&files);
        c.errors.extend(errors);
        for name in names {
            c.inputs.push(Input {
                file: name,
                format: "Terraform source".to_owned(),
            });
        }
        c.scope(format!("terraform module {dir}"), inventory);
    }
    if req.aws {
        match live(&req.regions) {
            Ok(scopes) => {
                for (label, inventory) in scopes {
                    c.scope(label, inventory);
                }
            }
            Err(e) => c.errors.push(LoadError::new("--aws", e)),
        }
    }
    if c.scopes.is_empty() && c.errors.is_empty() {
        c.errors.push(LoadError::new(
            req.paths.join(", "),
            "no configuration found: no AWS CLI output, Terraform source or plan, or \
             CloudFormation template",
        ));
    }
    let mut findings = Vec::new();
    for (label, inventory) in &mut c.scopes {
        inventory.finish();
        match chain::evaluate(label, inventory, &req.options) {
            Ok(f) => findings.extend(f),
            Err(e) => {
                eprintln!("error: {e}");
                return UNUSABLE;
            }
        }
    }
    let mut summary = Summary::default();
    for f in &findings {
        match f.status {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::Manual => summary.manual += 1,
        }
    }
    for s in &c.skipped {
        eprintln!("notice: passed over {}: {}", s.file, s.reason);
    }
    for e in &c.errors {
        eprintln!("error: {e}");
    }
    let status = if !c.errors.is_empty() {
        UNUSABLE
    } else if summary.fail > 0 || (req.strict && summary.manual > 0) {
        NO
    } else {
        YES
    };
    let report = Report {
        summary,
        findings: &findings,
        inputs: c.inputs,
        errors: c.errors,
        skipped: c.skipped,
    };
    let out = match req.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default(),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif::report(&findings, env!("CARGO_PKG_VERSION")))
                .unwrap_or_default()
        }
        Format::Text => text(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{out}").is_err() {
        return UNUSABLE;
    }
    status
}

#[cfg(feature = "aws")]
fn live(regions: &[String]) -> Result<Vec<(String, Inventory)>, String> {
    super::aws::scan_live(regions)
}

#[cfg(not(feature = "aws"))]
fn live(_regions: &[String]) -> Result<Vec<(String, Inventory)>, String> {
    Err(
        "this cwpattern was built without the live AWS scan; rebuild it with \
         `cargo build --release --features aws`"
            .to_owned(),
    )
}

impl Collected {
    fn scope(&mut self, label: String, inventory: Inventory) {
        self.scopes.entry(label).or_default().merge(inventory);
    }

    /// A path from the command line: a file is read whatever it is (and an unreadable or
    /// unknown one is an error); a directory is walked, and files in it that are not
    /// configurations are passed over.
    fn path(&mut self, path: &str) {
        let p = Path::new(path);
        match std::fs::metadata(p) {
            Err(e) => self
                .errors
                .push(LoadError::new(path, format!("cannot read: {e}"))),
            Ok(m) if m.is_dir() => {
                let before =
                    self.inputs.len() + self.terraform.values().map(Vec::len).sum::<usize>();
                self.walk(p, 0);
                let after =
                    self.inputs.len() + self.terraform.values().map(Vec::len).sum::<usize>();
                let errors_here = self.errors.iter().any(|e| e.file.starts_with(path));
                if after == before && !errors_here {
                    self.errors.push(LoadError::new(
                        path,
                        "the directory holds no configuration (no AWS CLI output, Terraform \
                         source or plan, or CloudFormation template)",
                    ));
                }
            }
            Ok(_) => self.file(p, true),
        }
    }

    fn walk(&mut self, dir: &Path, depth: usize) {
        if depth > 32 {
            self.errors.push(LoadError::new(
                display(dir),
                "directories nested deeper than 32 levels are not walked",
            ));
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.errors
                    .push(LoadError::new(display(dir), format!("cannot list: {e}")));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Tool caches and version control: `.terraform` holds downloaded modules.
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => self.walk(&p, depth + 1),
                Ok(m) if m.is_file() => self.file(&p, false),
                _ => {}
            }
        }
    }

    /// Reads one file. `named`: the user named it (so anything unusable is an error).
    fn file(&mut self, p: &Path, named: bool) {
        let path = display(p);
        let skip = |c: &mut Collected, reason: String| {
            if named {
                c.errors.push(LoadError::new(path.clone(), reason));
            } else {
                c.skipped.push(Skipped {
                    file: path.clone(),
                    reason,
                });
            }
        };
        match std::fs::metadata(p) {
            Ok(m) if m.len() > MAX_FILE => {
                return skip(self, format!("larger than {} MiB", MAX_FILE >> 20));
            }
            Err(e) => return skip(self, format!("cannot read: {e}")),
            _ => {}
        }
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => return skip(self, format!("cannot read: {e}")),
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                return skip(
                    self,
                    format!(
                        "not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                )
            }
        };
        match detect(&path, &text) {
            Ok(Detected::Inventory { format, inventory }) => {
                let label = scope_label(p, &path, &inventory);
                self.inputs.push(Input {
                    file: path.clone(),
                    format,
                });
                self.scope(label, inventory);
            }
            Ok(Detected::TerraformSource) => {
                let dir = p
                    .parent()
                    .map(display)
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| ".".to_owned());
                self.terraform.entry(dir).or_default().push(SourceFile {
                    path: path.clone(),
                    text,
                });
            }
            Ok(Detected::Other(reason)) => skip(self, reason),
            // In a directory walk, a file that is no configuration at all is passed over;
            // one that is a configuration with an error (a truncated template, a `.tf` with
            // a syntax error) is reported. `detect` tells them apart.
            Err(e) => self.errors.push(e),
        }
    }
}

/// The scope of a file read on its own: AWS CLI outputs of one directory together, every
/// IaC file alone.
fn scope_label(p: &Path, path: &str, inventory: &Inventory) -> String {
    let source = [
        inventory.trails.first().map(|t| &t.origin),
        inventory.metric_filters.first().map(|f| &f.origin),
        inventory.alarms.first().map(|a| &a.origin),
        inventory.subscriptions.first().map(|s| &s.origin),
    ]
    .into_iter()
    .flatten()
    .next()
    .map(|o| o.source);
    match source {
        Some(SourceKind::TerraformPlan) => format!("terraform plan {path}"),
        Some(SourceKind::Cloudformation) => format!("cloudformation template {path}"),
        _ if !inventory.pending_status.is_empty()
            || !inventory.pending_selectors.is_empty()
            || source == Some(SourceKind::AwsCli)
            || source.is_none() =>
        {
            let dir = p
                .parent()
                .map(display)
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| ".".to_owned());
            format!("aws-cli outputs in {dir}")
        }
        _ => path.to_owned(),
    }
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn text(report: &Report<'_>) -> String {
    let mut out = String::new();
    let mut scope = "";
    for f in report.findings {
        if f.scope != scope {
            scope = &f.scope;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{scope}\n"));
            for note in f.notes.iter() {
                out.push_str(&format!("  note: {}: {}\n", note.about, note.message));
            }
        }
        out.push_str(&format!(
            "  {:<7} {:<27} {}\n",
            f.status.to_string(),
            f.rule,
            f.reason
        ));
        if f.status != Status::Pass {
            for link in &f.chain {
                let mark = match link.state {
                    chain::LinkState::Ok => "✓",
                    chain::LinkState::Missing => "✗",
                    chain::LinkState::Unknown => "?",
                };
                out.push_str(&format!(
                    "            {mark} {}: {}",
                    link.step.label(),
                    link.detail
                ));
                if let Some(o) = &link.resource {
                    if let Some(file) = &o.file {
                        out.push_str(&format!(" [{file}"));
                        if let Some(line) = o.line {
                            out.push_str(&format!(":{line}"));
                        }
                        out.push(']');
                    }
                }
                out.push('\n');
            }
        }
    }
    if !report.skipped.is_empty() {
        out.push_str(&format!(
            "\npassed over {} file(s) that are not configurations (listed on standard error)\n",
            report.skipped.len()
        ));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "\n{} PASS, {} FAIL, {} MANUAL in {} scope(s){}{}",
        s.pass,
        s.fail,
        s.manual,
        report
            .findings
            .iter()
            .map(|f| f.scope.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        match report.inputs.len() {
            0 => String::new(),
            n => format!(" from {n} file(s)"),
        },
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(
                "; {} unusable input(s) (see the errors above)",
                report.errors.len()
            )
        }
    ));
    out
}
