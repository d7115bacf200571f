//! `check`: does a pattern catch every event a rule requires?

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use super::lint::{lint_parsed, matches_generic_records, Lint, GENERIC_PAIRS};
use super::world::{
    api_index, api_records, cloudtrail_assumptions, equals_atom, field_equals, minimal_record,
    ApiEvent, RECORD_REGION, RECORD_TIME,
};
use super::{fast, quick};
use super::{rule, Rule};
use crate::canon::{
    self, Canonical, Formula, FormulaKind, JsonAtom, Operand, PathStep, Test, TextPat,
};
use crate::eval::Matcher;
use crate::fxhash::FxHashMap;
use crate::logic::hash::HashMap;
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

/// The verdict of [`Checker::verdict`]: the answer of a check without the rest of the
/// report (canonical text, exact-text comparison, lint, repair, noise). Each field is the
/// same as the [`CheckReport`] field of the same name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
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
}

impl From<CheckReport> for Verdict {
    fn from(r: CheckReport) -> Verdict {
        Verdict {
            compliant: r.compliant,
            relation: r.relation,
            covered: r.covered,
            missing: r.missing,
            witnesses: r.witnesses,
            unknown: r.unknown,
            accepted_by: r.accepted_by,
        }
    }
}

/// How much of a report [`Checker`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The fields of [`Verdict`].
    Verdict,
    /// Every field.
    Full,
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
    Checker::new(options)?.check(pattern)
}

/// A rule prepared for checking many patterns: [`check`] without re-reading the rule's
/// reference pattern for each one (batch mode, scanners).
///
/// Patterns that test only `$.eventName` and `$.eventSource`, checked under the CloudTrail
/// assumption against a rule about eventNames of one service, take an exact fast path that
/// decides coverage by evaluating the pattern on one record per required eventName (the
/// proof is in `src/rules/fast.rs`); the answers are the same as the engine's. For
/// [`Checker::verdict`], the commonest of them are read without the parser
/// (`src/rules/quick.rs`).
///
/// ```
/// use cwpattern::rules::{CheckOptions, Checker};
/// let checker = Checker::new(&CheckOptions::default())?;
/// let report = checker.check("{ $.eventName = CreatePolicy }")?;
/// assert!(!report.compliant && report.covered == ["CreatePolicy"]);
/// # Ok::<(), cwpattern::rules::CheckError>(())
/// ```
#[derive(Debug)]
pub struct Checker {
    rule: &'static Rule,
    required: &'static super::RulePattern,
    alternative: Option<&'static super::RulePattern>,
    version: String,
    assume: Assume,
    noise: bool,
    limits: Limits,
    reference: Formula<JsonAtom>,
    req: Formula<JsonAtom>,
    req_canonical: Canonical,
    /// `req` compiled, for checking witnesses.
    req_matcher: Matcher,
    /// Whether the reference pattern's text parses (a repair's last resort).
    reference_valid: bool,
    names: Vec<String>,
    /// The same, sorted (for lookups).
    sorted_names: Vec<String>,
    /// The same, placed for the quick memo's keys.
    known_names: fast::KnownNames,
    /// The place of each of `names` in `known_names` (`None` beyond its capacity).
    name_places: Vec<Option<usize>>,
    assumptions: Assumptions,
    /// The rule's eventSource when the fast path applies to the rule (see `fast.rs`).
    fast_source: Option<String>,
    /// Reports by canonical form, when memoising ([`Checker::memoised`]).
    memo: Option<Mutex<FxHashMap<Canonical, Memo>>>,
    /// Verdicts of the quick recogniser's pair formulas by their key
    /// ([`fast::QuickFormula::write_key`]), when memoising; `None` when the relation needs the
    /// engine (the pattern then goes to the parser and `memo`).
    quick_memo: Option<Mutex<QuickMemo>>,
    /// The answers of [`Checker::other_facts`] by the conditions asked about.
    other_facts: Mutex<FxHashMap<Formula<JsonAtom>, OtherAnswer>>,
    /// The same by the quick recogniser's keys of the conditions ([`fast::Other::write_key`],
    /// all of a split pattern's in written order), for [`Checker::quick_split_verdict`].
    quick_other_facts: Mutex<FxHashMap<Box<[u8]>, OtherAnswer>>,
    /// For each of `names`, its minimal record with the rule's eventSource when the
    /// requirement's matcher accepts it (else `None`): the witness for an eventName that a
    /// pair formula (alone or in a split pattern) misses. Found on first use.
    minimal_witnesses: OnceLock<Vec<Option<String>>>,
    /// The positions in the API table of the required (eventSource, eventName) pairs, for
    /// the noise report; found on first use.
    required_apis: OnceLock<Vec<usize>>,
}

/// What a report owes to the pattern's meaning alone, kept for patterns of the same
/// canonical form: the report (whose text-dependent fields are redone) and the semantic
/// lints' answers; or only the verdict's fields (`semantic_lints` is `None` then).
#[derive(Debug)]
struct Memo {
    report: CheckReport,
    semantic_lints: Option<(bool, bool)>,
}

/// Verdicts by the key of a quick-recognised formula ([`Checker::quick_verdict`]).
type QuickMemo = HashMap<Box<[u8]>, Option<Arc<Verdict>>>;

/// The most reports a memoising checker keeps.
const MEMO_CAPACITY: usize = 100_000;

/// What [`Checker::other_facts`] finds about the conditions on other fields of a split
/// pattern.
#[derive(Debug)]
struct OtherFacts {
    /// A record on which they fail, if any.
    falsifier: Option<Event>,
    /// For each of the checker's eventNames, the falsifier (a JSON object) with its pair set
    /// to that eventName and the rule's eventSource, when the requirement's matcher accepts
    /// it and the conditions' matcher rejects it (else `None`): a split pattern's witness for
    /// the eventNames its pair formulas catch. Empty without a JSON falsifier.
    falsified_records: Vec<Option<String>>,
    /// Whether they hold on some record.
    satisfiable: bool,
    /// Whether they hold on the minimal records of the API table, which all agree: the
    /// conditions read none of the four fields, and those records have no other.
    on_minimal_records: bool,
}

/// An answer of [`Checker::other_facts`] (`None`: a question was left undecided).
type OtherAnswer = Option<Arc<OtherFacts>>;

/// The most answers of [`Checker::other_facts`] a checker keeps.
const OTHER_FACTS_CAPACITY: usize = 10_000;

impl Checker {
    /// Prepares the rule and version `options` name.
    pub fn new(options: &CheckOptions) -> Result<Checker, CheckError> {
        let rule =
            rule(&options.rule).ok_or_else(|| CheckError::UnknownRule(options.rule.clone()))?;
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
        let reference = reference_formula(&required.pattern);
        let assumptions = match options.assume {
            Assume::Cloudtrail => cloudtrail_assumptions(),
            Assume::None => Assumptions::none(),
        };
        let req = requirement(rule, &reference, options.assume);
        let names = event_names(rule, &reference);
        let known_names = fast::KnownNames::new(&names);
        let name_places = names.iter().map(|name| known_names.place(name)).collect();
        let fast_source = match (&rule.event_source, options.assume) {
            (Some(source), Assume::Cloudtrail)
                if !names.is_empty()
                    && fast::is_pair_formula(&req)
                    && fast::exact_values(&req, "eventName").is_some_and(|values| {
                        values.iter().all(|v| names.iter().any(|n| n == v))
                    })
                    && names.iter().all(|n| fast::holds_at(&req, n, source)) =>
            {
                Some(source.clone())
            }
            _ => None,
        };
        Ok(Checker {
            rule,
            required,
            alternative,
            version,
            assume: options.assume,
            noise: options.noise,
            limits: options.limits,
            reference_valid: syntax::parse(&required.pattern).is_ok(),
            reference,
            req_canonical: Canonical::Json(req.clone()),
            req_matcher: Matcher::json(&req),
            req,
            name_places,
            known_names,
            sorted_names: {
                let mut sorted = names.clone();
                sorted.sort_unstable();
                sorted
            },
            names,
            assumptions,
            fast_source,
            memo: None,
            quick_memo: None,
            other_facts: Mutex::new(FxHashMap::default()),
            quick_other_facts: Mutex::new(FxHashMap::default()),
            minimal_witnesses: OnceLock::new(),
            required_apis: OnceLock::new(),
        })
    }

