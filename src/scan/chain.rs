//! Following the CIS chain through an [`Inventory`]: for every rule, the best chain of
//! trail → metric filter → alarm → subscription, each link found, missing or undecidable.
//!
//! A finding is
//! - **PASS** when some chain has every link: a multi-region trail, logging, recording read
//!   and write management events into log group G; a metric filter on G whose pattern
//!   covers the rule ([`crate::rules::check()`], decided from meaning); an alarm whose
//!   metric (namespace *and* name) is one the filter publishes, with actions enabled and an
//!   SNS topic among its actions; a confirmed subscription to that topic;
//! - **MANUAL** when no chain is complete but one could be, given data that was not read
//!   (a denied API call, an output not given, a variable without a value, a trail declared
//!   in another Terraform configuration);
//! - **FAIL** otherwise: every chain has a link that is certainly missing.
//!
//! Chains are ranked complete > undecidable > broken, then by how far they get, so the
//! finding shows the chain closest to compliance and the first link it lacks.

use std::collections::HashMap;

use serde::Serialize;

use super::model::{Alarm, Inventory, MetricFilter, Note, Origin, Subscription, Trail, Val};
use crate::logic::Limits;
use crate::rules::{self, check, Assume, CheckError, CheckOptions, Rule};

/// The verdict of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Every link of the chain is there.
    Pass,
    /// A link is certainly missing.
    Fail,
    /// Cannot tell from the data read.
    Manual,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Manual => "MANUAL",
        })
    }
}

/// A link of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A multi-region trail, logging read and write management events into the log group.
    Trail,
    /// A metric filter on that log group whose pattern covers the rule.
    MetricFilter,
    /// An alarm on the filter's metric, with actions enabled and an SNS topic action.
    Alarm,
    /// A confirmed subscription to the alarm's topic.
    Subscription,
}

impl Step {
    /// The link's name in reports.
    pub fn label(self) -> &'static str {
        match self {
            Step::Trail => "trail",
            Step::MetricFilter => "metric filter",
            Step::Alarm => "alarm",
            Step::Subscription => "subscription",
        }
    }
}

/// Is a link there?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Certainly missing or wrong (ordered first: the worst).
    Missing,
    /// Cannot tell from the data read.
    Unknown,
    /// Found and right.
    Ok,
}

impl LinkState {
    fn and(self, other: LinkState) -> LinkState {
        self.min(other)
    }
}

/// One link of a finding's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Which link.
    pub step: Step,
    /// Found, missing or undecidable.
    pub state: LinkState,
    /// The resource's name (trail, filter, alarm name; the subscription's endpoint).
    pub name: Option<String>,
    /// The resource that makes (or nearly makes) the link, with its location.
    pub resource: Option<Origin>,
    /// What was found or what is wrong, in words.
    pub detail: String,
}

/// The coverage check of the finding's metric filter (as `cwpattern check --json` reports
/// it, abridged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The filter's name.
    pub filter: String,
    /// Its pattern.
    pub pattern: String,
    /// Does it catch every event the rule requires? `None`: cannot tell (unresolved
    /// pattern, or the engine could not decide).
    pub compliant: Option<bool>,
    /// The canonical form of the pattern.
    pub canonical: Option<String>,
    /// The rule's eventNames it covers.
    pub covered: Vec<String>,
    /// The rule's eventNames it misses.
    pub missing: Vec<String>,
    /// How its events relate to the required ones (`superset`, `overlap`, ...).
    pub relation: Option<String>,
    /// A required event the pattern misses (checked by the evaluator), as JSON or text.
    pub example_missed: Option<String>,
    /// Why the answer is incomplete, or why the pattern could not be checked.
    pub problem: Option<String>,
}

