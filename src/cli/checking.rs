//! `cwpattern check`, `cwpattern rules` and `cwpattern lint`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use serde::Serialize;
use serde_json::json;

use super::batch::JsonLine;
use super::{batch, input, jsonstr, NO, UNUSABLE, YES};
use cwpattern::logic::Event;
use cwpattern::rules::{
    self, check, Assume, CheckError, CheckOptions, CheckReport, Checker, Verdict,
};
use cwpattern::FoldHasher;

/// `check PATTERN`.
pub fn run(pattern: Option<&str>, options: &CheckOptions, json: bool) -> u8 {
    let text = match input::pattern_arg(pattern) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return UNUSABLE;
        }
    };
    match check(&text, options) {
        Ok(report) => {
            let out = if json {
                serde_json::to_string_pretty(&report).unwrap_or_default()
            } else {
                describe(&report)
            };
            match super::print_line(&out) {
                YES if report.compliant => YES,
                YES => NO,
                status => status,
            }
        }
        Err(e) => {
            eprintln!("{}", error_text(&e));
            UNUSABLE
        }
    }
}

fn error_text(e: &CheckError) -> String {
    match e {
        CheckError::Pattern(p) => p.to_string(),
        other => format!("error: {other}"),
    }
}

/// The report for a person: the verdict, a table of the rule's eventNames, the rest.
fn describe(r: &CheckReport) -> String {
    let mut out = String::new();
    let verdict = if r.compliant {
        "COMPLIANT"
    } else {
        "NOT COMPLIANT"
    };
    out.push_str(&format!(
        "{verdict}: rule {} (version {}, assume {})\n",
        r.rule,
        r.version,
        assume_name(r.assume)
    ));
    out.push_str(&format!(
        "relation to the required events: {}\n",
        r.relation
    ));
    if let Some(why) = &r.unknown {
        out.push_str(&format!("undecided: {why}\n"));
    }
    if !r.covered.is_empty() || !r.missing.is_empty() {
        out.push('\n');
        let rule = rules::rule(&r.rule);
        let order: Vec<&String> = match rule {
            Some(rule) => rule
                .event_names
                .iter()
                .filter(|n| r.covered.contains(n) || r.missing.contains(n))
                .collect(),
            None => Vec::new(),
        };
        let mut names: Vec<&String> = order;
        for n in r.covered.iter().chain(&r.missing) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let mark = if r.missing.contains(name) {
                "✗"
            } else {
                "✓"
            };
            out.push_str(&format!("  {mark} {name}\n"));
        }
    }
    if !r.witnesses.is_empty() {
        out.push_str("\nrequired events it misses, for example:\n");
        for w in &r.witnesses {
            out.push_str(&format!("  {}\n", w.message()));
        }
    }
    out.push_str(&format!(
        "\nexact-text scanners: {}\n",
        r.exact_text.verdict
    ));
    for l in &r.lint {
        out.push_str(&format!("lint: {}", l.message));
        if let Some(s) = &l.suggestion {
            out.push_str(&format!(" ({s})"));
        }
        out.push('\n');
    }
    if let Some(repair) = &r.repair {
        out.push_str(&format!(
            "\na compliant pattern close to yours:\n  {repair}\n"
        ));
    }
    if let Some(noise) = &r.noise {
        if noise.count > 0 {
            let examples: Vec<String> = noise
                .examples
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e.event_source.trim_end_matches(".amazonaws.com"),
                        e.event_name
                    )
                })
                .collect();
            out.push_str(&format!(
                "\nnoise: it also catches {} other AWS API event(s), e.g. {}\n",
                noise.count,
                examples.join(", ")
            ));
        }
    }
    out.trim_end().to_owned()
}

fn assume_name(a: Assume) -> &'static str {
    match a {
        Assume::Cloudtrail => "cloudtrail",
        Assume::None => "none",
    }
}

