//! `scan --aws`: reads the resources of the CIS monitoring chain from a live AWS account with
//! the AWS SDK for Rust (feature `aws`).
//!
//! The credentials, the default region and the endpoints are the SDK's usual ones: the
//! environment, the shared config and credentials files (profiles, SSO, `credential_process`),
//! container and instance metadata; `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` point
//! the calls elsewhere (the end-to-end tests use a local moto server).
//!
//! Only missing credentials or region are fatal. A call that fails (access denied, throttled
//! beyond the SDK's retries, a service an emulator lacks) leaves its kind of resource
//! unread: the matching [`Seen`] flag stays `false` and a [`Note`] says which call failed
//! where, so the chain reports "cannot tell" (MANUAL) instead of "missing" (FAIL).

use std::collections::HashSet;
use std::error::Error;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, EventSelector, ReadWriteType};
use aws_sdk_sts::error::DisplayErrorContext;
use aws_smithy_http_client::tls;

use cwpattern::scan::model::{
    arn_account_region, is_confirmed_subscription_arn, is_sns_arn, log_group_name, FieldSelector,
};
use cwpattern::scan::{
    Alarm, Inventory, Management, Metric, MetricFilter, Note, Origin, Seen, SourceKind,
    Subscription, Trail, Val,
};

/// Pages read from one listing at most: a guard against a server that never stops handing
/// out continuation tokens.
const MAX_PAGES: usize = 10_000;

/// Reads the chain's resources from the account reachable with the default credential chain
/// (env, profile, SSO, IMDS...), honouring `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`,
/// in each region of `regions` (none: the configured default region).
///
/// Returns one `(scope label, inventory)` per account — the label is
/// `aws account 123456789012` — with every region merged into it (each resource's region is in
/// its [`Origin`]) and [`Inventory::finish`] already called. Fails only when there are no
/// credentials or no region; failed API calls become [`Note`]s.
pub fn scan_live(regions: &[String]) -> Result<Vec<(String, Inventory)>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(scan(regions))
}

async fn scan(regions: &[String]) -> Result<Vec<(String, Inventory)>, String> {
    // rustls with ring: see Cargo.toml for why not the SDK's default TLS stack.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await;

    let regions: Vec<String> = if regions.is_empty() {
        match config.region() {
            Some(region) => vec![region.to_string()],
            None => {
                return Err(
                    "no AWS region: give --region, or set AWS_REGION or a profile's \
                            region"
                        .to_owned(),
                )
            }
        }
    } else {
        let mut seen = HashSet::new();
        regions
            .iter()
            .filter(|r| seen.insert(r.as_str()))
            .cloned()
            .collect()
    };

    use aws_sdk_sts::config::ProvideCredentials;
    let Some(provider) = config.credentials_provider() else {
        return Err("no AWS credentials provider is configured".to_owned());
    };
    if let Err(e) = provider.provide_credentials().await {
        return Err(format!("no AWS credentials: {}", DisplayErrorContext(&e)));
    }

    let mut scan = Scan {
        config,
        inventory: Inventory {
            seen: Seen::ALL,
            ..Inventory::default()
        },
        account: None,
        trail_arns: HashSet::new(),
    };
    scan.caller_account(&regions[0]).await;
    for region in &regions {
        scan.trails(region).await;
        scan.metric_filters(region).await;
        scan.alarms(region).await;
        scan.subscriptions(region).await;
    }

    let Scan {
        mut inventory,
        account,
        ..
    } = scan;
    // If GetCallerIdentity was denied, the account is the one the resources' ARNs name.
    let account = account.or_else(|| account_of_resources(&inventory));
    for origin in origins_mut(&mut inventory) {
        if origin.account.is_none() {
            origin.account.clone_from(&account);
        }
    }
    inventory.finish();
    let label = match &account {
        Some(id) => format!("aws account {id}"),
        None => "aws account (unknown)".to_owned(),
    };
    Ok(vec![(label, inventory)])
}