/// The verdict on one rule in one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// What the rule requires, in words.
    pub title: String,
    /// The standard(s) and control numbers.
    pub standard: String,
    /// The version of the rule's reference pattern used.
    pub version: String,
    /// The scope: an account, a Terraform module, a template.
    pub scope: String,
    /// PASS, FAIL or MANUAL.
    pub status: Status,
    /// Why, in one sentence.
    pub reason: String,
    /// The links of the best chain, in order; it stops after the first link that is not
    /// there.
    pub chain: Vec<Link>,
    /// The coverage of the chain's metric filter, when there is one.
    pub coverage: Option<Coverage>,
    /// Remarks about the data of the scope (denied calls, unresolved values).
    pub notes: Vec<Note>,
}

impl Finding {
    /// The resources and locations involved, chain order.
    pub fn resources(&self) -> impl Iterator<Item = &Origin> {
        self.chain.iter().filter_map(|l| l.resource.as_ref())
    }
}

/// What to scan for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    /// Rule ids; empty means every rule of the catalog (that has a pattern for the
    /// version asked for).
    pub rules: Vec<String>,
    /// The CIS version (`1.4`, `3.0`, ...); default: each rule's newest.
    pub cis_version: Option<String>,
    /// The semantic engine's budget for each coverage question.
    pub limits: Limits,
}

/// Evaluates every rule of `options` over one scope's inventory (call
/// [`Inventory::finish`] first). Errs only for an unknown rule id.
pub fn evaluate(
    scope: &str,
    inventory: &Inventory,
    options: &ScanOptions,
) -> Result<Vec<Finding>, CheckError> {
    let chosen: Vec<&Rule> = if options.rules.is_empty() {
        rules::rules().iter().collect()
    } else {
        options
            .rules
            .iter()
            .map(|id| rules::rule(id).ok_or_else(|| CheckError::UnknownRule(id.clone())))
            .collect::<Result<_, _>>()?
    };
    let mut scan = Scan {
        inventory,
        options,
        coverage: HashMap::new(),
    };
    let mut findings = Vec::new();
    for rule in chosen {
        // A CIS version applies to the rules that have it; the others (the 19-event IAM
        // rule) keep their own. A rule the version lacks is left out of a full scan and an
        // error when asked for by name.
        let version = options
            .cis_version
            .as_deref()
            .filter(|v| rule.versions().contains(v));
        if options.cis_version.is_some() && version.is_none() && is_cis(rule) {
            if options.rules.is_empty() {
                continue;
            }
            return Err(CheckError::UnknownVersion {
                rule: rule.id.clone(),
                version: options.cis_version.clone().unwrap_or_default(),
            });
        }
        findings.push(scan.finding(scope, rule, version)?);
    }
    Ok(findings)
}

fn is_cis(rule: &Rule) -> bool {
    rule.standard.starts_with("CIS")
}

struct Scan<'a> {
    inventory: &'a Inventory,
    options: &'a ScanOptions,
    /// Coverage per (rule, version, pattern).
    coverage: HashMap<(String, Option<String>, String), Coverage>,
}

/// A candidate chain starting at one metric filter.
struct Chain {
    links: Vec<Link>,
    coverage: Option<Coverage>,
    covered: usize,
}

impl Chain {
    fn state(&self) -> LinkState {
        self.links
            .iter()
            .map(|l| l.state)
            .min()
            .unwrap_or(LinkState::Missing)
    }

    /// Complete > undecidable > broken; then chains whose filter covers the rule (the
    /// filter meant for it); then filters that catch some of the required events; then the
    /// most eventNames covered; then the most links there.
    fn rank(&self) -> (LinkState, LinkState, bool, usize, usize) {
        let filter = self
            .links
            .iter()
            .find(|l| l.step == Step::MetricFilter)
            .map_or(LinkState::Missing, |l| l.state);
        let catches_some = self.coverage.as_ref().is_some_and(|c| {
            !c.covered.is_empty() || matches!(c.relation.as_deref(), Some("overlap" | "subset"))
        });
        let ok = self
            .links
            .iter()
            .filter(|l| l.state == LinkState::Ok)
            .count();
        (self.state(), filter, catches_some, self.covered, ok)
    }
}