    /// The version of the rule's reference pattern this checker checks against.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// This checker, remembering the report of each canonical form it checks (up to 100,000
    /// of them), so that another pattern with the same canonical form (reordered, respaced,
    /// requoted) is checked by parsing it, linting its text and reusing the rest: batch mode.
    /// [`Checker::verdict`] also remembers the verdict of each formula its quick recogniser
    /// reads (up to 100,000), so that the same list of eventNames in another order, spacing
    /// or quoting is decided once.
    pub fn memoised(mut self) -> Checker {
        self.memo = Some(Mutex::new(FxHashMap::default()));
        self.quick_memo = Some(Mutex::new(HashMap::default()));
        self
    }

    /// Checks one pattern; the same answer as [`check`] with this checker's options.
    pub fn check(&self, pattern: &str) -> Result<CheckReport, CheckError> {
        self.check_with(pattern, true, Depth::Full)
    }

    /// Only the verdict of [`Checker::check`] (compliant, relation, covered, missing,
    /// witnesses): what a scanner needs for each of many patterns, decided from meaning as
    /// `check` decides it, without the lint, the repair, the noise report and the text
    /// comparisons.
    ///
    /// ```
    /// use cwpattern::rules::{CheckOptions, Checker};
    /// let checker = Checker::new(&CheckOptions::default())?;
    /// let v = checker.verdict(r#"{ $.eventName = "CreatePolicy" || $.eventName = DeletePolicy }"#)?;
    /// assert!(!v.compliant && v.covered == ["CreatePolicy", "DeletePolicy"]);
    /// assert_eq!(v.missing.len(), 17);
    /// # Ok::<(), cwpattern::rules::CheckError>(())
    /// ```
    pub fn verdict(&self, pattern: &str) -> Result<Verdict, CheckError> {
        match self.quick_verdict(pattern) {
            Some(verdict) => Ok(Arc::unwrap_or_clone(verdict)),
            None => self.verdict_parsed(pattern),
        }
    }

    /// [`Checker::verdict`], shared: a [memoised](Checker::memoised) checker hands out the
    /// verdict it remembers for a list of eventNames without copying it (batch mode).
    ///
    /// ```
    /// use cwpattern::rules::{CheckOptions, Checker};
    /// let checker = Checker::new(&CheckOptions::default())?.memoised();
    /// let a = checker.verdict_shared("{ $.eventName = CreatePolicy || $.eventName = DeletePolicy }")?;
    /// let b = checker.verdict_shared(r#"{($.eventName="DeletePolicy")||($.eventName="CreatePolicy")}"#)?;
    /// assert!(std::sync::Arc::ptr_eq(&a, &b));
    /// # Ok::<(), cwpattern::rules::CheckError>(())
    /// ```
    pub fn verdict_shared(&self, pattern: &str) -> Result<Arc<Verdict>, CheckError> {
        match self.quick_verdict(pattern) {
            Some(verdict) => Ok(verdict),
            None => self.verdict_parsed(pattern).map(Arc::new),
        }
    }

    /// [`Checker::verdict`] without the quick recogniser (`src/rules/quick.rs`): always
    /// through the parser. For comparing the two (tests, fuzzing, benchmarks).
    #[doc(hidden)]
    pub fn verdict_parsed(&self, pattern: &str) -> Result<Verdict, CheckError> {
        self.check_with(pattern, true, Depth::Verdict)
            .map(Verdict::from)
    }

    /// Whether [`Checker::verdict`] reads `pattern` with the quick recogniser: for tests,
    /// fuzzing and benchmarks. (A pattern with conditions on other fields is read, but its
    /// verdict comes, when the checker memoises, once per formula: from the list of
    /// eventNames and the conditions for a split pattern, from the parser for another.)
    #[doc(hidden)]
    pub fn takes_quick_path(&self, pattern: &str) -> bool {
        self.quick_source().is_some() && quick::recognise(pattern).is_some()
    }

    /// [`Checker::check`] always through the general engine, never the fast path: for
    /// comparing the two (tests, benchmarks).
    #[doc(hidden)]
    pub fn check_general(&self, pattern: &str) -> Result<CheckReport, CheckError> {
        self.check_with(pattern, false, Depth::Full)
    }

    /// [`Checker::verdict`] always through the general engine: for tests.
    #[doc(hidden)]
    pub fn verdict_general(&self, pattern: &str) -> Result<Verdict, CheckError> {
        self.check_with(pattern, false, Depth::Verdict)
            .map(Verdict::from)
    }

    /// Whether `pattern` (valid) takes the fast path: for tests and benchmarks.
    #[doc(hidden)]
    pub fn takes_fast_path(&self, pattern: &str) -> bool {
        self.json_formula(pattern)
            .is_some_and(|f| fast::is_pair_formula(&f))
    }

    /// Whether `pattern` (valid) is a split pattern, a pair formula and conditions on other
    /// fields, that this checker decides with two engine questions (`fast.rs`): for tests.
    #[doc(hidden)]
    pub fn takes_split_path(&self, pattern: &str) -> bool {
        self.json_formula(pattern)
            .is_some_and(|f| fast::split(&f).is_some())
    }

    /// The formula of `pattern` when it is a JSON pattern and this checker has fast paths.
    fn json_formula(&self, pattern: &str) -> Option<Formula<JsonAtom>> {
        match syntax::parse(pattern).map(|ast| canon::lower(&ast)) {
            Ok(Canonical::Json(f)) if self.fast_source.is_some() => Some(f),
            _ => None,
        }
    }

    fn check_with(
        &self,
        pattern: &str,
        allow_fast: bool,
        depth: Depth,
    ) -> Result<CheckReport, CheckError> {
        self.check_with_path(pattern, allow_fast, depth)
            .map(|(report, _)| report)
    }

    /// The verdict of `pattern` through the parser, and whether it was decided as a split
    /// pattern ([`Checker::split_verdict`]; false when it came from the memo).
    fn verdict_split(&self, pattern: &str) -> Result<(Verdict, bool), CheckError> {
        self.check_with_path(pattern, true, Depth::Verdict)
            .map(|(report, split)| (Verdict::from(report), split))
    }

