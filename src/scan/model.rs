//! What a scan reads out of a configuration: the resources of the CIS monitoring chain,
//! whatever their source (AWS CLI outputs, a live account, Terraform, CloudFormation).
//!
//! Loaders fill an [`Inventory`]; [`super::chain`] walks it. Values that a configuration
//! leaves to deployment time (a Terraform variable without a default, an unresolvable
//! `!Ref`) are kept as [`Val::Unresolved`], so the chain can say "cannot tell" (MANUAL)
//! instead of guessing.
//!
//! **Identity convention for loaders.** Links are followed by comparing values:
//! - log groups by *name* (a trail's `CloudWatchLogsLogGroupArn` is reduced to the name);
//! - metrics by (namespace, name);
//! - SNS topics by ARN.
//!
//! When an IaC reference cannot be reduced to a literal, both ends of a link must produce
//! the *same* [`Val::Unresolved`] token naming the referenced resource: Terraform
//! `aws_cloudwatch_log_group.ct.name` and `"${aws_cloudwatch_log_group.ct.arn}:*"` both
//! become `Unresolved("aws_cloudwatch_log_group.ct")`; CloudFormation `!Ref Topic` and
//! `!GetAtt Topic.TopicArn` both become `Unresolved("Topic")`. Two equal unresolved tokens
//! are the same resource; an unresolved token against anything else is "cannot tell".

use std::fmt;

use serde::Serialize;

/// A value read from a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Val {
    /// A literal value.
    Known(String),
    /// An expression the loader could not reduce to a literal, normalised to a token that
    /// names the referenced resource (see the module documentation).
    Unresolved(String),
}

impl Val {
    /// A literal.
    pub fn known(text: impl Into<String>) -> Val {
        Val::Known(text.into())
    }

    /// An unresolved expression or reference.
    pub fn unresolved(token: impl Into<String>) -> Val {
        Val::Unresolved(token.into())
    }

    /// The literal, if known.
    pub fn as_known(&self) -> Option<&str> {
        match self {
            Val::Known(s) => Some(s),
            Val::Unresolved(_) => None,
        }
    }

    /// Do both values name the same thing? `Some(true)` / `Some(false)` when that can be
    /// told, `None` when one side is unresolved and the tokens differ.
    pub fn same(&self, other: &Val) -> Option<bool> {
        match (self, other) {
            (Val::Known(a), Val::Known(b)) => Some(a == b),
            (Val::Unresolved(a), Val::Unresolved(b)) if a == b => Some(true),
            _ => None,
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Known(s) => f.write_str(s),
            Val::Unresolved(s) => write!(f, "<{s}>"),
        }
    }
}

/// Where the data of a resource came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A saved AWS CLI JSON output.
    AwsCli,
    /// The AWS APIs of a live account.
    AwsLive,
    /// Terraform source (`.tf`).
    Terraform,
    /// Terraform plan or state JSON (`terraform show -json`).
    TerraformPlan,
    /// A CloudFormation template (JSON or YAML).
    Cloudformation,
}

impl SourceKind {
    /// Is this infrastructure as code (findings per file, locations with lines)?
    pub fn is_iac(self) -> bool {
        matches!(
            self,
            SourceKind::Terraform | SourceKind::TerraformPlan | SourceKind::Cloudformation
        )
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::AwsCli => "aws-cli",
            SourceKind::AwsLive => "aws",
            SourceKind::Terraform => "terraform",
            SourceKind::TerraformPlan => "terraform-plan",
            SourceKind::Cloudformation => "cloudformation",
        })
    }
}

/// A resource's identity and location.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Origin {
    /// The kind of source.
    pub source: SourceKind,
    /// The resource: an ARN, a Terraform address (`aws_cloudwatch_log_metric_filter.iam`,
    /// `module.x.aws_cloudwatch_metric_alarm.y`), a CloudFormation logical id, or a name.
    pub address: String,
    /// The file it was read from (as named on the command line), if any.
    pub file: Option<String>,
    /// The 1-based line of its declaration in `file`, if known.
    pub line: Option<u32>,
    /// The AWS account, if known.
    pub account: Option<String>,
    /// The AWS region, if known.
    pub region: Option<String>,
}

impl Origin {
    /// An origin with only a source kind and an address.
    pub fn new(source: SourceKind, address: impl Into<String>) -> Origin {
        Origin {
            source,
            address: address.into(),
            file: None,
            line: None,
            account: None,
            region: None,
        }
    }

