//! `check`: does a pattern catch every event a rule requires?

use std::fmt;

use serde::Serialize;

use super::lint::{lint, Lint};
use super::world::{api_events, cloudtrail_assumptions, field_equals, ApiEvent};
use super::{rule, Rule};
use crate::canon::{
    self, Canonical, Formula, FormulaKind, JsonAtom, Operand, PathStep, Test, TextPat,
};
use crate::eval::Matcher;
use crate::logic::{find_events, relate_assuming, Assumptions, Event, Limits, Relation};
use crate::syntax;

/// Which events the rule's requirement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assume {
    /// Real CloudTrail records of the rule's service: `eventName`, `eventSource`,
    /// `eventTime` and `awsRegion` are strings, and a rule about one service (IAM) is
    /// about records with that `eventSource`.
    Cloudtrail,
    /// The rule's reference pattern as written, over any JSON event.
    None,
}

/// What to check against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// The rule's id (default `iam-policy-changes`).
    pub rule: String,
    /// The version of the rule's standard (default: the newest).
    pub version: Option<String>,
    /// Which events the requirement is about.
    pub assume: Assume,
    /// Whether to compute the noise report (the AWS APIs caught beyond the rule).
    pub noise: bool,
    /// The semantic engine's budget for each question.
    pub limits: Limits,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            rule: "iam-policy-changes".to_owned(),
            version: None,
            assume: Assume::Cloudtrail,
            noise: true,
            limits: Limits::default(),
        }
    }
}

/// Why a check could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckError {
    /// The pattern is invalid.
    Pattern(syntax::Error),
    /// No rule has this id.
    UnknownRule(String),
    /// The rule has no pattern for this version.
    UnknownVersion {
        /// The rule.
        rule: String,
        /// The version asked for.
        version: String,
    },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Pattern(e) => write!(f, "{e}"),
            CheckError::UnknownRule(id) => {
                write!(f, "unknown rule '{id}'; `cwpattern rules` lists them")
            }
            CheckError::UnknownVersion { rule, version } => {
                write!(f, "rule '{rule}' has no pattern for version {version}")
            }
        }
    }
}

impl std::error::Error for CheckError {}

/// The answer of [`check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// The pattern checked, as given.
    pub pattern: String,
    /// Its canonical form.
    pub canonical: String,
    /// The rule's id.
    pub rule: String,
    /// The version of the rule's reference pattern.
    pub version: String,
    /// Which events the requirement is about.
    pub assume: Assume,
    /// Does the pattern catch every event the rule requires?
    pub compliant: bool,
    /// The pattern compared with the rule's required events, as in `diff`.
    pub relation: String,
    /// The rule's eventNames whose every required event the pattern matches.
    pub covered: Vec<String>,
    /// The rule's eventNames with a required event the pattern misses.
    pub missing: Vec<String>,
    /// Required events the pattern misses, one per missing eventName (and one in general
    /// for rules without eventNames). Each is checked with the evaluator.
    pub witnesses: Vec<Event>,
    /// Why the answer is incomplete, when the engine could not decide something.
    pub unknown: Option<String>,
    /// `required`, or `alternative` when only the rule's accepted variant is covered.
    pub accepted_by: Option<String>,
    /// The rule's reference pattern text.
    pub reference: String,
    /// What a scanner that compares text would conclude.
    pub exact_text: ExactText,
    /// Problems found in the pattern, each with a suggestion.
    pub lint: Vec<Lint>,
    /// A compliant pattern as close as possible to this one (verified), when this one is not.
    pub repair: Option<String>,
    /// The real AWS API events the pattern catches beyond the rule.
    pub noise: Option<Noise>,
}

/// The text comparison that exact-match scanners make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExactText {
    /// Byte-for-byte equal to the reference text (Security Hub, InSpec, ScoutSuite style).
    pub byte_identical: bool,
    /// Equal after normalising order, spacing, quoting and parentheses.
    pub canonically_identical: bool,
    /// A sentence on how the answers differ from the semantic one.
    pub verdict: String,
}

/// AWS API events caught beyond the rule's requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Noise {
    /// How many (eventSource, eventName) pairs the pattern matches beyond the rule.
    pub count: usize,
    /// The first few.
    pub examples: Vec<ApiEvent>,
}