/// One line of `check --batch`'s output.
// One `Line` exists at a time per thread, written and dropped at once: its size costs
// nothing, a box would cost an allocation per pattern.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize)]
#[serde(untagged)]
enum Line<'a> {
    /// The report of a valid pattern.
    Report(Box<CheckReport>),
    /// With `--brief`: the verdict of a valid pattern.
    Brief {
        pattern: PatternText<'a>,
        rule: &'a str,
        version: &'a str,
        assume: Assume,
        #[serde(flatten)]
        verdict: Arc<Verdict>,
    },
    /// An input line without a pattern, or an invalid pattern.
    Error(serde_json::Value),
}

/// A pattern as an input line of `check --batch` gave it.
#[derive(Debug)]
enum PatternText<'l> {
    /// The pattern.
    Text(String),
    /// The pattern's JSON string (quotes included) as the input line wrote it, when that is
    /// how [`jsonstr::write_str`] writes the pattern (`jsonstr::ReadString::json`, and the
    /// strings `Checker::quick_verdict_in_json` reads): written again as it is, decoded only
    /// to be serialised otherwise.
    Json(&'l str),
}

impl<'l> PatternText<'l> {
    /// The text of a pattern read by `batch::pattern_of_line`.
    fn of(read: jsonstr::ReadString<'l>) -> PatternText<'l> {
        match read.json {
            Some(json) => PatternText::Json(json),
            None => PatternText::Text(read.text.into_owned()),
        }
    }

    /// Appends the pattern as a JSON string.
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            PatternText::Text(text) => jsonstr::write_str(out, text),
            PatternText::Json(json) => out.extend_from_slice(json.as_bytes()),
        }
    }
}

impl Serialize for PatternText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PatternText::Text(text) => serializer.serialize_str(text),
            PatternText::Json(json) => {
                let text: String = serde_json::from_str(json).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
        }
    }
}

/// The most witness texts [`write_event`] remembers per thread.
const KNOWN_WITNESSES: usize = 4096;

/// Writes `witness` as its `Serialize` does: a JSON record as it is when it is valid JSON
/// (checked), anything else as a string. Witnesses recur across a batch (on the fast path,
/// one minimal record per missing eventName), so a thread remembers the texts it wrote as
/// they are and writes them again without the check.
fn write_event(out: &mut Vec<u8>, witness: &Event) {
    thread_local! {
        static WRITTEN_AS_IS: RefCell<HashSet<String, BuildHasherDefault<FoldHasher>>> =
            RefCell::new(HashSet::default());
    }
    let Event::Json(text) = witness else {
        // Writing into a vector cannot fail.
        let _ = serde_json::to_writer(&mut *out, witness);
        return;
    };
    WRITTEN_AS_IS.with(|known| {
        if known.borrow().contains(text) {
            out.extend_from_slice(text.as_bytes());
            return;
        }
        let start = out.len();
        let _ = serde_json::to_writer(&mut *out, witness);
        let mut known = known.borrow_mut();
        if out[start..] == *text.as_bytes() && known.len() < KNOWN_WITNESSES {
            known.insert(text.clone());
        }
    });
}

impl JsonLine for Line<'_> {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), String> {
        match self {
            Line::Brief {
                pattern,
                rule,
                version,
                assume,
                verdict,
            } => {
                out.extend_from_slice(b"{\"pattern\":");
                pattern.write_json(out);
                write_shared_brief(out, rule, version, *assume, verdict);
                Ok(())
            }
            other => serde_json::to_writer(out, other).map_err(|e| e.to_string()),
        }
    }
}

/// The most verdict texts [`write_shared_brief`] remembers.
const KNOWN_VERDICTS: usize = 4096;

/// A verdict and its text ([`WrittenVerdicts`]).
type WrittenVerdict = (Arc<Verdict>, Arc<[u8]>);

/// The verdict texts written, by the verdict's address: each entry keeps its verdict alive,
/// so no other verdict can take that address while it is there.
#[derive(Default)]
struct WrittenVerdicts {
    /// The rule, version and assumption the texts were written with.
    header: (String, String, Option<Assume>),
    texts: HashMap<usize, WrittenVerdict, BuildHasherDefault<FoldHasher>>,
}