    /// The same origin in `file` at `line`.
    pub fn at(mut self, file: impl Into<String>, line: Option<u32>) -> Origin {
        self.file = Some(file.into());
        self.line = line;
        self
    }

    /// The same origin with account and region (from an ARN, say).
    pub fn in_account(mut self, account: Option<String>, region: Option<String>) -> Origin {
        self.account = account;
        self.region = region;
        self
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)?;
        if let Some(file) = &self.file {
            write!(f, " ({file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Which management events a trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Management {
    /// Read events (`ReadWriteType` `All` or `ReadOnly`).
    pub read: bool,
    /// Write events (`All` or `WriteOnly`).
    pub write: bool,
}

impl Management {
    /// Read and write management events: CloudTrail's default.
    pub const ALL: Management = Management {
        read: true,
        write: true,
    };
    /// No management events.
    pub const NONE: Management = Management {
        read: false,
        write: false,
    };

    /// The events recorded by either of two selectors.
    pub fn union(self, other: Management) -> Management {
        Management {
            read: self.read || other.read,
            write: self.write || other.write,
        }
    }
}

impl Management {
    /// What a basic event selector with this `ReadWriteType` records; `None` for a value
    /// CloudTrail does not have.
    pub fn of_read_write_type(rw: &str) -> Option<Management> {
        match rw {
            "All" => Some(Management::ALL),
            "ReadOnly" => Some(Management {
                read: true,
                write: false,
            }),
            "WriteOnly" => Some(Management {
                read: false,
                write: true,
            }),
            _ => None,
        }
    }

    /// What an advanced event selector records: management events when its
    /// `eventCategory` field selector equals `Management`, reads and writes unless a
    /// `readOnly` field selector narrows them. Every source's loader reads its selectors
    /// into [`FieldSelector`]s and asks this one rule.
    pub fn of_advanced(selector: &[FieldSelector]) -> Management {
        let category = selector.iter().find(|f| f.field == "eventCategory");
        let management = category.is_some_and(|f| {
            f.equals.iter().any(|v| v == "Management")
                && !f.not_equals.iter().any(|v| v == "Management")
        });
        if !management {
            return Management::NONE;
        }
        let mut m = Management::ALL;
        for f in selector.iter().filter(|f| f.field == "readOnly") {
            let allows = |value: &str| {
                (f.equals.is_empty() || f.equals.iter().any(|v| v == value))
                    && !f.not_equals.iter().any(|v| v == value)
            };
            m.read &= allows("true");
            m.write &= allows("false");
        }
        m
    }
}

/// One field selector of an advanced event selector (`Field`, `Equals`, `NotEquals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSelector {
    /// The field: `eventCategory`, `readOnly`, `eventSource`, ...
    pub field: String,
    /// The values it must equal (any of them).
    pub equals: Vec<String>,
    /// The values it must not equal.
    pub not_equals: Vec<String>,
}

/// Is this ARN an SNS topic's (`arn:<partition>:sns:...`)? Alarm actions that are not
/// (Auto Scaling, EC2, SSM, Lambda) do not notify anyone through SNS.
pub fn is_sns_arn(arn: &str) -> bool {
    let mut parts = arn.split(':');
    parts.next() == Some("arn") && parts.nth(1) == Some("sns")
}

/// Is a subscription with this `SubscriptionArn` confirmed? AWS shows
/// `PendingConfirmation` (or `Deleted`) instead of an ARN until it is.
pub fn is_confirmed_subscription_arn(arn: &str) -> bool {
    arn.starts_with("arn:")
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trail {
    /// Its name.
    pub name: Val,
    /// Its ARN, when known (used to attach `get-event-selectors` outputs).
    pub arn: Option<String>,
    /// The region it was created in.
    pub home_region: Option<String>,
    /// `IsMultiRegionTrail` (`None`: cannot tell).
    pub multi_region: Option<bool>,
    /// `IsLogging` from `get-trail-status`, or `enable_logging` / `IsLogging` in IaC
    /// (`None`: cannot tell).
    pub logging: Option<bool>,
    /// The CloudWatch Logs log group it delivers to, by name (`None`: none configured).
    pub log_group: Option<Val>,
    /// The management events it records (`None`: cannot tell, e.g. the event selectors
    /// were not read). A trail without selectors records all of them.
    pub management: Option<Management>,
    /// Where it is declared.
    pub origin: Origin,
}

/// A metric: what a metric filter publishes and an alarm watches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Metric {
    /// The namespace (`metricNamespace`, `Namespace`).
    pub namespace: Val,
    /// The metric name.
    pub name: Val,
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricFilter {
    /// Its name.
    pub name: Val,
    /// The log group it is on, by name.
    pub log_group: Val,
    /// The filter pattern (a literal, or unresolved).
    pub pattern: Val,
    /// The metrics it publishes (its metric transformations).
    pub metrics: Vec<Metric>,
    /// Where it is declared.
    pub origin: Origin,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// Its name.
    pub name: Val,
    /// The metrics it watches: `MetricName` + `Namespace`, or every metric of a
    /// metric-math alarm (`Metrics[].MetricStat.Metric`).
    pub metrics: Vec<Metric>,
    /// The SNS topics among its `AlarmActions`, by ARN (or unresolved token). Actions that
    /// are not SNS topics (Auto Scaling, SSM, ...) are left out.
    pub topics: Vec<Val>,
    /// `ActionsEnabled` (`None`: cannot tell; AWS's default is `true`).
    pub actions_enabled: Option<bool>,
    /// Where it is declared.
    pub origin: Origin,
}

/// An SNS subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// The topic, by ARN (or unresolved token).
    pub topic: Val,
    /// `email`, `https`, `sqs`, ...
    pub protocol: Option<String>,
    /// Where notifications go.
    pub endpoint: Option<String>,
    /// Is it confirmed? From AWS: `false` when its `SubscriptionArn` is
    /// `PendingConfirmation`. From IaC: `None` (cannot be seen before deployment).
    pub confirmed: Option<bool>,
    /// Where it is declared.
    pub origin: Origin,
}

/// An `IsLogging` answer not yet tied to a trail: `aws cloudtrail get-trail-status`
/// prints no trail name, so the output is attached at [`Inventory::finish`] — to the only
/// trail, or to the trail whose name the file's name contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingStatus {
    /// `IsLogging`.
    pub logging: bool,
    /// The file it came from.
    pub file: String,
}