/// Checks `pattern` against a rule.
///
/// ```
/// use cwpattern::rules::{check, CheckOptions};
/// let cis16 = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}";
/// let report = check(cis16, &CheckOptions::default())?;
/// assert!(!report.compliant);
/// assert_eq!(report.missing, ["SetDefaultPolicyVersion", "AddUserToGroup", "UpdateAssumeRolePolicy"]);
/// # Ok::<(), cwpattern::rules::CheckError>(())
/// ```
pub fn check(pattern: &str, options: &CheckOptions) -> Result<CheckReport, CheckError> {
    let rule = rule(&options.rule).ok_or_else(|| CheckError::UnknownRule(options.rule.clone()))?;
    let Some((required, alternative)) = rule.reference(options.version.as_deref()) else {
        return Err(CheckError::UnknownVersion {
            rule: rule.id.clone(),
            version: options.version.clone().unwrap_or_default(),
        });
    };
    let version = options
        .version
        .clone()
        .unwrap_or_else(|| required.versions.last().cloned().unwrap_or_default());
    let ast = syntax::parse(pattern).map_err(CheckError::Pattern)?;
    let mine = canon::lower(&ast);
    let reference = reference_formula(&required.pattern);
    let assumptions = match options.assume {
        Assume::Cloudtrail => cloudtrail_assumptions(),
        Assume::None => Assumptions::none(),
    };
    let req = requirement(rule, &reference, options.assume);
    let names = event_names(rule, &reference);
    let ctx = Ctx {
        assumptions: &assumptions,
        limits: &options.limits,
    };

    let mut report = CheckReport {
        pattern: pattern.to_owned(),
        canonical: mine.to_string(),
        rule: rule.id.clone(),
        version,
        assume: options.assume,
        compliant: false,
        relation: String::new(),
        covered: Vec::new(),
        missing: Vec::new(),
        witnesses: Vec::new(),
        unknown: None,
        accepted_by: None,
        reference: required.pattern.clone(),
        exact_text: ExactText {
            byte_identical: false,
            canonically_identical: false,
            verdict: String::new(),
        },
        lint: lint(pattern),
        repair: None,
        noise: None,
    };

    let mine_formula = match &mine {
        Canonical::Json(f) => Some(f),
        Canonical::All => None,
        _ => {
            report.unknown = Some(format!(
                "the pattern is not a JSON pattern; CloudTrail records are JSON, and comparing {} with the rule's JSON pattern is not decided",
                if matches!(mine, Canonical::Terms(_)) { "a term pattern" } else { "a space-delimited pattern" }
            ));
            report.relation = "unknown".to_owned();
            report.exact_text = exact_text(pattern, &mine, required, &reference, false);
            return Ok(report);
        }
    };

    // Coverage per eventName, then overall.
    for name in &names {
        let by_name = field_equals("eventName", name);
        let (missed, why) = match mine_formula {
            None => (Vec::new(), None),
            Some(p) => ctx.find(&[(&req, true), (&by_name, true), (p, false)]),
        };
        match (missed.into_iter().next(), why) {
            (Some(w), _) => {
                report.missing.push(name.clone());
                report.witnesses.push(w);
            }
            (None, Some(why)) => {
                report.unknown.get_or_insert(why);
            }
            (None, None) => report.covered.push(name.clone()),
        }
    }
    let (overall, why) = match mine_formula {
        None => (Vec::new(), None),
        Some(p) => ctx.find(&[(&req, true), (p, false)]),
    };
    if let Some(w) = overall.into_iter().next() {
        if report.witnesses.is_empty() {
            report.witnesses.push(w);
        }
    } else if let Some(why) = why {
        report.unknown.get_or_insert(why);
    } else {
        report.compliant = report.missing.is_empty();
        report.accepted_by = report.compliant.then(|| "required".to_owned());
    }
    if !report.compliant {
        if let (Some(alt), Some(p)) = (alternative, mine_formula) {
            let alt_req = requirement(rule, &reference_formula(&alt.pattern), options.assume);
            let (missed, why) = ctx.find(&[(&alt_req, true), (p, false)]);
            if missed.is_empty() && why.is_none() {
                report.compliant = true;
                report.accepted_by = Some("alternative".to_owned());
            }
        }
    }

    let req_canonical = Canonical::Json(req.clone());
    report.relation = match mine_formula {
        None => "superset".to_owned(),
        Some(_) => {
            let mut limits = options.limits;
            limits.max_witnesses = 1;
            match relate_assuming(&mine, &req_canonical, &assumptions, &limits).relation {
                Relation::Unknown(why) => {
                    report.unknown.get_or_insert(why);
                    "unknown".to_owned()
                }
                r => r.name().to_owned(),
            }
        }
    };
    report.exact_text = exact_text(pattern, &mine, required, &reference, report.compliant);
    if !report.compliant {
        if let Some(p) = mine_formula {
            report.repair = repair(p, &report.missing, &req, &required.pattern, &ctx);
        }
    }
    let (req_m, mine_m) = (Matcher::new(&req_canonical), Matcher::new(&mine));
    report.witnesses = report
        .witnesses
        .into_iter()
        .map(|w| realistic(w, &req_m, &mine_m))
        .collect();
    if options.noise && rule.event_source.is_some() {
        report.noise = Some(noise(&mine, rule, &names));
    }
    Ok(report)
}