/// [`write_brief`], remembering the text of a verdict the checker shares between patterns
/// (a [memoised](Checker::memoised) checker gives every pattern with the same formula the
/// same verdict, `Checker::verdict_shared`) and writing it again as it is. The texts are
/// shared by the threads of a batch: each verdict is written once, and kept once (a text
/// per thread took twice the writing and a megabyte more memory with two threads).
fn write_shared_brief(
    out: &mut Vec<u8>,
    rule: &str,
    version: &str,
    assume: Assume,
    verdict: &Arc<Verdict>,
) {
    static WRITTEN: LazyLock<Mutex<WrittenVerdicts>> = LazyLock::new(Default::default);
    // Held only here: no other pattern will have it.
    if Arc::strong_count(verdict) < 2 {
        return write_brief(out, rule, version, assume, verdict);
    }
    let lock = || WRITTEN.lock().unwrap_or_else(PoisonError::into_inner);
    let key = Arc::as_ptr(verdict) as usize;
    let known = {
        let mut written = lock();
        let (r, v, a) = &written.header;
        if (r.as_str(), v.as_str(), *a) != (rule, version, Some(assume)) {
            written.header = (rule.to_owned(), version.to_owned(), Some(assume));
            written.texts.clear();
        }
        written.texts.get(&key).map(|(_, text)| Arc::clone(text))
    };
    // Copied without the lock.
    if let Some(text) = known {
        out.extend_from_slice(&text);
        return;
    }
    // Written without the lock (another thread may write the same text meanwhile: the
    // first one kept is kept).
    let start = out.len();
    write_brief(out, rule, version, assume, verdict);
    let mut written = lock();
    let (r, v, a) = &written.header;
    if (r.as_str(), v.as_str(), *a) == (rule, version, Some(assume))
        && written.texts.len() < KNOWN_VERDICTS
    {
        let text = Arc::from(&out[start..]);
        written
            .texts
            .entry(key)
            .or_insert_with(|| (Arc::clone(verdict), text));
    }
}

/// Writes a [`Line::Brief`] after its `pattern` field as its derived `Serialize` does (a
/// test compares the two), its strings with [`jsonstr::write_str`]: most of the line is
/// the pattern and the eventNames.
fn write_brief(out: &mut Vec<u8>, rule: &str, version: &str, assume: Assume, verdict: &Verdict) {
    // Every field, so that a new one does not compile until it is written here.
    let Verdict {
        compliant,
        relation,
        covered,
        missing,
        witnesses,
        unknown,
        accepted_by,
    } = verdict;
    let names = |out: &mut Vec<u8>, names: &[String]| {
        out.push(b'[');
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            jsonstr::write_str(out, name);
        }
        out.push(b']');
    };
    let optional = |out: &mut Vec<u8>, text: &Option<String>| match text {
        Some(text) => jsonstr::write_str(out, text),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b",\"rule\":");
    jsonstr::write_str(out, rule);
    out.extend_from_slice(b",\"version\":");
    jsonstr::write_str(out, version);
    out.extend_from_slice(b",\"assume\":");
    jsonstr::write_str(out, assume_name(assume));
    out.extend_from_slice(match compliant {
        true => b",\"compliant\":true,\"relation\":",
        false => b",\"compliant\":false,\"relation\":",
    });
    jsonstr::write_str(out, relation);
    out.extend_from_slice(b",\"covered\":");
    names(out, covered);
    out.extend_from_slice(b",\"missing\":");
    names(out, missing);
    out.extend_from_slice(b",\"witnesses\":[");
    for (i, witness) in witnesses.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_event(out, witness);
    }
    out.extend_from_slice(b"],\"unknown\":");
    optional(out, unknown);
    out.extend_from_slice(b",\"accepted_by\":");
    optional(out, accepted_by);
    out.push(b'}');
}

