//! Saved AWS CLI JSON outputs, recognised by their top-level keys:
//!
//! | command | key |
//! | --- | --- |
//! | `aws cloudtrail describe-trails` | `trailList` |
//! | `aws cloudtrail get-trail-status` | `IsLogging` |
//! | `aws cloudtrail get-event-selectors` | `TrailARN` with `EventSelectors` or `AdvancedEventSelectors` |
//! | `aws logs describe-metric-filters` | `metricFilters` |
//! | `aws cloudwatch describe-alarms` | `MetricAlarms` / `CompositeAlarms` |
//! | `aws sns list-subscriptions` / `list-subscriptions-by-topic` | `Subscriptions` |
//!
//! Outputs of other commands that a scan meets on the way (`sns list-topics`,
//! `logs describe-log-groups`) are recognised and ignored.

use serde_json::{Map, Value};

use super::model::{
    arn_account_region, is_confirmed_subscription_arn, is_sns_arn, log_group_name, Alarm,
    FieldSelector, Inventory, Management, Metric, MetricFilter, Origin, PendingSelectors,
    PendingStatus, SourceKind, Subscription, Trail, Val,
};
use super::LoadError;

/// Reads `value` if it is the output of one of the AWS CLI commands the scan knows: the
/// command, in words, and the resources. `Ok(None)` when it is not an AWS CLI output.
pub fn load(path: &str, value: &Value) -> Result<Option<(&'static str, Inventory)>, LoadError> {
    let Some(obj) = value.as_object() else {
        return Ok(None);
    };
    let mut inv = Inventory::default();
    let format = if let Some(list) = obj.get("trailList") {
        inv.seen.trails = true;
        for (i, t) in array(path, "trailList", list)?.iter().enumerate() {
            inv.trails.push(trail(path, i, t)?);
        }
        "aws cloudtrail describe-trails output"
    } else if let Some(flag) = obj.get("IsLogging") {
        let logging = flag.as_bool().ok_or_else(|| {
            LoadError::new(
                path,
                "get-trail-status output: IsLogging is not true or false",
            )
        })?;
        inv.seen.trail_status = true;
        inv.pending_status.push(PendingStatus {
            logging,
            file: path.to_owned(),
        });
        "aws cloudtrail get-trail-status output"
    } else if obj.contains_key("TrailARN")
        && (obj.contains_key("EventSelectors") || obj.contains_key("AdvancedEventSelectors"))
    {
        inv.seen.event_selectors = true;
        inv.pending_selectors.push(PendingSelectors {
            trail: string(obj, "TrailARN").unwrap_or_default(),
            management: management(obj),
        });
        "aws cloudtrail get-event-selectors output"
    } else if let Some(list) = obj.get("metricFilters") {
        inv.seen.metric_filters = true;
        for (i, f) in array(path, "metricFilters", list)?.iter().enumerate() {
            inv.metric_filters.push(metric_filter(path, i, f)?);
        }
        "aws logs describe-metric-filters output"
    } else if obj.contains_key("MetricAlarms") || obj.contains_key("CompositeAlarms") {
        inv.seen.alarms = true;
        if let Some(list) = obj.get("MetricAlarms") {
            for (i, a) in array(path, "MetricAlarms", list)?.iter().enumerate() {
                inv.alarms.push(alarm(path, i, a)?);
            }
        }
        "aws cloudwatch describe-alarms output"
    } else if let Some(list) = obj.get("Subscriptions") {
        inv.seen.subscriptions = true;
        for (i, s) in array(path, "Subscriptions", list)?.iter().enumerate() {
            inv.subscriptions.push(subscription(path, i, s)?);
        }
        "aws sns list-subscriptions output"
    } else if obj.contains_key("Topics") {
        "aws sns list-topics output (not needed: subscriptions name their topics)"
    } else if obj.contains_key("logGroups") {
        "aws logs describe-log-groups output (not needed: filters name their log groups)"
    } else {
        return Ok(None);
    };
    Ok(Some((format, inv)))
}