    /// [`Checker::check_with`], and whether the split path decided the verdict
    /// ([`Checker::split_verdict`]).
    fn check_with_path(
        &self,
        pattern: &str,
        allow_fast: bool,
        depth: Depth,
    ) -> Result<(CheckReport, bool), CheckError> {
        let ast = syntax::parse(pattern).map_err(CheckError::Pattern)?;
        let mine = canon::lower(&ast);
        let required = self.required;
        if let Some(memo) = &self.memo {
            let memo = memo.lock().unwrap_or_else(|e| e.into_inner());
            match (memo.get(&mine), depth) {
                (Some(m), Depth::Verdict) => {
                    let report = CheckReport {
                        pattern: pattern.to_owned(),
                        ..m.report.clone()
                    };
                    return Ok((report, false));
                }
                (
                    Some(
                        m @ Memo {
                            semantic_lints: Some(semantic),
                            ..
                        },
                    ),
                    Depth::Full,
                ) => {
                    let canonically_identical = m.report.exact_text.canonically_identical;
                    let mut again = CheckReport {
                        pattern: pattern.to_owned(),
                        lint: lint_parsed(&ast, &mine, Vec::new(), |_| *semantic),
                        ..m.report.clone()
                    };
                    let byte_identical = pattern == required.pattern;
                    again.exact_text = ExactText {
                        byte_identical,
                        canonically_identical,
                        verdict: verdict(byte_identical, canonically_identical, again.compliant),
                    };
                    return Ok((again, false));
                }
                _ => {}
            }
        }
        let mut report = CheckReport {
            pattern: pattern.to_owned(),
            canonical: match (depth, &mine) {
                (Depth::Full, Canonical::Json(f)) => canon::json_text(f),
                (Depth::Full, _) => mine.to_string(),
                (Depth::Verdict, _) => String::new(),
            },
            rule: self.rule.id.clone(),
            version: self.version.clone(),
            assume: self.assume,
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
            lint: Vec::new(),
            repair: None,
            noise: None,
        };
        let fast = match (&mine, &self.fast_source) {
            (Canonical::Json(p), Some(source)) if allow_fast && fast::is_pair_formula(p) => {
                Some((p, source.as_str()))
            }
            _ => None,
        };
        let mut split = false;
        let semantic_lints = match fast {
            Some((p, source)) => self.fast_report(p, source, &mine, &ast, depth, &mut report),
            None => {
                let facts = match (&mine, &self.fast_source) {
                    (Canonical::Json(p), Some(source)) if allow_fast => fast::split(p)
                        .and_then(|split| self.split_verdict(p, &split, source, &mut report)),
                    _ => None,
                };
                split = facts.is_some();
                let answers = (depth == Depth::Full).then(|| {
                    let mut answers = (false, false);
                    report.lint = lint_parsed(&ast, &mine, Vec::new(), |c| {
                        // A split pattern that matches some record is not empty.
                        let nonempty = facts.as_ref().is_some_and(|f| f.nonempty);
                        let empty = !nonempty && crate::logic::is_empty(c) == Some(true);
                        answers = (empty, !empty && matches_generic_records(c));
                        answers
                    });
                    answers
                });
                self.general_report(pattern, &mine, depth, facts.as_ref(), &mut report);
                answers
            }
        };
        if let Some(memo) = &self.memo {
            let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
            if memo.len() < MEMO_CAPACITY {
                let kept = Memo {
                    report: report.clone(),
                    semantic_lints,
                };
                memo.insert(mine, kept);
            }
        }
        Ok((report, split))
    }

    /// The report of a pair formula (see `fast.rs`): the same fields, in the same order, as
    /// [`Checker::general_report`] computes them.
    fn fast_report(
        &self,
        p: &Formula<JsonAtom>,
        source: &str,
        mine: &Canonical,
        ast: &syntax::ast::Pattern,
        depth: Depth,
        report: &mut CheckReport,
    ) -> Option<(bool, bool)> {
        let eval = fast::PairEval::new(p);
        let (verdict, relation) = self.pair_verdict(&eval, source);
        (report.covered, report.missing, report.witnesses) =
            (verdict.covered, verdict.missing, verdict.witnesses);
        (report.compliant, report.accepted_by) = (verdict.compliant, verdict.accepted_by);
        let ctx = self.ctx();
        if !report.compliant {
            self.accept_alternative(p, &ctx, report);
        }
        report.relation = match relation {
            Some(relation) => relation,
            None => self.relation(mine, report),
        };
        if depth == Depth::Verdict {
            return None;
        }
        let mut semantic_lints = (false, false);
        report.lint = lint_parsed(ast, mine, Vec::new(), |c| {
            // A record the pattern matches proves it is not empty; only the engine proves
            // that it is.
            let nonempty = !report.covered.is_empty() || fast::some_match(&eval);
            let empty = !nonempty && crate::logic::is_empty(c) == Some(true);
            let generic = GENERIC_PAIRS
                .iter()
                .all(|(name, source)| eval.holds(name, source));
            semantic_lints = (empty, !empty && generic);
            semantic_lints
        });
        report.exact_text = exact_text(
            &report.pattern,
            mine,
            self.required,
            &self.reference,
            report.compliant,
        );
        if !report.compliant {
            report.repair = self.repair(p, &report.missing, None, &ctx);
        }
        if self.noise && self.rule.event_source.is_some() {
            report.noise = Some(self.noise(mine, Some(&eval)));
        }
        Some(semantic_lints)
    }

    /// The verdict of a pair formula (see `fast.rs`) before the rule's alternative is
    /// considered, and its relation when decided without the engine (`None`: ask it).
    fn pair_verdict(&self, eval: &fast::PairEval<'_>, source: &str) -> (Verdict, Option<String>) {
        let mut covered = Vec::with_capacity(self.names.len());
        let (mut missing, mut witnesses) = (Vec::new(), Vec::new());
        let minimal = self.minimal_witnesses(source);
        // For the commonest formula, `eventName ∈ V`: the known names of `V` (one lookup
        // per value of `V`; a search of `V` per required name cost five times as much).
        let listed = eval.listed_places(&self.known_names);
        for (i, name) in self.names.iter().enumerate() {
            let holds = match (&listed, self.name_places[i]) {
                (Some(listed), Some(place)) => listed.has(place),
                _ => eval.holds(name, source),
            };
            if holds {
                covered.push(name.clone());
            } else {
                missing.push(name.clone());
                // The minimal records, made once per checker.
                witnesses.push(match minimal.get(i) {
                    Some(Some(record)) => Event::Json(record.clone()),
                    _ => fast_witness(name, source),
                });
            }
        }
        // A pair formula matches required events exactly when it covers some name.
        let relation = fast::matches_outside(eval, &self.sorted_names, source)
            .map(|outside| relation_name(outside, missing.is_empty(), !covered.is_empty()));
        let compliant = missing.is_empty();
        let verdict = Verdict {
            compliant,
            relation: String::new(),
            covered,
            missing,
            witnesses,
            unknown: None,
            accepted_by: compliant.then(|| "required".to_owned()),
        };
        (verdict, relation)
    }

    /// The verdict of a pattern the quick recogniser reads (`quick.rs`), when this checker
    /// has the fast path and the rule no alternative; `None` sends the pattern to the parser.
    fn quick_verdict(&self, pattern: &str) -> Option<Arc<Verdict>> {
        let source = self.quick_source()?;
        self.decide_quick(quick::recognise(pattern)?, source, || {
            Some(Cow::Borrowed(pattern))
        })
    }

    /// The eventSource of the quick recogniser's pair formulas, when this checker has the
    /// fast path and the rule no alternative (else the recogniser is not used).
    fn quick_source(&self) -> Option<&str> {
        match self.alternative {
            Some(_) => None,
            None => self.fast_source.as_deref(),
        }
    }

    /// [`Checker::verdict_shared`] of the pattern a JSON string holds, when the quick
    /// recogniser reads it from the string's JSON text as it is: `after_quote` is a line
    /// after the string's opening quote, and the line must end with the string (and JSON
    /// whitespace). Gives the verdict and the length of the string's text between its
    /// quotes, which is the text `serde_json` writes for the pattern. `None` for any other
    /// line: decode the string and call [`Checker::verdict_shared`]. For `check --batch`,
    /// whose input lines are mostly such strings: it saves decoding them.
    #[doc(hidden)]
    pub fn quick_verdict_in_json(&self, after_quote: &str) -> Option<(Arc<Verdict>, usize)> {
        let source = self.quick_source()?;
        let (eval, len) =
            quick::names_in_json(after_quote).or_else(|| quick::recognise_in_json(after_quote))?;
        let decoded = || {
            let json = after_quote.get(..len)?;
            serde_json::from_str::<String>(&format!("\"{json}\""))
                .ok()
                .map(Cow::Owned)
        };
        Some((self.decide_quick(eval, source, decoded)?, len))
    }