/// `check --batch FILE`: one JSON result per input line; with `brief`, only the verdicts.
///
/// One memoised [`Checker`] serves every line: patterns with the same canonical form are
/// decided once.
pub fn batch(path: &str, options: &CheckOptions, brief: bool, jobs: usize) -> u8 {
    let (all_ok, invalid) = (AtomicBool::new(true), AtomicBool::new(false));
    let checker = match Checker::new(options) {
        Ok(c) => c.memoised(),
        Err(e) => {
            eprintln!("error: {e}");
            return UNUSABLE;
        }
    };
    let version = checker.version().to_owned();
    // Written only when a pattern is not compliant, and then once: the threads do not
    // take the flag's cache line from each other on every pattern.
    let note_compliant = |compliant: bool| {
        if !compliant && all_ok.load(Ordering::Relaxed) {
            all_ok.store(false, Ordering::Relaxed);
        }
    };
    // Each line's result (which may borrow the line), written straight into the output.
    let done = batch::for_each_line_writing(path, jobs, |n, line, out| {
        let brief_line = |pattern, verdict: Arc<Verdict>| {
            note_compliant(verdict.compliant);
            Line::Brief {
                pattern,
                rule: &options.rule,
                version: &version,
                assume: options.assume,
                verdict,
            }
        };
        // Most lines are a JSON string the quick recogniser reads as it is.
        if brief {
            let open = line.len() - line.trim_start_matches([' ', '\t', '\n', '\r']).len();
            let after_quote = line[open..].strip_prefix('"');
            if let Some((verdict, len)) =
                after_quote.and_then(|after| checker.quick_verdict_in_json(after))
            {
                // The string, quotes included: ASCII at both ends.
                let json = &line[open..open + len + 2];
                return brief_line(PatternText::Json(json), verdict).write_json(out);
            }
        }
        let pattern = match batch::pattern_of_line(line) {
            Ok(p) => p,
            Err(e) => {
                invalid.store(true, Ordering::Relaxed);
                let error = json!({ "line": n, "error": { "message": e } });
                return Line::Error(error).write_json(out);
            }
        };
        // An invalid pattern is a result; another failure stops the batch.
        let failed = |e: CheckError, text: &str| match e {
            CheckError::Pattern(e) => {
                invalid.store(true, Ordering::Relaxed);
                Ok(Line::Error(
                    json!({ "pattern": text, "error": batch::error_json(&e) }),
                ))
            }
            e => Err(e.to_string()),
        };
        let result = match brief {
            false => match checker.check(&pattern.text) {
                Ok(report) => {
                    note_compliant(report.compliant);
                    Ok(Line::Report(Box::new(report)))
                }
                Err(e) => failed(e, &pattern.text),
            },
            true => match checker.verdict_shared(&pattern.text) {
                Ok(verdict) => Ok(brief_line(PatternText::of(pattern), verdict)),
                Err(e) => failed(e, &pattern.text),
            },
        };
        result?.write_json(out)
    });
    // The process ends after the batch (this is its last work): the memo's thousands of
    // verdicts and reports are left to the system, not freed one by one, which took ~2 ms
    // of the ~30 of 10,000 patterns (BENCHMARKS.md).
    std::mem::forget(checker);
    match (done, invalid.into_inner(), all_ok.into_inner()) {
        (Err(status), _, _) => status,
        (Ok(()), true, _) => UNUSABLE,
        (Ok(()), false, true) => YES,
        (Ok(()), false, false) => NO,
    }
}

/// `rules`: the catalog.
pub fn list(json: bool) -> u8 {
    let rules = rules::rules();
    let text = if json {
        serde_json::to_string_pretty(rules).unwrap_or_default()
    } else {
        let mut out = String::new();
        for r in rules {
            let names = if r.event_names.is_empty() {
                String::new()
            } else {
                format!(", {} eventNames", r.event_names.len())
            };
            out.push_str(&format!(
                "{:<28} {} [{}{}]\n",
                r.id,
                r.title,
                r.versions().join(" "),
                names
            ));
        }
        out.trim_end().to_owned()
    };
    super::print_line(&text)
}