impl Scan<'_> {
    fn finding(
        &mut self,
        scope: &str,
        rule: &Rule,
        version: Option<&str>,
    ) -> Result<Finding, CheckError> {
        let inv = self.inventory;
        let mut best: Option<Chain> = None;
        for filter in &inv.metric_filters {
            let chain = self.chain_of(rule, version, filter)?;
            let better = match &best {
                Some(b) => b.rank() < chain.rank(),
                None => true,
            };
            if better {
                best = Some(chain);
            }
        }
        let chain = match best {
            Some(c) => c,
            None => self.without_filters(),
        };
        let state = chain.state();
        let status = match state {
            LinkState::Ok => Status::Pass,
            LinkState::Missing => Status::Fail,
            LinkState::Unknown => Status::Manual,
        };
        let first_gap = chain.links.iter().find(|l| l.state == state);
        let reason = match (status, first_gap) {
            (Status::Pass, _) => pass_reason(&chain.links),
            (_, Some(l)) if l.step == Step::MetricFilter && l.resource.is_some() => {
                // The chain's filter is the closest to covering the rule, not the only one.
                let n = inv.metric_filters.len();
                let verdict = if state == LinkState::Missing {
                    "no metric filter covers the rule"
                } else {
                    "no metric filter is known to cover the rule"
                };
                let none_caught = chain
                    .coverage
                    .as_ref()
                    .is_some_and(|c| c.covered.is_empty() && !c.missing.is_empty());
                if none_caught && n > 1 {
                    format!("none of the {n} metric filters catches any of the rule's events")
                } else if n == 1 {
                    format!("{verdict}: {}", l.detail)
                } else {
                    format!("{verdict} ({n} checked); the closest: {}", l.detail)
                }
            }
            (_, Some(l)) => format!("{}: {}", l.step.label(), l.detail),
            (_, None) => String::new(),
        };
        let resolved_version = rule
            .reference(version)
            .and_then(|(p, _)| {
                version
                    .map(str::to_owned)
                    .or_else(|| p.versions.last().cloned())
            })
            .unwrap_or_default();
        Ok(Finding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            standard: rule.standard.clone(),
            version: resolved_version,
            scope: scope.to_owned(),
            status,
            reason,
            chain: truncate(chain.links),
            coverage: chain.coverage,
            notes: inv.notes.clone(),
        })
    }

    /// The chain when the scope has no metric filter at all.
    fn without_filters(&self) -> Chain {
        let inv = self.inventory;
        let trail = best_trail(inv, None);
        let filter = if inv.seen.metric_filters {
            Link {
                step: Step::MetricFilter,
                name: None,
                state: LinkState::Missing,
                resource: None,
                detail: "there is no metric filter at all".to_owned(),
            }
        } else {
            Link {
                step: Step::MetricFilter,
                name: None,
                state: LinkState::Unknown,
                resource: None,
                detail: "no metric filters were read (give a `logs describe-metric-filters` \
                         output, or allow logs:DescribeMetricFilters)"
                    .to_owned(),
            }
        };
        Chain {
            links: vec![trail, filter],
            coverage: None,
            covered: 0,
        }
    }

    fn chain_of(
        &mut self,
        rule: &Rule,
        version: Option<&str>,
        filter: &MetricFilter,
    ) -> Result<Chain, CheckError> {
        let inv = self.inventory;
        let trail = best_trail(inv, Some(filter));
        let coverage = self.coverage(rule, version, filter)?;
        let filter_state = match coverage.compliant {
            Some(true) => LinkState::Ok,
            Some(false) => LinkState::Missing,
            None => LinkState::Unknown,
        };
        let filter_detail = match (coverage.compliant, &coverage.problem) {
            (Some(true), _) => format!(
                "`{}` on log group {} covers the rule",
                filter.name, filter.log_group
            ),
            (_, Some(problem)) => format!("`{}`: {problem}", filter.name),
            (_, None) if coverage.covered.is_empty() && !coverage.missing.is_empty() => {
                format!("`{}` catches none of the rule's events", filter.name)
            }
            (_, None) if coverage.missing.is_empty() => format!(
                "`{}` misses required events, e.g. {}",
                filter.name,
                coverage.example_missed.as_deref().unwrap_or("?")
            ),
            (_, None) => format!("`{}` misses {}", filter.name, list(&coverage.missing)),
        };
        let filter_link = Link {
            step: Step::MetricFilter,
            name: Some(filter.name.to_string()),
            state: filter_state,
            resource: Some(filter.origin.clone()),
            detail: filter_detail,
        };
        let (alarm, subscription) = alarm_links(inv, filter);
        let covered = coverage.covered.len();
        Ok(Chain {
            links: vec![trail, filter_link, alarm, subscription],
            coverage: Some(coverage),
            covered,
        })
    }

    fn coverage(
        &mut self,
        rule: &Rule,
        version: Option<&str>,
        filter: &MetricFilter,
    ) -> Result<Coverage, CheckError> {
        let name = filter.name.to_string();
        let pattern = match &filter.pattern {
            Val::Known(p) => p.clone(),
            Val::Unresolved(token) => {
                return Ok(Coverage {
                    filter: name,
                    pattern: filter.pattern.to_string(),
                    compliant: None,
                    canonical: None,
                    covered: Vec::new(),
                    missing: Vec::new(),
                    relation: None,
                    example_missed: None,
                    problem: Some(format!(
                        "the pattern comes from `{token}`, which has no value here"
                    )),
                });
            }
        };
        let key = (rule.id.clone(), version.map(str::to_owned), pattern.clone());
        if let Some(c) = self.coverage.get(&key) {
            return Ok(Coverage {
                filter: name,
                ..c.clone()
            });
        }
        let options = CheckOptions {
            rule: rule.id.clone(),
            version: version.map(str::to_owned),
            assume: Assume::Cloudtrail,
            noise: false,
            limits: self.options.limits,
        };
        let c = match check(&pattern, &options) {
            Ok(report) => Coverage {
                filter: name,
                pattern,
                compliant: if report.compliant {
                    Some(true)
                } else if report.unknown.is_some() {
                    None
                } else {
                    Some(false)
                },
                canonical: Some(report.canonical),
                covered: report.covered,
                missing: report.missing,
                relation: Some(report.relation),
                example_missed: report.witnesses.first().map(|w| w.message().to_owned()),
                problem: report.unknown,
            },
            Err(CheckError::Pattern(e)) => Coverage {
                filter: name,
                pattern,
                compliant: Some(false),
                canonical: None,
                covered: Vec::new(),
                missing: rule.event_names.clone(),
                relation: None,
                example_missed: None,
                problem: Some(format!(
                    "the pattern is invalid ({} at offset {}), AWS rejects it",
                    e.message(),
                    e.offset()
                )),
            },
            Err(e) => return Err(e),
        };
        self.coverage.insert(key, c.clone());
        Ok(c)
    }
}

