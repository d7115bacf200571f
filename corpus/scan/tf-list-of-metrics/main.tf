# Alarms built from a list of metric definitions (as a module might read them from a
# YAML catalogue), re-keyed by metric name for for_each.

variable "log_group_name" {
  type    = string
  default = "org-trail-logs"
}

variable "custom_pattern" {
  description = "Pattern of the custom control: no default, so it is unresolved"
  type        = string
}

variable "alert_for" {
  type    = string
  default = "CloudTrailBreach"
}

locals {
  namespace = "CloudTrailMetrics"

  metrics = [
    {
      metric_name    = "ConsoleSignInWithoutMfaCount"
      filter_pattern = "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }"
      actions        = true
    },
    {
      metric_name    = "AuthorizationFailureCount"
      filter_pattern = "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }"
      actions        = false
    },
    {
      metric_name    = "CustomControlCount"
      filter_pattern = var.custom_pattern
      actions        = true
    },
  ]

  metrics_by_name = { for m in local.metrics : m.metric_name => m }
  endpoints       = compact(concat([aws_sns_topic.alerts.arn], []))
}

# Non-compliant: logging is disabled; the advanced selector records write events only.
resource "aws_cloudtrail" "org" {
  name                       = "org-trail"
  s3_bucket_name             = "org-trail-bucket"
  is_multi_region_trail      = true
  enable_logging             = false
  cloud_watch_logs_group_arn = format("arn:aws:logs:%s:%s:log-group:%s:*", data.aws_region.current.name, data.aws_caller_identity.current.account_id, var.log_group_name)

  advanced_event_selector {
    name = "Management events (write)"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
    field_selector {
      field  = "readOnly"
      equals = ["false"]
    }
  }
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_metric_filter" "default" {
  for_each       = local.metrics_by_name
  name           = each.value.metric_name
  pattern        = each.value.filter_pattern
  log_group_name = var.log_group_name

  metric_transformation {
    name      = each.value.metric_name
    namespace = local.namespace
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "default" {
  for_each            = local.metrics_by_name
  alarm_name          = format("%s-%s", var.alert_for, each.key)
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  metric_name         = each.value.metric_name
  namespace           = local.namespace
  period              = 300
  statistic           = "Sum"
  threshold           = 1
  actions_enabled     = each.value.actions
  alarm_actions       = local.endpoints
}

# Non-compliant: an alarm without actions (metric math over the sign-in metric).
resource "aws_cloudwatch_metric_alarm" "silent" {
  alarm_name          = "SignInWithoutMfaRate"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 1
  threshold           = 0
  alarm_actions       = []

  metric_query {
    id          = "rate"
    expression  = "m1 / 5"
    return_data = true
  }

  metric_query {
    id = "m1"
    metric {
      metric_name = "ConsoleSignInWithoutMfaCount"
      namespace   = local.namespace
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_sns_topic" "alerts" {
  name_prefix = "cloudtrail-alerts-"
}

resource "aws_sns_topic_subscription" "ops" {
  topic_arn = aws_sns_topic.alerts.id
  protocol  = "https"
  endpoint  = "https://hooks.example.com/cloudtrail"
}

module "extra_alarms" {
  source         = "./modules/extra"
  log_group_name = var.log_group_name
}