/// The state of a scan: the shared SDK configuration and what was read so far.
struct Scan {
    config: SdkConfig,
    inventory: Inventory,
    /// The caller's account, from STS.
    account: Option<String>,
    /// The trails already listed (multi-region trails show up in every region).
    trail_arns: HashSet<String>,
}

impl Scan {
    /// Records a failed call.
    fn failed(&mut self, service: &str, operation: &str, region: &str, error: &dyn Error) {
        self.inventory.notes.push(Note {
            about: format!("{service}:{operation} in {region}"),
            message: format!(
                "the call failed, so what it lists is unknown: {}",
                DisplayErrorContext(error)
            ),
        });
    }

    fn origin(&self, address: &str, arn: Option<&str>, region: &str) -> Origin {
        let (account, arn_region) = arn.map(arn_account_region).unwrap_or((None, None));
        Origin::new(SourceKind::AwsLive, address).in_account(
            account.or_else(|| self.account.clone()),
            arn_region.or_else(|| Some(region.to_owned())),
        )
    }

    async fn caller_account(&mut self, region: &str) {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        let client = aws_sdk_sts::Client::from_conf(conf);
        match client.get_caller_identity().send().await {
            Ok(out) => self.account = out.account().map(str::to_owned),
            Err(e) => {
                // Not a link of the chain: only the scope's label depends on it.
                self.inventory.notes.push(Note {
                    about: format!("sts:GetCallerIdentity in {region}"),
                    message: format!(
                        "the call failed; the account is taken from the resources' ARNs: {}",
                        DisplayErrorContext(&e)
                    ),
                });
            }
        }
    }

    fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_cloudtrail::Client::from_conf(conf)
    }

    async fn trails(&mut self, region: &str) {
        let listed = match self
            .cloudtrail(region)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
        {
            Ok(out) => out.trail_list,
            Err(e) => {
                self.inventory.seen.trails = false;
                self.failed("cloudtrail", "DescribeTrails", region, &e);
                return;
            }
        };
        for t in listed.unwrap_or_default() {
            let Some(name) = t.name() else { continue };
            let arn = t.trail_arn();
            if let Some(arn) = arn {
                if !self.trail_arns.insert(arn.to_owned()) {
                    continue;
                }
            }
            // A multi-region trail is listed in every region (as a "shadow trail" outside
            // its home region); its status and selectors are asked of its home region, by
            // ARN.
            let id = arn.unwrap_or(name);
            let home = t.home_region().unwrap_or(region).to_owned();
            let client = self.cloudtrail(&home);

            let logging = match client.get_trail_status().name(id).send().await {
                Ok(out) => out.is_logging(),
                Err(e) => {
                    self.inventory.seen.trail_status = false;
                    self.failed("cloudtrail", "GetTrailStatus", &home, &e);
                    None
                }
            };
            let management = match client.get_event_selectors().trail_name(id).send().await {
                Ok(out) => {
                    let (management, remarks) =
                        management_events(out.event_selectors(), out.advanced_event_selectors());
                    for message in remarks {
                        self.inventory.notes.push(Note {
                            about: id.to_owned(),
                            message,
                        });
                    }
                    Some(management)
                }
                Err(e) => {
                    self.inventory.seen.event_selectors = false;
                    self.failed("cloudtrail", "GetEventSelectors", &home, &e);
                    None
                }
            };
            let mut origin = self.origin(id, arn, region);
            origin.region = Some(home.clone());
            self.inventory.trails.push(Trail {
                name: Val::known(name),
                arn: arn.map(str::to_owned),
                home_region: t.home_region().map(str::to_owned),
                multi_region: t.is_multi_region_trail(),
                logging,
                log_group: t
                    .cloud_watch_logs_log_group_arn()
                    .filter(|a| !a.is_empty())
                    .map(|a| Val::known(log_group_name(a))),
                management,
                origin,
            });
        }
    }

    async fn metric_filters(&mut self, region: &str) {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        let client = aws_sdk_cloudwatchlogs::Client::from_conf(conf);
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = match client
                .describe_metric_filters()
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    self.inventory.seen.metric_filters = false;
                    self.failed("logs", "DescribeMetricFilters", region, &e);
                    return;
                }
            };
            for f in page.metric_filters() {
                let (Some(name), Some(group)) = (f.filter_name(), f.log_group_name()) else {
                    continue;
                };
                let metrics = f
                    .metric_transformations()
                    .iter()
                    .map(|m| Metric {
                        namespace: Val::known(m.metric_namespace()),
                        name: Val::known(m.metric_name()),
                    })
                    .collect();
                let origin = self.origin(name, None, region);
                self.inventory.metric_filters.push(MetricFilter {
                    name: Val::known(name),
                    log_group: Val::known(group),
                    pattern: Val::known(f.filter_pattern().unwrap_or_default()),
                    metrics,
                    origin,
                });
            }
            match next_token(&token, page.next_token()) {
                Some(next) => token = Some(next),
                None => return,
            }
        }
        self.too_many_pages("logs", "DescribeMetricFilters", region);
    }

    async fn alarms(&mut self, region: &str) {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        let client = aws_sdk_cloudwatch::Client::from_conf(conf);
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = match client
                .describe_alarms()
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    self.inventory.seen.alarms = false;
                    self.failed("cloudwatch", "DescribeAlarms", region, &e);
                    return;
                }
            };
            for a in page.metric_alarms() {
                let Some(name) = a.alarm_name() else { continue };
                let mut metrics = Vec::new();
                if let (Some(namespace), Some(metric)) = (a.namespace(), a.metric_name()) {
                    metrics.push(Metric {
                        namespace: Val::known(namespace),
                        name: Val::known(metric),
                    });
                }
                for query in a.metrics() {
                    let Some(m) = query.metric_stat().and_then(|s| s.metric()) else {
                        continue;
                    };
                    if let (Some(namespace), Some(metric)) = (m.namespace(), m.metric_name()) {
                        metrics.push(Metric {
                            namespace: Val::known(namespace),
                            name: Val::known(metric),
                        });
                    }
                }
                let topics = a
                    .alarm_actions()
                    .iter()
                    .filter(|action| is_sns_arn(action))
                    .map(Val::known)
                    .collect();
                let origin = self.origin(a.alarm_arn().unwrap_or(name), a.alarm_arn(), region);
                self.inventory.alarms.push(Alarm {
                    name: Val::known(name),
                    metrics,
                    topics,
                    actions_enabled: a.actions_enabled(),
                    origin,
                });
            }
            match next_token(&token, page.next_token()) {
                Some(next) => token = Some(next),
                None => return,
            }
        }
        self.too_many_pages("cloudwatch", "DescribeAlarms", region);
    }

    async fn subscriptions(&mut self, region: &str) {
        let conf = aws_sdk_sns::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        let client = aws_sdk_sns::Client::from_conf(conf);
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = match client
                .list_subscriptions()
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    self.inventory.seen.subscriptions = false;
                    self.failed("sns", "ListSubscriptions", region, &e);
                    return;
                }
            };
            for s in page.subscriptions() {
                let Some(topic) = s.topic_arn() else { continue };
                let arn = s.subscription_arn();
                // A confirmed subscription has an ARN; otherwise AWS shows
                // "PendingConfirmation" (or "Deleted").
                let confirmed = arn.map(is_confirmed_subscription_arn);
                let real_arn = arn.filter(|a| is_confirmed_subscription_arn(a));
                let address = match real_arn {
                    Some(a) => a.to_owned(),
                    None => format!(
                        "{topic} ({}: {})",
                        s.protocol().unwrap_or("?"),
                        s.endpoint().unwrap_or("?")
                    ),
                };
                let origin = self.origin(&address, Some(real_arn.unwrap_or(topic)), region);
                self.inventory.subscriptions.push(Subscription {
                    topic: Val::known(topic),
                    protocol: s.protocol().map(str::to_owned),
                    endpoint: s.endpoint().map(str::to_owned),
                    confirmed,
                    origin,
                });
            }
            match next_token(&token, page.next_token()) {
                Some(next) => token = Some(next),
                None => return,
            }
        }
        self.too_many_pages("sns", "ListSubscriptions", region);
    }

    fn too_many_pages(&mut self, service: &str, operation: &str, region: &str) {
        self.inventory.notes.push(Note {
            about: format!("{service}:{operation} in {region}"),
            message: format!("stopped after {MAX_PAGES} pages; later pages were not read"),
        });
    }
}