/// Event selectors read apart from their trail (`aws cloudtrail get-event-selectors`),
/// attached to the trail with this ARN (or name) at [`Inventory::finish`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingSelectors {
    /// `TrailARN` of the output.
    pub trail: String,
    /// The management events the selectors record.
    pub management: Management,
}

/// Which kinds of resources a source can speak for. A kind that was not read (no
/// `describe-alarms` output given, a denied API call, a Terraform module that declares no
/// trail) makes a missing link "cannot tell" (MANUAL), not "missing" (FAIL).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// Trails were listed.
    pub trails: bool,
    /// Trails' logging status was read.
    pub trail_status: bool,
    /// Trails' event selectors were read.
    pub event_selectors: bool,
    /// Metric filters were listed.
    pub metric_filters: bool,
    /// Alarms were listed.
    pub alarms: bool,
    /// SNS subscriptions were listed.
    pub subscriptions: bool,
}

impl Seen {
    /// Everything was read.
    pub const ALL: Seen = Seen {
        trails: true,
        trail_status: true,
        event_selectors: true,
        metric_filters: true,
        alarms: true,
        subscriptions: true,
    };

    /// What either of two sources read.
    pub fn union(self, o: Seen) -> Seen {
        Seen {
            trails: self.trails || o.trails,
            trail_status: self.trail_status || o.trail_status,
            event_selectors: self.event_selectors || o.event_selectors,
            metric_filters: self.metric_filters || o.metric_filters,
            alarms: self.alarms || o.alarms,
            subscriptions: self.subscriptions || o.subscriptions,
        }
    }
}

/// A remark about the data, shown with the findings of its scope (a denied API call, an
/// unresolved variable, an ignored resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The file or API call it is about.
    pub about: String,
    /// The remark.
    pub message: String,
}

/// Everything read for one scope: an AWS account (live or CLI outputs), a Terraform
/// module (one directory), a plan file or a CloudFormation template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Trails.
    pub trails: Vec<Trail>,
    /// Metric filters.
    pub metric_filters: Vec<MetricFilter>,
    /// Alarms.
    pub alarms: Vec<Alarm>,
    /// SNS subscriptions.
    pub subscriptions: Vec<Subscription>,
    /// Which kinds of resources were read.
    pub seen: Seen,
    /// Logging statuses not yet tied to a trail.
    pub pending_status: Vec<PendingStatus>,
    /// Event selectors not yet tied to a trail.
    pub pending_selectors: Vec<PendingSelectors>,
    /// Remarks.
    pub notes: Vec<Note>,
}