    /// The verdict of a formula the quick recogniser built, remembered when memoising. A
    /// pair formula's is decided here; one with conditions on other fields
    /// ([`fast::Node::Other`]) is only looked up in the memo, and on a miss decided as a
    /// split pattern without the parser ([`Checker::quick_split_verdict`]) or else through
    /// the parser from the `pattern` text, and remembered when valid. (Without a memo, such
    /// a formula gets `None`: the caller parses the pattern.) A memoising checker looks a
    /// formula up by its key, then by its verdict key ([`Checker::decide_shared`]).
    fn decide_quick<'p>(
        &self,
        read: fast::QuickFormula<'_>,
        source: &str,
        pattern: impl FnOnce() -> Option<Cow<'p, str>>,
    ) -> Option<Arc<Verdict>> {
        let pair = read.is_pair();
        // A pair formula's verdict here; another's as a split pattern or through the
        // parser, with whether it was decided as a split pattern.
        let decide = |read: fast::QuickFormula<'_>| match pair {
            true => {
                let (mut verdict, relation) = self.pair_verdict(&read.into_eval(), source);
                verdict.relation = relation?;
                Some((Arc::new(verdict), true))
            }
            false => match self.quick_split_verdict(&read, source) {
                Some(verdict) => Some((Arc::new(verdict), true)),
                None => self
                    .verdict_split(&pattern()?)
                    .ok()
                    .map(|(verdict, split)| (Arc::new(verdict), split)),
            },
        };
        let Some(memo) = &self.quick_memo else {
            return match pair {
                true => decide(read).map(|(verdict, _)| verdict),
                false => None,
            };
        };
        thread_local! {
            /// A buffer for memo keys, kept from pattern to pattern: a key is copied only
            /// into the memo.
            static KEY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        // Taken out while in use (`decide` may come back here through another checker).
        let mut key = KEY.with(|k| std::mem::take(&mut *k.borrow_mut()));
        key.clear();
        let lock = || memo.lock().unwrap_or_else(|e| e.into_inner());
        let verdict = match read.write_key(&mut key, &self.known_names) {
            false => decide(read).map(|(verdict, _)| verdict),
            true => match Self::lookup(&lock, &key) {
                Some(known) => known,
                None => {
                    let verdict = self.decide_shared(read, source, &lock, decide);
                    // A formula with other conditions is remembered only with a verdict:
                    // `None` may be an error that the parser is to report.
                    if pair || verdict.is_some() {
                        Self::remember(&lock, key.as_slice().into(), verdict.clone());
                    }
                    verdict
                }
            },
        };
        KEY.with(|k| *k.borrow_mut() = key);
        verdict
    }

    /// The verdict of a formula the memo does not know by its key: that of a formula with
    /// the same verdict key ([`fast::QuickFormula::write_verdict_key`]: `b'V'` and the key,
    /// which no formula's key starts with), or `decide`'s, remembered under the verdict key
    /// when `decide` says it may be shared (a pair formula's, or one decided as a split
    /// pattern).
    fn decide_shared<'m>(
        &self,
        read: fast::QuickFormula<'_>,
        source: &str,
        lock: &impl Fn() -> std::sync::MutexGuard<'m, QuickMemo>,
        decide: impl FnOnce(fast::QuickFormula<'_>) -> Option<(Arc<Verdict>, bool)>,
    ) -> Option<Arc<Verdict>> {
        let mut shared = vec![b'V'];
        if !read.write_verdict_key(&mut shared, &self.known_names, source) {
            return decide(read).map(|(verdict, _)| verdict);
        }
        if let Some(known) = Self::lookup(lock, &shared) {
            return known;
        }
        let (verdict, share) = decide(read).unzip();
        if share == Some(true) {
            Self::remember(lock, shared.into(), verdict.clone());
        }
        verdict
    }

    /// Remembers `verdict` under `key` in the quick memo (`lock`ed), unless it is full.
    fn remember<'m>(
        lock: &impl Fn() -> std::sync::MutexGuard<'m, QuickMemo>,
        key: Box<[u8]>,
        verdict: Option<Arc<Verdict>>,
    ) {
        let mut memo = lock();
        if memo.len() < MEMO_CAPACITY {
            memo.insert(key, verdict);
        }
    }

    /// What the quick memo (`lock`ed) knows for `key`, its lock released (the guard of a
    /// `match`'s scrutinee would live through the arms, which lock it again).
    fn lookup<'m>(
        lock: &impl Fn() -> std::sync::MutexGuard<'m, QuickMemo>,
        key: &[u8],
    ) -> Option<Option<Arc<Verdict>>> {
        let memo = lock();
        memo.get(key).cloned()
    }

    /// The report through the engine, for any pattern. With `split` facts, the verdict's
    /// fields are already filled (by [`Checker::split_verdict`]) and only the rest is
    /// computed.
    fn general_report(
        &self,
        pattern: &str,
        mine: &Canonical,
        depth: Depth,
        split: Option<&SplitFacts>,
        report: &mut CheckReport,
    ) {
        let required = self.required;
        let req = &self.req;
        let ctx = self.ctx();
        if split.is_some() {
            if let (Canonical::Json(p), Depth::Full) = (mine, depth) {
                self.general_rest(pattern, p, mine, split, report);
            }
            return;
        }
        let mine_formula = match mine {
            Canonical::Json(f) => Some(f),
            Canonical::All => None,
            _ => {
                report.unknown = Some(format!(
                    "the pattern is not a JSON pattern; CloudTrail records are JSON, and comparing {} with the rule's JSON pattern is not decided",
                    if matches!(mine, Canonical::Terms(_)) { "a term pattern" } else { "a space-delimited pattern" }
                ));
                report.relation = "unknown".to_owned();
                report.exact_text = exact_text(pattern, mine, required, &self.reference, false);
                return;
            }
        };

        // Coverage per eventName, then overall.
        for name in &self.names {
            let by_name = field_equals("eventName", name);
            let (missed, why) = match mine_formula {
                None => (Vec::new(), None),
                Some(p) => ctx.find(&[(req, true), (&by_name, true), (p, false)]),
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
            Some(p) => ctx.find(&[(req, true), (p, false)]),
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
            if let Some(p) = mine_formula {
                self.accept_alternative(p, &ctx, report);
            }
        }

        report.relation = match mine_formula {
            None => "superset".to_owned(),
            Some(_) => self.relation(mine, report),
        };
        if !report.witnesses.is_empty() {
            let mine_m = Matcher::new(mine);
            report.witnesses = std::mem::take(&mut report.witnesses)
                .into_iter()
                .map(|w| realistic(w, &self.req_matcher, &mine_m))
                .collect();
        }
        match (depth, mine_formula) {
            (Depth::Full, Some(p)) => self.general_rest(pattern, p, mine, None, report),
            (Depth::Full, None) => {
                report.exact_text =
                    exact_text(pattern, mine, required, &self.reference, report.compliant);
                if self.noise && self.rule.event_source.is_some() {
                    report.noise = Some(self.noise(mine, None));
                }
            }
            (Depth::Verdict, _) => {}
        }
    }

    /// The fields of a full report beyond the verdict, through the engine: the exact-text
    /// comparison, the repair and the noise report of the JSON pattern `p` (`mine`). A
    /// repair candidate is verified without the engine when it is a pair formula, a split
    /// pattern with `split`'s conditions on other fields, or a disjunction whose pair
    /// formulas alone catch every required eventName ([`Checker::covers_quickly`]).
    fn general_rest(
        &self,
        pattern: &str,
        p: &Formula<JsonAtom>,
        mine: &Canonical,
        split: Option<&SplitFacts>,
        report: &mut CheckReport,
    ) {
        let (required, ctx) = (self.required, self.ctx());
        report.exact_text = exact_text(pattern, mine, required, &self.reference, report.compliant);
        if !report.compliant {
            report.repair = self.repair(p, &report.missing, split, &ctx);
        }
        if self.noise && self.rule.event_source.is_some() {
            report.noise = Some(match split {
                Some(facts) => self.split_noise(mine, facts),
                None => self.noise(mine, None),
            });
        }
    }

    /// The repair of the JSON pattern `p`, which misses the eventNames `missing`: the first
    /// of [`repair`]'s candidates that catches every required event, or failing that the
    /// rule's reference text (compliant by construction), when it parses. Each is verified
    /// with [`Checker::covers_quickly`] where it applies (`split`: what the split path learnt
    /// about `p`), else with the engine.
    fn repair(
        &self,
        p: &Formula<JsonAtom>,
        missing: &[String],
        split: Option<&SplitFacts>,
        ctx: &Ctx<'_>,
    ) -> Option<String> {
        let covers = |c: &Formula<JsonAtom>| {
            self.covers_quickly(c, split)
                .unwrap_or_else(|| ctx.covers(&self.req, c))
        };
        // The candidates made from a pair formula are pair formulas (the requirement is one
        // when the checker has the fast path): they are verified as `covers_quickly`
        // verifies one, by evaluation at the required pairs, on their borrowed atoms. Any
        // other candidate is copied for `covers_quickly` or the engine.
        let pair_source = self
            .fast_source
            .as_deref()
            .filter(|_| fast::is_pair_formula(p));
        let found = repair(p, missing, &self.req, |c| match pair_source {
            Some(source) => {
                let eval = fast::PairEval::new(c);
                self.names.iter().all(|n| eval.holds(n, source))
            }
            None => covers(&c.cloned()),
        });
        found.or_else(|| {
            let reference = &self.required.pattern;
            (self.reference_valid && covers(&self.reference)).then(|| reference.clone())
        })
    }

    /// Does `c` catch every required event, decided without the engine where `fast.rs`'s
    /// arguments apply: a pair formula holds at each required pair; a split pattern whose
    /// conditions on other fields are `split`'s (known valid or not) does when its pair part
    /// holds at each and they are valid; a disjunction does when each required pair has a
    /// pair-formula disjunct holding at it (sufficient). `None`: ask the engine.
    fn covers_quickly(&self, c: &Formula<JsonAtom>, split: Option<&SplitFacts>) -> Option<bool> {
        let source = self.fast_source.as_deref()?;
        let all_names = |f: &Formula<JsonAtom>| {
            let eval = fast::PairEval::new(f);
            self.names.iter().all(|n| eval.holds(n, source))
        };
        if fast::is_pair_formula(c) {
            return Some(all_names(c));
        }
        if let (Some(facts), Some(parts)) = (split, fast::split(c)) {
            let same_other = match &parts.other[..] {
                [one] => **one == facts.other,
                _ => matches!(facts.other.kind(), FormulaKind::And(ops)
                    if ops.iter().eq(parts.other.iter().copied())),
            };
            if same_other {
                return Some(facts.other_valid && parts.pair.iter().all(|f| all_names(f)));
            }
        }
        if let FormulaKind::Or(ops) = c.kind() {
            let pairs: Vec<&Formula<JsonAtom>> =
                ops.iter().filter(|op| fast::is_pair_formula(op)).collect();
            let each = self
                .names
                .iter()
                .all(|n| pairs.iter().any(|f| fast::holds_at(f, n, source)));
            if each {
                return Some(true);
            }
        }
        None
    }

    /// The verdict of a split pattern `p` (see `fast.rs`): covered, missing, witnesses,
    /// compliant, accepted_by and relation, with two engine questions about the conditions on
    /// other fields, and what they showed. `None` (and the report untouched) when the engine
    /// leaves one undecided or a witness fails the evaluator's check: the caller falls back
    /// to the engine.
    fn split_verdict(
        &self,
        p: &Formula<JsonAtom>,
        split: &fast::Split<'_>,
        source: &str,
        report: &mut CheckReport,
    ) -> Option<SplitFacts> {
        let ctx = self.ctx();
        let conj = |parts: &[&Formula<JsonAtom>]| {
            let (first, rest) = parts.split_first()?;
            Some(Formula::and(
                (*first).clone(),
                rest.iter().map(|f| (*f).clone()),
            ))
        };
        let (a, q) = (conj(&split.pair)?, conj(&split.other)?);
        let facts = self.other_facts(&q, source, &ctx)?;
        let eval = fast::PairEval::new(&a);
        let mine_m = Matcher::json(p);
        // A few events each: parsing them beats building the matcher's prefilter.
        let fields = self.split_fields(&eval, &facts, source, |w| !mine_m.matches_parsed(w))?;
        report.relation = fields.relation;
        report.compliant = fields.missing.is_empty();
        report.accepted_by = report.compliant.then(|| "required".to_owned());
        (report.covered, report.missing, report.witnesses) =
            (fields.covered, fields.missing, fields.witnesses);
        if !report.compliant {
            self.accept_alternative(p, &ctx, report);
        }
        Some(SplitFacts {
            pair: a,
            other: q,
            other_valid: facts.falsifier.is_none(),
            other_on_minimal_records: facts.on_minimal_records,
            nonempty: fields.nonempty,
        })
    }

    /// What the split pattern `A ∧ Q` (see `fast.rs`) covers and misses, the witnesses and
    /// its relation: `eval` is `A`, `facts` what [`Checker::other_facts`] found about `Q`,
    /// and `rejected` tells whether the pattern rejects a witness, asked of each before it
    /// is given. `None` when a witness is missing (the requirement's matcher rejected it) or
    /// not rejected, or [`fast::matches_outside`] cannot decide `A`.
    fn split_fields(
        &self,
        eval: &fast::PairEval<'_>,
        facts: &OtherFacts,
        source: &str,
        rejected: impl Fn(&str) -> bool,
    ) -> Option<SplitFields> {
        let (mut covered, mut missing, mut witnesses) = (Vec::new(), Vec::new(), Vec::new());
        let minimal_witnesses = self.minimal_witnesses(source);
        for (i, name) in self.names.iter().enumerate() {
            // Each witness has been checked with the requirement's matcher (`None`: it
            // failed); the pattern's must reject it.
            let witness = match (eval.holds(name, source), &facts.falsifier) {
                (true, None) => {
                    covered.push(name.clone());
                    continue;
                }
                (false, _) => minimal_witnesses.get(i)?.as_deref()?,
                (true, Some(_)) => facts.falsified_records.get(i)?.as_deref()?,
            };
            if !rejected(witness) {
                return None;
            }
            missing.push(name.clone());
            witnesses.push(Event::Json(witness.to_owned()));
        }
        let inside = facts.satisfiable && self.names.iter().any(|n| eval.holds(n, source));
        let outside = facts.satisfiable && fast::matches_outside(eval, &self.sorted_names, source)?;
        Some(SplitFields {
            relation: relation_name(outside, missing.is_empty(), inside),
            covered,
            missing,
            witnesses,
            nonempty: inside || outside,
        })
    }

    /// The verdict of a split pattern that the quick recogniser read, `eventName ∈ V ∧ Q`
    /// (the third shape of [`fast::QuickFormula::write_verdict_key`]), without parsing it:
    /// `V` as read, and what [`Checker::other_facts`] found about `Q`, whose conditions are
    /// parsed alone once per batch ([`Checker::quick_other_facts`]). The same fields as
    /// [`Checker::split_verdict`] gives after parsing the pattern, and the same witnesses,
    /// rejected by the pattern: the minimal record of a name not in `V` by `eventName ∈ V`
    /// (decided as the fast path decides pair formulas), a record on which `Q` fails by `Q`
    /// (checked by the evaluator when it was found). `None` for another formula, a rule
    /// with an alternative, or when `split_fields` gives up: the caller parses the pattern.
    fn quick_split_verdict(&self, read: &fast::QuickFormula<'_>, source: &str) -> Option<Verdict> {
        if self.alternative.is_some() {
            return None;
        }
        let (values, others) = read.split_parts()?;
        let facts = self.quick_other_facts(&others, source)?;
        let fields = self.split_fields(&fast::PairEval::names(values), &facts, source, |_| true)?;
        let compliant = fields.missing.is_empty();
        Some(Verdict {
            compliant,
            relation: fields.relation,
            covered: fields.covered,
            missing: fields.missing,
            witnesses: fields.witnesses,
            unknown: None,
            accepted_by: compliant.then(|| "required".to_owned()),
        })
    }

    /// [`Checker::other_facts`] of the conjunction of `others` (a split pattern's `Q` as
    /// the quick recogniser read it), by their keys: their text is parsed once. `None` when
    /// the parser rejects their text or the engine leaves a question undecided.
    fn quick_other_facts(
        &self,
        others: &[&fast::Other<'_>],
        source: &str,
    ) -> Option<Arc<OtherFacts>> {
        let mut key = Vec::new();
        others.iter().for_each(|other| other.write_key(&mut key));
        let lock = || {
            self.quick_other_facts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
        };
        if let Some(answer) = lock().get(key.as_slice()) {
            return answer.clone();
        }
        let answer = others_formula(others).and_then(|q| self.other_facts(&q, source, &self.ctx()));
        let mut facts = lock();
        if facts.len() < OTHER_FACTS_CAPACITY {
            facts.insert(key.into(), answer.clone());
        }
        answer
    }

    /// For the conditions on other fields `q` of a split pattern: a record on which `q`
    /// fails, if there is one, and whether `q` holds on some record — two engine questions —
    /// with what follows for the eventNames and the rule's eventSource `source`
    /// ([`OtherFacts`]), found once per `q` (the same few conditions recur across a batch).
    /// `None` when the engine leaves a question undecided.
    fn other_facts(
        &self,
        q: &Formula<JsonAtom>,
        source: &str,
        ctx: &Ctx<'_>,
    ) -> Option<Arc<OtherFacts>> {
        let lock = || self.other_facts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(answer) = lock().get(q) {
            return answer.clone();
        }
        let answer = self.ask_other_facts(q, source, ctx).map(Arc::new);
        let mut facts = lock();
        if facts.len() < OTHER_FACTS_CAPACITY {
            facts.insert(q.clone(), answer.clone());
        }
        answer
    }

    /// [`Checker::other_facts`] from the engine: a record on which `q` fails, if any, and
    /// whether `q` holds on some record; `None` when a question is left undecided. With them,
    /// what follows for the eventNames and the rule's eventSource `source`.
    fn ask_other_facts(
        &self,
        q: &Formula<JsonAtom>,
        source: &str,
        ctx: &Ctx<'_>,
    ) -> Option<OtherFacts> {
        let falsifier = match ctx.find(&[(q, false)]) {
            (found, None) => found.into_iter().next(),
            (_, Some(_)) => return None,
        };
        let satisfiable = match (&falsifier, ctx.find(&[(q, true)])) {
            (None, _) => true,
            (Some(_), (found, None)) => !found.is_empty(),
            (Some(_), (_, Some(_))) => return None,
        };
        let q_matcher = Matcher::json(q);
        let falsified_records = match &falsifier {
            Some(Event::Json(w)) => match json_object(w) {
                Some(mut record) => self
                    .names
                    .iter()
                    .map(|name| {
                        self.required_record(with_pair(&mut record, name, source))
                            .filter(|record| !q_matcher.matches_parsed(record))
                    })
                    .collect(),
                None => vec![None; self.names.len()],
            },
            _ => Vec::new(),
        };
        // Any minimal record will do (see `OtherFacts::on_minimal_records`).
        let on_minimal_records = q_matcher.matches_parsed(&minimal_record("", ""));
        Some(OtherFacts {
            falsifier,
            falsified_records,
            satisfiable,
            on_minimal_records,
        })
    }

    /// [`Checker::minimal_witnesses`], found on first use (`source`: the eventSource of the
    /// fast path, the same at every call).
    fn minimal_witnesses(&self, source: &str) -> &[Option<String>] {
        self.minimal_witnesses.get_or_init(|| {
            self.names
                .iter()
                .map(|name| self.required_record(minimal_record(name, source)))
                .collect()
        })
    }

    /// `record` when the requirement's matcher accepts it (one event: parsed, without the
    /// prefilter).
    fn required_record(&self, record: String) -> Option<String> {
        self.req_matcher.matches_parsed(&record).then_some(record)
    }

    /// The noise report of `mine` (`pair`: its pair formula, evaluated, on the fast path).
    fn noise(&self, mine: &Canonical, pair: Option<&fast::PairEval<'_>>) -> Noise {
        let required = self.required_apis.get_or_init(|| {
            let source = self.rule.event_source.as_deref().unwrap_or("");
            api_index().positions(source, &self.names)
        });
        noise(mine, pair, required)
    }

    /// The noise report of the split pattern `mine`, without evaluating records: on a
    /// minimal record, its conditions on other fields have the same truth for every API,
    /// and its pair formulas are decided by the pair (`fast.rs`).
    fn split_noise(&self, mine: &Canonical, facts: &SplitFacts) -> Noise {
        if !facts.other_on_minimal_records {
            return Noise {
                count: 0,
                examples: Vec::new(),
            };
        }
        self.noise(mine, Some(&fast::PairEval::new(&facts.pair)))
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            assumptions: &self.assumptions,
            limits: &self.limits,
        }
    }

    /// Marks the report compliant when the pattern covers the rule's accepted alternative.
    fn accept_alternative(&self, p: &Formula<JsonAtom>, ctx: &Ctx<'_>, report: &mut CheckReport) {
        if let Some(alt) = self.alternative {
            let alt_req = requirement(self.rule, &reference_formula(&alt.pattern), self.assume);
            let (missed, why) = ctx.find(&[(&alt_req, true), (p, false)]);
            if missed.is_empty() && why.is_none() {
                report.compliant = true;
                report.accepted_by = Some("alternative".to_owned());
            }
        }
    }

    /// The pattern's relation to the required events, through the engine.
    fn relation(&self, mine: &Canonical, report: &mut CheckReport) -> String {
        let mut limits = self.limits;
        limits.max_witnesses = 1;
        match relate_assuming(mine, &self.req_canonical, &self.assumptions, &limits).relation {
            Relation::Unknown(why) => {
                report.unknown.get_or_insert(why);
                "unknown".to_owned()
            }
            r => r.name().to_owned(),
        }
    }
}