/// The continuation token of the next page, if there is one. A server that hands back the
/// token it was given (a bug) ends the listing instead of looping.
fn next_token(current: &Option<String>, next: Option<&str>) -> Option<String> {
    match next {
        Some(next) if !next.is_empty() && current.as_deref() != Some(next) => Some(next.to_owned()),
        _ => None,
    }
}

/// The management events a trail's selectors record, with remarks about selectors that
/// narrow them in ways [`Management`] cannot express.
///
/// Basic selectors: the union of those with `IncludeManagementEvents` (default `true`), by
/// `ReadWriteType` (default `All`). Advanced selectors: those whose `eventCategory` equals
/// `Management`, by their `readOnly` field (absent: both). No selectors at all: everything,
/// as CloudTrail records by default.
fn management_events(
    basic: &[EventSelector],
    advanced: &[AdvancedEventSelector],
) -> (Management, Vec<String>) {
    let mut remarks = Vec::new();
    if basic.is_empty() && advanced.is_empty() {
        return (Management::ALL, remarks);
    }
    let mut management = Management::NONE;
    for s in basic {
        if s.include_management_events() == Some(false) {
            continue;
        }
        let rw = s.read_write_type().map_or("All", ReadWriteType::as_str);
        let events = Management::of_read_write_type(rw).unwrap_or_else(|| {
            remarks.push(format!(
                "event selector with an unknown ReadWriteType {rw:?}: taken as All"
            ));
            Management::ALL
        });
        management = management.union(events);
    }
    for s in advanced {
        let selector: Vec<FieldSelector> = s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                not_equals: f.not_equals().to_vec(),
            })
            .collect();
        let events = Management::of_advanced(&selector);
        if events == Management::NONE {
            continue;
        }
        for f in selector
            .iter()
            .filter(|f| f.field != "eventCategory" && f.field != "readOnly")
        {
            remarks.push(format!(
                "advanced event selector {:?} narrows management events by `{}`: some \
                 management events may not be recorded",
                s.name().unwrap_or("(unnamed)"),
                f.field
            ));
        }
        management = management.union(events);
    }
    (management, remarks)
}

/// The account most of the inventory's ARNs name, for when STS could not say.
fn account_of_resources(inventory: &Inventory) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let accounts = inventory
        .trails
        .iter()
        .filter_map(|t| t.arn.as_deref())
        .chain(inventory.alarms.iter().map(|a| a.origin.address.as_str()))
        .chain(
            inventory
                .subscriptions
                .iter()
                .filter_map(|s| s.topic.as_known()),
        )
        .filter_map(|arn| arn_account_region(arn).0);
    for account in accounts {
        match counts.iter_mut().find(|(a, _)| *a == account) {
            Some((_, n)) => *n += 1,
            None => counts.push((account, 1)),
        }
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(a, _)| a)
}