impl Inventory {
    /// Adds everything of `other` to this inventory.
    pub fn merge(&mut self, other: Inventory) {
        self.trails.extend(other.trails);
        self.metric_filters.extend(other.metric_filters);
        self.alarms.extend(other.alarms);
        self.subscriptions.extend(other.subscriptions);
        self.seen = self.seen.union(other.seen);
        self.pending_status.extend(other.pending_status);
        self.pending_selectors.extend(other.pending_selectors);
        self.notes.extend(other.notes);
    }

    /// Ties pending statuses and selectors to their trails; what cannot be tied becomes a
    /// note. Call once everything of the scope is merged.
    pub fn finish(&mut self) {
        for sel in std::mem::take(&mut self.pending_selectors) {
            let trail = self.trails.iter_mut().find(|t| {
                t.arn.as_deref() == Some(sel.trail.as_str())
                    || t.name.as_known() == Some(sel.trail.as_str())
            });
            match trail {
                Some(t) => t.management = Some(sel.management),
                None => self.notes.push(Note {
                    about: sel.trail.clone(),
                    message: "event selectors of a trail that no describe-trails output lists"
                        .to_owned(),
                }),
            }
        }
        for status in std::mem::take(&mut self.pending_status) {
            let index = if self.trails.len() == 1 {
                Some(0)
            } else {
                // The longest trail name contained in the file name, so that `prod` does not
                // take the status of `prod-eu`.
                self.trails
                    .iter()
                    .enumerate()
                    .filter_map(|(i, t)| {
                        let name = t.name.as_known()?;
                        file_stem(&status.file)
                            .contains(name)
                            .then_some((i, name.len()))
                    })
                    .max_by_key(|&(_, len)| len)
                    .map(|(i, _)| i)
            };
            match index {
                Some(i) => self.trails[i].logging = Some(status.logging),
                None => self.notes.push(Note {
                    about: status.file.clone(),
                    message: format!(
                        "a get-trail-status output (IsLogging={}) that names no trail: with {} \
                         trails listed, its file name must contain the trail's name",
                        status.logging,
                        self.trails.len()
                    ),
                }),
            }
        }
    }
}

fn file_stem(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The account and region of an ARN (`arn:aws:service:region:account:...`).
pub fn arn_account_region(arn: &str) -> (Option<String>, Option<String>) {
    let mut parts = arn.splitn(6, ':');
    let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    if parts.next() != Some("arn") {
        return (None, None);
    }
    let _partition = parts.next();
    let _service = parts.next();
    let region = non_empty(parts.next());
    let account = non_empty(parts.next());
    (account, region)
}

/// The log group name of a log group ARN (`arn:aws:logs:r:a:log-group:NAME:*`), or the
/// text itself when it is not such an ARN.
pub fn log_group_name(arn_or_name: &str) -> &str {
    match arn_or_name.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest),
        None => arn_or_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_reduce_to_names() {
        assert_eq!(
            log_group_name("arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/Default:*"),
            "CloudTrail/Default"
        );
        assert_eq!(
            log_group_name("arn:aws:logs:us-east-1:123456789012:log-group:a:b"),
            "a:b"
        );
        assert_eq!(log_group_name("plain"), "plain");
    }

    #[test]
    fn arns_give_account_and_region() {
        let (a, r) = arn_account_region("arn:aws:sns:eu-west-1:123456789012:alerts");
        assert_eq!(a.as_deref(), Some("123456789012"));
        assert_eq!(r.as_deref(), Some("eu-west-1"));
        assert_eq!(arn_account_region("nope"), (None, None));
    }

    #[test]
    fn unresolved_values_compare_only_by_token() {
        let k = Val::known("a");
        let u = Val::unresolved("aws_sns_topic.x");
        assert_eq!(k.same(&Val::known("a")), Some(true));
        assert_eq!(k.same(&Val::known("b")), Some(false));
        assert_eq!(u.same(&u.clone()), Some(true));
        assert_eq!(u.same(&k), None);
        assert_eq!(u.same(&Val::unresolved("aws_sns_topic.y")), None);
    }
}