/// The witness with plausible values for the record fields the engine left empty
/// (`eventTime`, `awsRegion`), when the evaluator confirms it still makes the point.
fn realistic(w: Event, required: &Matcher, mine: &Matcher) -> Event {
    let Event::Json(text) = &w else { return w };
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return w;
    };
    for (key, value) in [
        ("eventTime", "2026-01-01T00:00:00Z"),
        ("awsRegion", "us-east-1"),
    ] {
        if map.get(key).and_then(|v| v.as_str()) == Some("") {
            map.insert(key.to_owned(), serde_json::Value::String(value.to_owned()));
        }
    }
    let candidate = serde_json::Value::Object(map).to_string();
    match required.matches(&candidate) && !mine.matches(&candidate) {
        true => Event::Json(candidate),
        false => w,
    }
}

/// The engine's question, with the check's assumptions and budget.
struct Ctx<'a> {
    assumptions: &'a Assumptions,
    limits: &'a Limits,
}

impl Ctx<'_> {
    fn find(&self, parts: &[(&Formula<JsonAtom>, bool)]) -> (Vec<Event>, Option<String>) {
        let limits = Limits {
            max_witnesses: 1,
            ..*self.limits
        };
        find_events(parts, self.assumptions, 1, &limits)
    }
}

/// The rule's reference pattern as a formula. The catalog's patterns are JSON patterns
/// (checked by the tests); anything else would make a formula no event satisfies.
fn reference_formula(text: &str) -> Formula<JsonAtom> {
    match syntax::parse(text).map(|ast| canon::lower(&ast)) {
        Ok(Canonical::Json(f)) => f,
        _ => Formula::and(
            super::world::field("", Test::NotExists),
            [super::world::field("", Test::Eq(Operand::Any))],
        ),
    }
}

/// The events the rule requires: the reference pattern, and under the CloudTrail
/// assumption, records of the rule's service.
fn requirement(rule: &Rule, reference: &Formula<JsonAtom>, assume: Assume) -> Formula<JsonAtom> {
    match (&rule.event_source, assume) {
        (Some(source), Assume::Cloudtrail) => {
            Formula::and(reference.clone(), [field_equals("eventSource", source)])
        }
        _ => reference.clone(),
    }
}