/// Every origin of the inventory.
fn origins_mut(inventory: &mut Inventory) -> impl Iterator<Item = &mut Origin> {
    inventory
        .trails
        .iter_mut()
        .map(|t| &mut t.origin)
        .chain(inventory.metric_filters.iter_mut().map(|f| &mut f.origin))
        .chain(inventory.alarms.iter_mut().map(|a| &mut a.origin))
        .chain(inventory.subscriptions.iter_mut().map(|s| &mut s.origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudtrail::types::AdvancedFieldSelector;

    fn basic(rw: Option<ReadWriteType>, management: Option<bool>) -> EventSelector {
        EventSelector::builder()
            .set_read_write_type(rw)
            .set_include_management_events(management)
            .build()
    }

    fn field(name: &str, equals: &[&str], not_equals: &[&str]) -> AdvancedFieldSelector {
        let mut b = AdvancedFieldSelector::builder().field(name);
        for v in equals {
            b = b.equals(*v);
        }
        for v in not_equals {
            b = b.not_equals(*v);
        }
        b.build().expect("field is set")
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector::builder()
            .name("s")
            .set_field_selectors(Some(fields))
            .build()
            .expect("field selectors are set")
    }

    const READ: Management = Management {
        read: true,
        write: false,
    };
    const WRITE: Management = Management {
        read: false,
        write: true,
    };

    #[test]
    fn no_selectors_record_everything() {
        assert_eq!(management_events(&[], &[]).0, Management::ALL);
    }

    #[test]
    fn basic_selectors_unite_their_read_write_types() {
        let m = |s: &[EventSelector]| management_events(s, &[]).0;
        assert_eq!(m(&[basic(None, None)]), Management::ALL);
        assert_eq!(m(&[basic(Some(ReadWriteType::WriteOnly), None)]), WRITE);
        assert_eq!(
            m(&[
                basic(Some(ReadWriteType::WriteOnly), Some(true)),
                basic(Some(ReadWriteType::ReadOnly), None)
            ]),
            Management::ALL
        );
        assert_eq!(
            m(&[basic(Some(ReadWriteType::All), Some(false))]),
            Management::NONE
        );
    }

    #[test]
    fn advanced_selectors_read_event_category_and_read_only() {
        let m = |s: &[AdvancedEventSelector]| management_events(&[], s);
        let mgmt = || field("eventCategory", &["Management"], &[]);
        assert_eq!(m(&[advanced(vec![mgmt()])]).0, Management::ALL);
        assert_eq!(
            m(&[advanced(vec![mgmt(), field("readOnly", &["true"], &[])])]).0,
            READ
        );
        assert_eq!(
            m(&[advanced(vec![mgmt(), field("readOnly", &[], &["true"])])]).0,
            WRITE
        );
        // Data events only.
        assert_eq!(
            m(&[advanced(vec![field("eventCategory", &["Data"], &[])])]).0,
            Management::NONE
        );
        // Excluding an event source is recorded as a remark.
        let (events, remarks) = m(&[advanced(vec![
            mgmt(),
            field("eventSource", &[], &["kms.amazonaws.com"]),
        ])]);
        assert_eq!(events, Management::ALL);
        assert_eq!(remarks.len(), 1);
    }

    #[test]
    fn only_sns_actions_are_topics() {
        assert!(is_sns_arn("arn:aws:sns:us-east-1:123456789012:alerts"));
        assert!(is_sns_arn(
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:a"
        ));
        assert!(!is_sns_arn(
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x"
        ));
        assert!(!is_sns_arn(
            "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Stop/1.0"
        ));
        assert!(!is_sns_arn("sns"));
    }

    #[test]
    fn a_repeated_token_ends_the_listing() {
        assert_eq!(next_token(&None, Some("a")), Some("a".to_owned()));
        assert_eq!(next_token(&Some("a".to_owned()), Some("a")), None);
        assert_eq!(next_token(&Some("a".to_owned()), Some("")), None);
        assert_eq!(next_token(&Some("a".to_owned()), None), None);
    }
}