/// The management events recorded by a trail's selectors (the object that holds
/// `EventSelectors` and/or `AdvancedEventSelectors`, as `get-event-selectors` prints it).
/// No selectors at all means CloudTrail's default: every management event.
pub fn management(obj: &Map<String, Value>) -> Management {
    let basic = obj.get("EventSelectors").and_then(Value::as_array);
    let advanced = obj.get("AdvancedEventSelectors").and_then(Value::as_array);
    let (basic, advanced) = (
        basic.map_or(&[][..], |v| v),
        advanced.map_or(&[][..], |v| v),
    );
    if basic.is_empty() && advanced.is_empty() {
        return Management::ALL;
    }
    let mut m = Management::NONE;
    for sel in basic.iter().filter_map(Value::as_object) {
        let include = sel
            .get("IncludeManagementEvents")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if include {
            // Absent, or a value CloudTrail does not have: all.
            let rw = sel.get("ReadWriteType").and_then(Value::as_str);
            m = m.union(
                rw.and_then(Management::of_read_write_type)
                    .unwrap_or(Management::ALL),
            );
        }
    }
    for sel in advanced.iter().filter_map(Value::as_object) {
        let fields = sel.get("FieldSelectors").and_then(Value::as_array);
        let selector: Vec<FieldSelector> = fields
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|f| {
                let list = |key: &str| -> Vec<String> {
                    f.get(key)
                        .and_then(Value::as_array)
                        .map(|v| {
                            v.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default()
                };
                FieldSelector {
                    field: string(f, "Field").unwrap_or_default(),
                    equals: list("Equals"),
                    not_equals: list("NotEquals"),
                }
            })
            .collect();
        m = m.union(Management::of_advanced(&selector));
    }
    m
}

fn array<'a>(path: &str, key: &str, v: &'a Value) -> Result<&'a Vec<Value>, LoadError> {
    v.as_array()
        .ok_or_else(|| LoadError::new(path, format!("`{key}` is not a list")))
}

fn item<'a>(
    path: &str,
    what: &str,
    i: usize,
    v: &'a Value,
) -> Result<&'a Map<String, Value>, LoadError> {
    v.as_object()
        .ok_or_else(|| LoadError::new(path, format!("{what} {} is not an object", i + 1)))
}

fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn required(
    path: &str,
    what: &str,
    i: usize,
    obj: &Map<String, Value>,
    key: &str,
) -> Result<String, LoadError> {
    string(obj, key)
        .ok_or_else(|| LoadError::new(path, format!("{what} {} has no `{key}` string", i + 1)))
}

fn origin(path: &str, address: &str, arn: Option<&str>) -> Origin {
    let (account, region) = arn.map(arn_account_region).unwrap_or((None, None));
    Origin::new(SourceKind::AwsCli, address)
        .at(path, None)
        .in_account(account, region)
}