/// The eventNames the reference pattern requires (`$.eventName = Name` atoms), in the
/// catalog's order.
fn event_names(rule: &Rule, reference: &Formula<JsonAtom>) -> Vec<String> {
    let mut in_pattern: Vec<String> = reference
        .atoms()
        .into_iter()
        .filter_map(|a| match (&a.path.0[..], &a.test) {
            ([PathStep::Key(k)], Test::Eq(Operand::Text(TextPat::Exact(name))))
                if k == "eventName" =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    in_pattern.dedup();
    let mut ordered: Vec<String> = rule
        .event_names
        .iter()
        .filter(|n| in_pattern.contains(n))
        .cloned()
        .collect();
    for n in in_pattern {
        if !ordered.contains(&n) {
            ordered.push(n);
        }
    }
    ordered
}

fn exact_text(
    pattern: &str,
    mine: &Canonical,
    required: &super::RulePattern,
    reference: &Formula<JsonAtom>,
    compliant: bool,
) -> ExactText {
    let byte_identical = pattern == required.pattern;
    let canonically_identical = *mine == Canonical::Json(reference.clone());
    let verdict = match (byte_identical, canonically_identical, compliant) {
        (true, _, _) => "identical to the reference text: exact-match scanners pass it".to_owned(),
        (false, true, _) => "the same pattern written differently: exact-match scanners (Security Hub, ScoutSuite, InSpec) fail it, scanners that normalise spacing and quoting pass it".to_owned(),
        (false, false, true) => "a different text that still catches every required event: text-comparing scanners fail it although it is compliant".to_owned(),
        (false, false, false) => "a different text, and not compliant".to_owned(),
    };
    ExactText {
        byte_identical,
        canonically_identical,
        verdict,
    }
}

/// A compliant pattern close to `mine`: the missing eventNames added where the pattern
/// lists eventNames, or next to it. Verified with the engine before it is returned.
fn repair(
    mine: &Formula<JsonAtom>,
    missing: &[String],
    req: &Formula<JsonAtom>,
    reference_text: &str,
    ctx: &Ctx<'_>,
) -> Option<String> {
    let additions: Vec<Formula<JsonAtom>> = missing
        .iter()
        .map(|n| field_equals("eventName", n))
        .collect();
    let mut candidates = Vec::new();
    if let Some((first, rest)) = additions.split_first() {
        candidates.extend(insert_names(mine, &additions));
        candidates.push(Formula::or(
            mine.clone(),
            rest.iter().cloned().chain([first.clone()]),
        ));
    }
    candidates.push(Formula::or(mine.clone(), [req.clone()]));
    // A repair must itself be a pattern AWS accepts (1024 characters at most).
    let accepted = |text: &str| syntax::parse(text).is_ok();
    let found = candidates.into_iter().find_map(|c| {
        let text = Canonical::Json(c.clone()).to_string();
        if !accepted(&text) {
            return None;
        }
        let (missed, why) = ctx.find(&[(req, true), (&c, false)]);
        (missed.is_empty() && why.is_none()).then_some(text)
    });
    // Failing that, the rule's own reference text, which is compliant by construction.
    found.or_else(|| {
        let text = reference_text.to_owned();
        let reference = reference_formula(reference_text);
        let (missed, why) = ctx.find(&[(req, true), (&reference, false)]);
        (accepted(&text) && missed.is_empty() && why.is_none()).then_some(text)
    })
}

/// `mine` with `additions` joined to the first disjunction that lists eventNames.
fn insert_names(
    mine: &Formula<JsonAtom>,
    additions: &[Formula<JsonAtom>],
) -> Option<Formula<JsonAtom>> {
    let lists_names = |ops: &[Formula<JsonAtom>]| {
        ops.iter().any(|f| matches!(f.kind(), FormulaKind::Atom(a) if a.path.0 == [PathStep::Key("eventName".into())]))
    };
    match mine.kind() {
        FormulaKind::Or(ops) if lists_names(ops) => {
            let mut all = ops.clone();
            all.extend(additions.iter().cloned());
            let first = all.remove(0);
            Some(Formula::or(first, all))
        }
        FormulaKind::And(ops) => {
            let mut done = false;
            let new_ops: Vec<Formula<JsonAtom>> = ops
                .iter()
                .map(|op| match (done, insert_names(op, additions)) {
                    (false, Some(changed)) => {
                        done = true;
                        changed
                    }
                    _ => op.clone(),
                })
                .collect();
            if !done {
                return None;
            }
            let mut it = new_ops.into_iter();
            let first = it.next()?;
            Some(Formula::and(first, it))
        }
        FormulaKind::Atom(a) if a.path.0 == [PathStep::Key("eventName".into())] => {
            Some(Formula::or(mine.clone(), additions.iter().cloned()))
        }
        _ => None,
    }
}

/// The AWS API events (from the botocore table) that the pattern matches beyond the rule:
/// an API counts when the pattern matches a minimal record of it.
fn noise(mine: &Canonical, rule: &Rule, names: &[String]) -> Noise {
    let matcher = Matcher::new(mine);
    let source = rule.event_source.as_deref().unwrap_or("");
    let mut examples = Vec::new();
    let mut count = 0;
    for api in api_events() {
        if api.event_source == source && names.contains(&api.event_name) {
            continue;
        }
        let record = serde_json::json!({
            "eventName": api.event_name,
            "eventSource": api.event_source,
            "eventTime": "2026-01-01T00:00:00Z",
            "awsRegion": "us-east-1",
        })
        .to_string();
        if matcher.matches(&record) {
            count += 1;
            if examples.len() < 5 {
                examples.push(api.clone());
            }
        }
    }
    Noise { count, examples }
}