/// `lint PATTERN`: exit 0 when there is nothing to say, 1 otherwise.
pub fn lint(pattern: Option<&str>, json: bool) -> u8 {
    let (text, _) = match super::parsed_relaxed(pattern) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let lints = rules::lint(&text);
    let out = if json {
        serde_json::to_string_pretty(&lints).unwrap_or_default()
    } else if lints.is_empty() {
        "no problems found".to_owned()
    } else {
        lints
            .iter()
            .map(|l| {
                let at = l
                    .span
                    .map(|s| format!(" (at offset {})", s.start))
                    .unwrap_or_default();
                let fix = l
                    .suggestion
                    .as_deref()
                    .map(|s| format!("\n  suggestion: {s}"))
                    .unwrap_or_default();
                format!(
                    "{}{at}: {}{fix}",
                    serde_json::to_value(l.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    l.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    match super::print_line(&out) {
        YES if lints.is_empty() => YES,
        YES => NO,
        status => status,
    }
}

/// `--assume` values.
pub fn parse_assume(s: &str) -> Result<Assume, String> {
    match s {
        "cloudtrail" => Ok(Assume::Cloudtrail),
        "none" => Ok(Assume::None),
        _ => Err(format!("'{s}' is not 'cloudtrail' or 'none'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written brief line is the derived serialisation, byte for byte, also when
    /// its verdict's text is remembered.
    #[test]
    fn brief_lines_are_written_as_serde_writes_them() {
        let strange = "quote \" backslash \\ tab \t nul \u{0} del \u{7f} é 😀";
        let verdicts = [
            Verdict {
                compliant: true,
                relation: "equivalent".to_owned(),
                covered: vec!["PutRolePolicy".to_owned(), strange.to_owned()],
                missing: vec![],
                witnesses: vec![],
                unknown: None,
                accepted_by: Some("required".to_owned()),
            },
            Verdict {
                compliant: false,
                relation: "unknown".to_owned(),
                covered: vec![],
                missing: vec!["A".to_owned(), "B".to_owned()],
                witnesses: vec![
                    Event::Json(r#"{"eventName":"A","x":[1,{"y":null}]}"#.to_owned()),
                    Event::Text(strange.to_owned()),
                    Event::Json("not json".to_owned()),
                ],
                unknown: Some(strange.to_owned()),
                accepted_by: None,
            },
        ];
        for verdict in verdicts {
            // Shared, as a memoised checker shares it (its text is remembered, and written
            // again under each assumption's header), and not.
            let shared = Arc::new(verdict.clone());
            for (assume, verdict) in [
                (Assume::Cloudtrail, Arc::new(verdict.clone())),
                (Assume::Cloudtrail, Arc::clone(&shared)),
                (Assume::None, Arc::clone(&shared)),
                (Assume::Cloudtrail, Arc::clone(&shared)),
            ] {
                // With and without the NUL, which an input line writes as `\u0000`, so
                // that its JSON text is not kept.
                let patterns = [strange.to_owned(), strange.replace('\u{0}', "")]
                    .map(|s| format!("{{ $.eventName = \"{s}\" }}"));
                let inputs = patterns
                    .clone()
                    .map(|p| serde_json::to_string(&p).expect("a string"));
                let jsons = inputs
                    .iter()
                    .map(|input| batch::pattern_of_line(input).expect("a pattern").json)
                    .collect::<Vec<_>>();
                assert_eq!(jsons[0], None);
                assert_eq!(jsons[1], Some(inputs[1].as_str()));
                fn read(input: &str) -> PatternText<'_> {
                    PatternText::of(batch::pattern_of_line(input).expect("a pattern"))
                }
                let (first, second) = (read(&inputs[0]), read(&inputs[1]));
                assert!(matches!(&first, PatternText::Text(t) if *t == patterns[0]));
                assert!(matches!(&second, PatternText::Json(j) if *j == inputs[1]));
                for pattern in [first, PatternText::Text(patterns[1].clone()), second] {
                    let line = Line::Brief {
                        pattern,
                        rule: "iam-policy-changes",
                        version: strange,
                        assume,
                        verdict: Arc::clone(&verdict),
                    };
                    let mut written = Vec::new();
                    line.write_json(&mut written).expect("written");
                    let derived = serde_json::to_vec(&line).expect("serialised");
                    assert_eq!(
                        String::from_utf8(written).expect("UTF-8"),
                        String::from_utf8(derived).expect("UTF-8")
                    );
                }
            }
        }
    }
}