/// Keeps the trail link, and the other links up to and including the first one that is
/// not there: a trail that is not there does not hide how the filter and alarm measure up.
fn truncate(mut links: Vec<Link>) -> Vec<Link> {
    if let Some(i) = links.iter().skip(1).position(|l| l.state != LinkState::Ok) {
        links.truncate(i + 2);
    }
    links
}

fn pass_reason(links: &[Link]) -> String {
    links
        .iter()
        .map(|l| format!("{} {}", l.step.label(), l.name.as_deref().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join(" → ")
}

fn list(names: &[String]) -> String {
    match names.len() {
        0 => "nothing the rule names (see the witnesses of `cwpattern check`)".to_owned(),
        1..=5 => names.join(", "),
        n => format!("{} and {} more", names[..4].join(", "), n - 4),
    }
}

/// How a trail measures up, on its own and as the source of `filter`'s log group.
fn judge_trail(trail: &Trail, filter: Option<&MetricFilter>) -> (LinkState, Vec<String>) {
    let mut state = LinkState::Ok;
    let mut problems = Vec::new();
    let mut flag = |s: LinkState, why: String| {
        state = state.and(s);
        problems.push(why);
    };
    match trail.multi_region {
        Some(true) => {}
        Some(false) => flag(LinkState::Missing, "it is a single-region trail".to_owned()),
        None => flag(
            LinkState::Unknown,
            "whether it is multi-region is not known".to_owned(),
        ),
    }
    match trail.logging {
        Some(true) => {}
        Some(false) => flag(LinkState::Missing, "it is not logging".to_owned()),
        None => flag(
            LinkState::Unknown,
            "its logging status was not read (give a `get-trail-status` output)".to_owned(),
        ),
    }
    match trail.management {
        Some(m) if m.read && m.write => {}
        Some(m) => flag(
            LinkState::Missing,
            format!(
                "it records {} management events",
                match (m.read, m.write) {
                    (true, false) => "only read",
                    (false, true) => "only write",
                    _ => "no",
                }
            ),
        ),
        None => flag(
            LinkState::Unknown,
            "its event selectors were not read (give a `get-event-selectors` output)".to_owned(),
        ),
    }
    match (&trail.log_group, filter) {
        (None, _) => flag(
            LinkState::Missing,
            "it delivers to no CloudWatch Logs log group".to_owned(),
        ),
        (Some(lg), Some(f)) => match lg.same(&f.log_group) {
            Some(true) => {
                let other_region = match (&trail.home_region, &f.origin.region) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                };
                if other_region {
                    flag(
                        LinkState::Missing,
                        format!("its log group {lg} is in another region than the filter"),
                    );
                }
            }
            Some(false) => flag(
                LinkState::Missing,
                format!(
                    "it delivers to log group {lg}, not to the filter's {}",
                    f.log_group
                ),
            ),
            None => flag(
                LinkState::Unknown,
                format!(
                    "whether its log group {lg} is the filter's {} cannot be told",
                    f.log_group
                ),
            ),
        },
        (Some(_), None) => {}
    }
    (state, problems)
}

fn best_trail(inv: &Inventory, filter: Option<&MetricFilter>) -> Link {
    let best = inv
        .trails
        .iter()
        .map(|t| (t, judge_trail(t, filter)))
        .max_by_key(|(_, (state, problems))| (*state, std::cmp::Reverse(problems.len())));
    match best {
        Some((t, (state, problems))) => {
            let detail = if problems.is_empty() {
                format!(
                    "`{}`: multi-region, logging, read and write management events, into log \
                     group {}",
                    t.name,
                    t.log_group.as_ref().map(Val::to_string).unwrap_or_default()
                )
            } else {
                format!("`{}`: {}", t.name, problems.join("; "))
            };
            Link {
                step: Step::Trail,
                name: Some(t.name.to_string()),
                state,
                resource: Some(t.origin.clone()),
                detail,
            }
        }
        None if inv.seen.trails => Link {
            step: Step::Trail,
            name: None,
            state: LinkState::Missing,
            resource: None,
            detail: "there is no trail".to_owned(),
        },
        None => Link {
            step: Step::Trail,
            name: None,
            state: LinkState::Unknown,
            resource: None,
            detail: "no trail was read (none is declared here, or no `describe-trails` output \
                     was given)"
                .to_owned(),
        },
    }
}

/// The alarm and subscription links for `filter`: the best alarm on one of its metrics,
/// judged together with its best subscription.
fn alarm_links(inv: &Inventory, filter: &MetricFilter) -> (Link, Link) {
    let candidates: Vec<(&Alarm, LinkState)> = inv
        .alarms
        .iter()
        .filter_map(|a| watches(a, filter).map(|s| (a, s)))
        .collect();
    let not_reached = |why: &str| Link {
        step: Step::Subscription,
        name: None,
        state: LinkState::Unknown,
        resource: None,
        detail: why.to_owned(),
    };
    if candidates.is_empty() {
        let metrics: Vec<String> = filter.metrics.iter().map(ToString::to_string).collect();
        let (state, detail) = if filter.metrics.is_empty() {
            (
                LinkState::Missing,
                "the filter publishes no metric".to_owned(),
            )
        } else if inv.seen.alarms {
            (
                LinkState::Missing,
                format!(
                    "no alarm watches the metric {}{}",
                    metrics.join(", "),
                    near_misses(inv, filter)
                ),
            )
        } else {
            (
                LinkState::Unknown,
                format!(
                    "no alarms were read; none is known to watch the metric {}",
                    metrics.join(", ")
                ),
            )
        };
        let alarm = Link {
            step: Step::Alarm,
            name: None,
            state,
            resource: None,
            detail,
        };
        return (alarm, not_reached("no alarm"));
    }
    let judged = candidates.into_iter().map(|(a, metric_state)| {
        let (mut state, mut problems) = (metric_state, Vec::new());
        if metric_state == LinkState::Unknown {
            problems.push("whether it watches the filter's metric cannot be told".to_owned());
        }
        if a.actions_enabled == Some(false) {
            state = state.and(LinkState::Missing);
            problems.push("its actions are disabled".to_owned());
        }
        if a.topics.is_empty() {
            state = state.and(LinkState::Missing);
            problems.push("it has no SNS topic among its alarm actions".to_owned());
        }
        let sub = subscription_link(inv, a);
        (a, state, problems, sub)
    });
    let best = judged
        .max_by_key(|(_, state, problems, sub)| {
            (
                state.and(sub.state),
                *state,
                std::cmp::Reverse(problems.len()),
            )
        })
        .map(|(a, state, problems, sub)| {
            let detail = if problems.is_empty() {
                format!(
                    "`{}` watches {} and notifies {}",
                    a.name,
                    a.metrics
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    a.topics
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("`{}`: {}", a.name, problems.join("; "))
            };
            let alarm = Link {
                step: Step::Alarm,
                name: Some(a.name.to_string()),
                state,
                resource: Some(a.origin.clone()),
                detail,
            };
            (alarm, sub)
        });
    best.unwrap_or_else(|| {
        (
            Link {
                step: Step::Alarm,
                name: None,
                state: LinkState::Missing,
                resource: None,
                detail: "no alarm".to_owned(),
            },
            not_reached("no alarm"),
        )
    })
}

/// Alarms on a metric of the filter's name in another namespace (scanners that match by
/// name alone accept them), as a clause for the report.
fn near_misses(inv: &Inventory, filter: &MetricFilter) -> String {
    let near: Vec<String> = inv
        .alarms
        .iter()
        .filter_map(|a| {
            let m = a.metrics.iter().find(|am| {
                filter.metrics.iter().any(|fm| {
                    am.name.same(&fm.name) == Some(true)
                        && am.namespace.same(&fm.namespace) == Some(false)
                })
            })?;
            Some(format!("`{}` watches {m}", a.name))
        })
        .collect();
    if near.is_empty() {
        String::new()
    } else {
        format!(
            " (same metric name in another namespace: {})",
            near.join(", ")
        )
    }
}

/// Does alarm `a` watch one of `filter`'s metrics? `None`: certainly not.
fn watches(a: &Alarm, filter: &MetricFilter) -> Option<LinkState> {
    let mut best: Option<LinkState> = None;
    for am in &a.metrics {
        for fm in &filter.metrics {
            let state = match (am.namespace.same(&fm.namespace), am.name.same(&fm.name)) {
                (Some(false), _) | (_, Some(false)) => continue,
                (Some(true), Some(true)) => LinkState::Ok,
                _ => LinkState::Unknown,
            };
            let other_region = matches!(
                (&a.origin.region, &filter.origin.region),
                (Some(x), Some(y)) if x != y
            );
            if other_region {
                continue;
            }
            best = best.max(Some(state));
        }
    }
    best
}

fn subscription_link(inv: &Inventory, alarm: &Alarm) -> Link {
    let judged = inv.subscriptions.iter().filter_map(|s| {
        let topic_state = alarm
            .topics
            .iter()
            .filter_map(|t| match t.same(&s.topic) {
                Some(false) => None,
                Some(true) => Some(LinkState::Ok),
                None => Some(LinkState::Unknown),
            })
            .max()?;
        Some((s, topic_state))
    });
    let best = judged
        .map(|(s, topic_state)| {
            let (state, detail) = judge_subscription(s);
            (s, topic_state.and(state), detail)
        })
        .max_by_key(|(_, state, _)| *state);
    let topics = alarm
        .topics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    match best {
        Some((s, state, detail)) => Link {
            step: Step::Subscription,
            name: Some(format!(
                "{}{}",
                s.protocol.as_deref().unwrap_or("subscription"),
                s.endpoint
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default()
            )),
            state,
            resource: Some(s.origin.clone()),
            detail,
        },
        None if alarm.topics.is_empty() => Link {
            step: Step::Subscription,
            name: None,
            state: LinkState::Missing,
            resource: None,
            detail: "the alarm notifies no SNS topic".to_owned(),
        },
        None if inv.seen.subscriptions && !alarm.origin.source.is_iac() => Link {
            step: Step::Subscription,
            name: None,
            state: LinkState::Missing,
            resource: None,
            detail: format!("topic {topics} has no subscription"),
        },
        None if alarm.origin.source.is_iac() => Link {
            step: Step::Subscription,
            name: None,
            state: LinkState::Unknown,
            resource: None,
            detail: format!(
                "no subscription to {topics} is declared in this configuration (it may be \
                 made elsewhere)"
            ),
        },
        None => Link {
            step: Step::Subscription,
            name: None,
            state: LinkState::Unknown,
            resource: None,
            detail: format!(
                "subscriptions were not read (give a `sns list-subscriptions` output); topic \
                 {topics}"
            ),
        },
    }
}

fn judge_subscription(s: &Subscription) -> (LinkState, String) {
    let what = format!(
        "{} subscription{} to {}",
        s.protocol.as_deref().unwrap_or("a"),
        s.endpoint
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default(),
        s.topic
    );
    match s.confirmed {
        Some(true) => (LinkState::Ok, format!("confirmed {what}")),
        Some(false) => (
            LinkState::Missing,
            format!("{what} is pending confirmation"),
        ),
        // Infrastructure as code declares subscriptions; whether the endpoint confirmed
        // one can only be seen in the account. Declaring one is what the code can do.
        None if s.origin.source.is_iac() => (
            LinkState::Ok,
            format!("declared {what} (confirmation is visible only after deployment)"),
        ),
        None => (
            LinkState::Unknown,
            format!("{what}: whether it is confirmed is not known"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::model::{Management, Metric, Seen, SourceKind};

    const ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

    fn origin(address: &str) -> Origin {
        Origin::new(SourceKind::Terraform, address).at("main.tf", Some(1))
    }

    fn metric(ns: Val, name: Val) -> Metric {
        Metric {
            namespace: ns,
            name,
        }
    }

    /// A Terraform-like module: trail → log group `aws_cloudwatch_log_group.ct` (left
    /// unresolved on both ends) → root filter → alarm → topic → declared subscription.
    fn module() -> Inventory {
        let lg = Val::unresolved("aws_cloudwatch_log_group.ct");
        let topic = Val::unresolved("aws_sns_topic.alarms");
        let m = metric(Val::known("CIS"), Val::known("RootUsage"));
        Inventory {
            trails: vec![Trail {
                name: Val::known("main"),
                arn: None,
                home_region: None,
                multi_region: Some(true),
                logging: Some(true),
                log_group: Some(lg.clone()),
                management: Some(Management::ALL),
                origin: origin("aws_cloudtrail.main"),
            }],
            metric_filters: vec![MetricFilter {
                name: Val::known("root"),
                log_group: lg,
                pattern: Val::known(ROOT),
                metrics: vec![m.clone()],
                origin: origin("aws_cloudwatch_log_metric_filter.root"),
            }],
            alarms: vec![Alarm {
                name: Val::known("root"),
                metrics: vec![m],
                topics: vec![topic.clone()],
                actions_enabled: None,
                origin: origin("aws_cloudwatch_metric_alarm.root"),
            }],
            subscriptions: vec![Subscription {
                topic,
                protocol: Some("email".into()),
                endpoint: Some("sec@example.com".into()),
                confirmed: None,
                origin: origin("aws_sns_topic_subscription.sec"),
            }],
            seen: Seen::ALL,
            ..Inventory::default()
        }
    }

    fn verdict(inv: &Inventory) -> (Status, Option<Step>) {
        let options = ScanOptions {
            rules: vec!["root-account-usage".into()],
            ..ScanOptions::default()
        };
        let f = evaluate("test", inv, &options).unwrap().remove(0);
        let gap = f
            .chain
            .iter()
            .find(|l| l.state != LinkState::Ok)
            .map(|l| l.step);
        (f.status, gap)
    }

    #[test]
    fn a_declared_chain_with_the_same_unresolved_tokens_passes() {
        assert_eq!(verdict(&module()), (Status::Pass, None));
    }

    #[test]
    fn a_pattern_from_a_variable_is_manual() {
        let mut inv = module();
        inv.metric_filters[0].pattern = Val::unresolved("var.pattern");
        assert_eq!(verdict(&inv), (Status::Manual, Some(Step::MetricFilter)));
    }

    #[test]
    fn a_log_group_from_elsewhere_is_manual_and_another_one_fails() {
        let mut inv = module();
        inv.metric_filters[0].log_group = Val::unresolved("var.log_group_name");
        assert_eq!(verdict(&inv), (Status::Manual, Some(Step::Trail)));
        inv.metric_filters[0].log_group = Val::known("other");
        inv.trails[0].log_group = Some(Val::known("ct"));
        assert_eq!(verdict(&inv), (Status::Fail, Some(Step::Trail)));
    }

    #[test]
    fn no_trail_in_a_module_is_manual_but_no_trail_in_an_account_fails() {
        let mut inv = module();
        inv.trails.clear();
        inv.seen.trails = false;
        assert_eq!(verdict(&inv), (Status::Manual, Some(Step::Trail)));
        inv.seen.trails = true;
        assert_eq!(verdict(&inv), (Status::Fail, Some(Step::Trail)));
    }

    #[test]
    fn the_alarm_must_match_namespace_and_name() {
        let mut inv = module();
        inv.alarms[0].metrics[0].namespace = Val::known("Other");
        assert_eq!(verdict(&inv), (Status::Fail, Some(Step::Alarm)));
        // A metric-math alarm that includes the metric counts.
        let m = inv.metric_filters[0].metrics[0].clone();
        inv.alarms[0].metrics.push(m);
        assert_eq!(verdict(&inv), (Status::Pass, None));
    }

    #[test]
    fn an_undeclared_subscription_in_iac_is_manual_and_a_pending_one_in_aws_fails() {
        let mut inv = module();
        inv.subscriptions.clear();
        assert_eq!(verdict(&inv), (Status::Manual, Some(Step::Subscription)));
        let mut inv = module();
        inv.subscriptions[0].confirmed = Some(false);
        assert_eq!(verdict(&inv), (Status::Fail, Some(Step::Subscription)));
    }

    #[test]
    fn the_best_chain_wins_over_broken_ones() {
        let mut inv = module();
        let mut broken = inv.metric_filters[0].clone();
        broken.name = Val::known("broken");
        broken.pattern = Val::known("{ $.userIdentity.type = IAMUser }");
        inv.metric_filters.insert(0, broken);
        assert_eq!(verdict(&inv), (Status::Pass, None));
    }

    #[test]
    fn an_invalid_pattern_is_a_failing_filter_not_an_error() {
        let mut inv = module();
        inv.metric_filters[0].pattern = Val::known("{ $.a = ");
        let (status, gap) = verdict(&inv);
        assert_eq!((status, gap), (Status::Fail, Some(Step::MetricFilter)));
    }
}