/// The witness the engine gives, made realistic, for a required eventName that a pair
/// formula misses: the minimal record of that eventName and source.
fn fast_witness(name: &str, source: &str) -> Event {
    Event::Json(minimal_record(name, source))
}

/// The relation of a pattern to the required events, from whether it matches some event
/// outside them, all of them, and some of them.
fn relation_name(outside: bool, all_required: bool, some_required: bool) -> String {
    match (outside, all_required) {
        (false, true) => "equivalent",
        (false, false) => "subset",
        (true, true) => "superset",
        (true, false) if some_required => "overlap",
        (true, false) => "disjoint",
    }
    .to_owned()
}

/// What [`Checker::split_fields`] finds for a split pattern: the fields of its verdict
/// (as in [`Verdict`]).
struct SplitFields {
    covered: Vec<String>,
    missing: Vec<String>,
    witnesses: Vec<Event>,
    relation: String,
    /// Whether the pattern matches some record.
    nonempty: bool,
}

/// The conjunction of the conditions `others` (as the quick recogniser read them), through
/// the parser and the lowering: `None` when the parser rejects their text (`{ C && … }`) or
/// the conjunction reads one of the record fields (the quick recogniser's conditions never
/// do).
fn others_formula(others: &[&fast::Other<'_>]) -> Option<Formula<JsonAtom>> {
    let mut text = String::from("{ ");
    for (i, other) in others.iter().enumerate() {
        if i > 0 {
            text.push_str(" && ");
        }
        other.write_text(&mut text);
    }
    text.push_str(" }");
    match canon::lower(&syntax::parse(&text).ok()?) {
        Canonical::Json(q) if fast::off_record(&q) => Some(q),
        _ => None,
    }
}

/// What [`Checker::split_verdict`] learnt about a split pattern, for the rest of the report.
struct SplitFacts {
    /// The conjunction of its pair formulas.
    pair: Formula<JsonAtom>,
    /// The conjunction of its conditions on other fields.
    other: Formula<JsonAtom>,
    /// Whether every record satisfies them.
    other_valid: bool,
    /// Whether the minimal records of the API table satisfy them ([`OtherFacts`]).
    other_on_minimal_records: bool,
    /// Whether the pattern matches some record.
    nonempty: bool,
}

/// The members of a JSON record, by key.
type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The members of the JSON object `w`; `None` when `w` is not a JSON object.
fn json_object(w: &str) -> Option<JsonObject> {
    match serde_json::from_str(w).ok()? {
        serde_json::Value::Object(members) => Some(members),
        _ => None,
    }
}

/// The text of the JSON record `record` with its eventName and eventSource set to `name`
/// and `source` and its eventTime and awsRegion to the values of the minimal records (set
/// in `record` too, for the next pair).
fn with_pair(record: &mut JsonObject, name: &str, source: &str) -> String {
    let fields = [
        ("eventName", name),
        ("eventSource", source),
        ("eventTime", RECORD_TIME),
        ("awsRegion", RECORD_REGION),
    ];
    set_fields(record, &fields, false);
    object_text(record)
}

/// The JSON record `w` (an object) with `fields` set: all of them, or (`only_empty`) those
/// whose value is the empty string. `None` when `w` is not a JSON object.
fn with_fields(w: &str, fields: &[(&str, &str)], only_empty: bool) -> Option<String> {
    let mut record = json_object(w)?;
    set_fields(&mut record, fields, only_empty);
    Some(object_text(&record))
}

/// Sets `fields` in `record`: all of them, or (`only_empty`) those whose value is the empty
/// string.
fn set_fields(record: &mut JsonObject, fields: &[(&str, &str)], only_empty: bool) {
    for (key, value) in fields {
        if !only_empty || record.get(*key).and_then(|v| v.as_str()) == Some("") {
            record.insert(
                (*key).to_owned(),
                serde_json::Value::String((*value).to_owned()),
            );
        }
    }
}

/// The compact JSON text of an object, as `serde_json::Value::Object` prints it.
fn object_text(record: &JsonObject) -> String {
    // Serialising a map of JSON values cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

/// The witness with plausible values for the record fields the engine left empty
/// (`eventTime`, `awsRegion`), when the evaluator confirms it still makes the point.
fn realistic(w: Event, required: &Matcher, mine: &Matcher) -> Event {
    let Event::Json(text) = &w else { return w };
    let filled = [("eventTime", RECORD_TIME), ("awsRegion", RECORD_REGION)];
    let Some(candidate) = with_fields(text, &filled, true) else {
        return w;
    };
    match required.matches_parsed(&candidate) && !mine.matches_parsed(&candidate) {
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

    /// Does `c` catch every event of `req`, as far as the engine can tell?
    fn covers(&self, req: &Formula<JsonAtom>, c: &Formula<JsonAtom>) -> bool {
        let (missed, why) = self.find(&[(req, true), (c, false)]);
        missed.is_empty() && why.is_none()
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
    let canonically_identical = matches!(mine, Canonical::Json(f) if f == reference);
    let verdict = verdict(byte_identical, canonically_identical, compliant);
    ExactText {
        byte_identical,
        canonically_identical,
        verdict,
    }
}

/// What a text-comparing scanner concludes, in words.
fn verdict(byte_identical: bool, canonically_identical: bool, compliant: bool) -> String {
    match (byte_identical, canonically_identical, compliant) {
        (true, _, _) => "identical to the reference text: exact-match scanners pass it".to_owned(),
        (false, true, _) => "the same pattern written differently: exact-match scanners (Security Hub, ScoutSuite, InSpec) fail it, scanners that normalise spacing and quoting pass it".to_owned(),
        (false, false, true) => "a different text that still catches every required event: text-comparing scanners fail it although it is compliant".to_owned(),
        (false, false, false) => "a different text, and not compliant".to_owned(),
    }
}

/// A compliant pattern close to `mine`: the missing eventNames added where the pattern
/// lists eventNames, or next to it, or `req` next to it; the first candidate that AWS
/// accepts and that `covers` verifies. The candidates are made of `mine`'s atoms, borrowed.
fn repair(
    mine: &Formula<JsonAtom>,
    missing: &[String],
    req: &Formula<JsonAtom>,
    covers: impl Fn(&Formula<&JsonAtom>) -> bool,
) -> Option<String> {
    let added: Vec<JsonAtom> = missing
        .iter()
        .map(|n| equals_atom("eventName", n))
        .collect();
    let additions: Vec<Formula<&JsonAtom>> = added.iter().map(Formula::atom).collect();
    let mine = mine.borrowed();
    // The candidates, built one at a time (the first usually succeeds).
    let candidates = std::iter::once_with(|| insert_names(&mine, &additions))
        .chain(std::iter::once_with(|| {
            let (first, rest) = additions.split_first()?;
            Some(Formula::or(
                mine.clone(),
                rest.iter().cloned().chain([first.clone()]),
            ))
        }))
        .chain(std::iter::once_with(|| {
            Some(Formula::or(mine.clone(), [req.borrowed()]))
        }));
    candidates.flatten().find_map(|c| {
        let text = canon::json_text(&c);
        if !accepted(&c, &text) {
            return None;
        }
        covers(&c).then_some(text)
    })
}

/// Would AWS accept `text`, the canonical text of `c`? Canonical text always parses back
/// with AWS's limits off (`canon::print`), so only the limits can reject it: at most 1024
/// characters, 2 regexes, one wildcard step per selector and 3 in all, 100 nested
/// parentheses (one level per level of the formula below its root). A text of at most 1024
/// bytes without regexes or wildcard steps and of modest depth passes them all; anything
/// else is parsed.
fn accepted(c: &Formula<&JsonAtom>, text: &str) -> bool {
    fn plain(f: &Formula<&JsonAtom>, depth: usize) -> bool {
        match f.kind() {
            FormulaKind::Atom(a) => {
                !matches!(
                    a.test,
                    Test::Eq(Operand::Regex(_)) | Test::Ne(Operand::Regex(_))
                ) && a
                    .path
                    .0
                    .iter()
                    .all(|s| matches!(s, PathStep::Key(_) | PathStep::Index(_)))
            }
            FormulaKind::And(ops) | FormulaKind::Or(ops) => {
                depth < 50 && ops.iter().all(|op| plain(op, depth + 1))
            }
        }
    }
    (text.len() <= syntax::parse::AWS_MAX_PATTERN_CHARS && plain(c, 0))
        || syntax::parse(text).is_ok()
}

/// `mine` with `additions` joined to the first disjunction that lists eventNames.
fn insert_names<'a>(
    mine: &Formula<&'a JsonAtom>,
    additions: &[Formula<&'a JsonAtom>],
) -> Option<Formula<&'a JsonAtom>> {
    let is_name = |f: &Formula<&JsonAtom>| {
        matches!(f.kind(), FormulaKind::Atom(a)
            if matches!(&a.path.0[..], [PathStep::Key(k)] if k == "eventName"))
    };
    match mine.kind() {
        FormulaKind::And(ops) => {
            let mut done = false;
            let new_ops: Vec<Formula<&JsonAtom>> = ops
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
        FormulaKind::Or(ops) if !ops.iter().any(is_name) => None,
        FormulaKind::Atom(_) if !is_name(mine) => None,
        // Joined as one operand, a disjunction's operands (sorted) are merged with the
        // additions rather than sorted again.
        _ => Some(Formula::or(mine.clone(), additions.iter().cloned())),
    }
}

/// The AWS API events (from the botocore table) that the pattern matches beyond the rule:
/// an API counts when the pattern matches a minimal record of it.
///
/// Only the APIs the pattern can match are evaluated: when it requires one of some exact
/// eventNames (or eventSources), the index gives those APIs; otherwise every API is. A pair
/// formula (`pair`) is evaluated on the (eventName, eventSource) pair, and so is a split
/// pattern (`fast.rs`) whose conditions on other fields hold on minimal records (`pair`: its
/// pair formulas); anything else with the evaluator on the record's text. `required`: the
/// positions of the rule's APIs (ascending), which are not noise.
fn noise(mine: &Canonical, pair: Option<&fast::PairEval<'_>>, required: &[usize]) -> Noise {
    let index = api_index();
    let apis = &index.apis;
    let candidates: Option<Vec<usize>> = match mine {
        Canonical::Json(f) => match (
            fast::value_patterns(f, "eventName"),
            fast::value_patterns(f, "eventSource"),
        ) {
            (Some(n), Some(s)) if s.len() < n.len() => Some(index.matching(true, &s)),
            (Some(n), _) => Some(index.matching(false, &n)),
            (None, Some(s)) => Some(index.matching(true, &s)),
            (None, None) => None,
        },
        _ => None,
    };
    let matcher = match pair {
        Some(_) => None,
        None => Some(Matcher::new(mine)),
    };
    let mut examples = Vec::new();
    let mut count = 0;
    let mut visit = |i: usize| {
        if required.binary_search(&i).is_ok() {
            return;
        }
        let (api_source, api_name) = apis[i];
        let hit = match (pair, &matcher) {
            (Some(p), _) => p.holds(api_name, api_source),
            (None, Some(m)) => m.matches(&api_records()[i]),
            (None, None) => false,
        };
        if hit {
            count += 1;
            if examples.len() < 5 {
                examples.push(ApiEvent {
                    event_source: api_source.to_owned(),
                    event_name: api_name.to_owned(),
                });
            }
        }
    };
    match candidates {
        Some(list) => list.into_iter().for_each(&mut visit),
        None => (0..apis.len()).for_each(&mut visit),
    }
    Noise { count, examples }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdict key of `pattern` under `checker` (`None`: it has none).
    fn verdict_key(checker: &Checker, pattern: &str) -> Option<Vec<u8>> {
        let source = checker.quick_source().expect("the rule has the fast path");
        let mut key = Vec::new();
        quick::recognise(pattern)?
            .write_verdict_key(&mut key, &checker.known_names, source)
            .then_some(key)
    }

    proptest::proptest! {
        /// [`fast::QuickFormula::write_verdict_key`]'s soundness: two patterns with the
        /// same verdict key get the same verdict (each from a fresh checker, without the
        /// memo; a split pattern's only when both were decided as split patterns, which
        /// these all are). The patterns: one set of the rule's eventNames with two sets of
        /// other names (look-alikes of required ones among them), in random orders, alone,
        /// beside an eventSource condition on the rule's source (repeated, quoted), another
        /// source or both, or beside conditions on other fields (one on a record field,
        /// which has no key); the two patterns beside the same condition or not.
        #[test]
        fn equal_verdict_keys_mean_equal_verdicts(
            required in proptest::sample::subsequence((0..19usize).collect::<Vec<_>>(), 1..=19),
            extras in proptest::collection::vec(
                proptest::collection::vec(0..8usize, 0..4),
                2,
            ),
            shuffle in proptest::collection::vec(0..1000usize, 2),
            beside in proptest::collection::vec(0..9usize, 2),
            first: bool,
        ) {
            let checker = Checker::new(&CheckOptions::default()).expect("rule");
            let others = [
                "CreateUser", "AttachPolicy", "createpolicy", "\"CreatePolicy \"",
                "CreatePolic", "DeleteGroupPolicyX", "\"Put*\"", "AddUserToGroup2",
            ];
            let conditions = [
                None,
                Some("$.eventSource = iam.amazonaws.com"),
                Some("$.eventSource = \"iam.amazonaws.com\" || $.eventSource = iam.amazonaws.com"),
                Some("$.eventSource = sts.amazonaws.com"),
                Some("$.eventSource = iam.amazonaws.com || $.eventSource = sts.amazonaws.com"),
                Some("$.errorCode NOT EXISTS"),
                Some("$.userIdentity.type != \"AWSService\" && $.errorCode NOT EXISTS"),
                Some("$.readOnly = false"),
                Some("$.awsRegion = us-east-1"),
            ];
            let pattern = |which: usize| {
                let mut names: Vec<String> =
                    required.iter().map(|&i| checker.names[i].clone()).collect();
                names.extend(extras[which].iter().map(|&i| others[i].to_owned()));
                let len = names.len();
                names.rotate_left(shuffle[which] % len);
                let list = names
                    .iter()
                    .map(|n| format!("$.eventName = {n}"))
                    .collect::<Vec<_>>()
                    .join(" || ");
                let beside = beside[which];
                match (conditions[beside], first) {
                    (None, _) => format!("{{ {list} }}"),
                    (Some(c), true) if beside >= 5 => format!("{{ {c} && ({list}) }}"),
                    (Some(c), false) if beside >= 5 => format!("{{ ({list}) && {c} }}"),
                    (Some(c), true) => format!("{{ ({c}) && ({list}) }}"),
                    (Some(c), false) => format!("{{ ({list}) && ({c}) }}"),
                }
            };
            let (a, b) = (pattern(0), pattern(1));
            let (key_a, key_b) = (verdict_key(&checker, &a), verdict_key(&checker, &b));
            // The shapes that have a key, and only they.
            let plain = |which: usize| !extras[which].contains(&6);
            let keyed = |which: usize| matches!(beside[which], 0..=2 | 5..=7);
            proptest::prop_assert_eq!(key_a.is_some(), plain(0) && keyed(0), "{}", a);
            proptest::prop_assert_eq!(key_b.is_some(), plain(1) && keyed(1), "{}", b);
            if key_a.is_some() && key_a == key_b {
                let fresh = |p: &str| checker.verdict_split(p).expect("a valid pattern");
                let ((verdict_a, split_a), (verdict_b, split_b)) = (fresh(&a), fresh(&b));
                proptest::prop_assert_eq!(split_a, beside[0] >= 5, "{}", a);
                proptest::prop_assert_eq!(split_b, beside[1] >= 5, "{}", b);
                proptest::prop_assert_eq!(verdict_a, verdict_b, "{}\n{}", a, b);
            }
            // Lists that differ only in other names beside the same condition (the rule's
            // eventSource written either way) share a key (beside an eventSource condition,
            // when both have other names or neither has).
            let some = |which: usize| !extras[which].is_empty();
            let group = |which: usize| match beside[which] {
                2 => 1,
                other => other,
            };
            let source = group(0) == 1;
            let same = group(0) == group(1);
            if plain(0) && plain(1) && same && keyed(0) && (!source || some(0) == some(1)) {
                proptest::prop_assert_eq!(&key_a, &key_b, "{}\n{}", a, b);
            }
        }
    }
}