fn trail(path: &str, i: usize, v: &Value) -> Result<Trail, LoadError> {
    let t = item(path, "trail", i, v)?;
    let name = required(path, "trail", i, t, "Name")?;
    let arn = string(t, "TrailARN");
    let custom = t.get("HasCustomEventSelectors").and_then(Value::as_bool);
    Ok(Trail {
        name: Val::Known(name.clone()),
        home_region: string(t, "HomeRegion"),
        multi_region: Some(
            t.get("IsMultiRegionTrail")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        logging: None,
        log_group: string(t, "CloudWatchLogsLogGroupArn")
            .map(|arn| Val::Known(log_group_name(&arn).to_owned())),
        // Without custom selectors a trail records every management event; with them, the
        // get-event-selectors output tells.
        management: (custom == Some(false)).then_some(Management::ALL),
        origin: origin(path, arn.as_deref().unwrap_or(&name), arn.as_deref()),
        arn,
    })
}

fn metric_filter(path: &str, i: usize, v: &Value) -> Result<MetricFilter, LoadError> {
    let f = item(path, "metric filter", i, v)?;
    let name = required(path, "metric filter", i, f, "filterName")?;
    let log_group = required(path, "metric filter", i, f, "logGroupName")?;
    // AWS omits `filterPattern` for the empty pattern.
    let pattern = string(f, "filterPattern").unwrap_or_default();
    let metrics = f
        .get("metricTransformations")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(Value::as_object)
                .filter_map(|t| {
                    Some(Metric {
                        namespace: Val::Known(string(t, "metricNamespace")?),
                        name: Val::Known(string(t, "metricName")?),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(MetricFilter {
        origin: origin(path, &format!("{log_group} / {name}"), None),
        name: Val::Known(name),
        log_group: Val::Known(log_group),
        pattern: Val::Known(pattern),
        metrics,
    })
}

fn alarm(path: &str, i: usize, v: &Value) -> Result<Alarm, LoadError> {
    let a = item(path, "alarm", i, v)?;
    let name = required(path, "alarm", i, a, "AlarmName")?;
    let arn = string(a, "AlarmArn");
    let mut metrics = Vec::new();
    let metric = |m: &Map<String, Value>| -> Option<Metric> {
        Some(Metric {
            namespace: Val::Known(string(m, "Namespace")?),
            name: Val::Known(string(m, "MetricName")?),
        })
    };
    metrics.extend(metric(a));
    if let Some(queries) = a.get("Metrics").and_then(Value::as_array) {
        for q in queries.iter().filter_map(Value::as_object) {
            let m = q
                .get("MetricStat")
                .and_then(|s| s.get("Metric"))
                .and_then(Value::as_object);
            metrics.extend(m.and_then(metric));
        }
    }
    let topics = a
        .get("AlarmActions")
        .and_then(Value::as_array)
        .map(|acts| {
            acts.iter()
                .filter_map(Value::as_str)
                .filter(|arn| is_sns_arn(arn))
                .map(|arn| Val::Known(arn.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Alarm {
        origin: origin(path, arn.as_deref().unwrap_or(&name), arn.as_deref()),
        name: Val::Known(name),
        metrics,
        topics,
        actions_enabled: a.get("ActionsEnabled").and_then(Value::as_bool),
    })
}

fn subscription(path: &str, i: usize, v: &Value) -> Result<Subscription, LoadError> {
    let s = item(path, "subscription", i, v)?;
    let topic = required(path, "subscription", i, s, "TopicArn")?;
    let arn = string(s, "SubscriptionArn").unwrap_or_default();
    let confirmed = is_confirmed_subscription_arn(&arn);
    Ok(Subscription {
        origin: origin(path, if confirmed { &arn } else { &topic }, Some(&topic)),
        topic: Val::Known(topic),
        protocol: string(s, "Protocol"),
        endpoint: string(s, "Endpoint"),
        confirmed: Some(confirmed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mgmt(v: Value) -> Management {
        management(v.as_object().unwrap())
    }

    #[test]
    fn basic_selectors() {
        assert_eq!(mgmt(json!({})), Management::ALL);
        assert_eq!(
            mgmt(json!({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]})),
            Management {
                read: false,
                write: true
            }
        );
        assert_eq!(
            mgmt(json!({"EventSelectors": [
                {"ReadWriteType": "WriteOnly"}, {"ReadWriteType": "ReadOnly"}]})),
            Management::ALL
        );
        assert_eq!(
            mgmt(json!({"EventSelectors": [
                {"ReadWriteType": "All", "IncludeManagementEvents": false}]})),
            Management::NONE
        );
    }

    #[test]
    fn advanced_selectors() {
        let sel = |fields: Value| json!({"AdvancedEventSelectors": [{"FieldSelectors": fields}]});
        assert_eq!(
            mgmt(sel(
                json!([{"Field": "eventCategory", "Equals": ["Management"]}])
            )),
            Management::ALL
        );
        assert_eq!(
            mgmt(sel(
                json!([{"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["false"]}])
            )),
            Management {
                read: false,
                write: true
            }
        );
        assert_eq!(
            mgmt(sel(json!([{"Field": "eventCategory", "Equals": ["Data"]}]))),
            Management::NONE
        );
    }

    #[test]
    fn pending_subscriptions_are_not_confirmed() {
        let v = json!({"Subscriptions": [
            {"SubscriptionArn": "PendingConfirmation", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Protocol": "email"},
            {"SubscriptionArn": "arn:aws:sns:us-east-1:1:t:abc", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Protocol": "sqs"}]});
        let (_, inv) = load("s.json", &v).unwrap().unwrap();
        let confirmed: Vec<_> = inv.subscriptions.iter().map(|s| s.confirmed).collect();
        assert_eq!(confirmed, [Some(false), Some(true)]);
    }

    #[test]
    fn malformed_outputs_name_the_item() {
        let err = load("f.json", &json!({"metricFilters": [{"filterName": "x"}]})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: metric filter 1 has no `logGroupName` string"
        );
        assert!(load("f.json", &json!({"trailList": 3})).is_err());
        assert!(load("f.json", &json!({"something": 1})).unwrap().is_none());
    }
}
