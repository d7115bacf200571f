# Alarms in the style of one count-guarded filter + alarm per control, the alarm watching
# the filter's id (its name).

locals {
  sns_topic_arn = var.sns_topic_arn == "" ? aws_sns_topic.alarms[0].arn : var.sns_topic_arn
  log_group     = aws_cloudwatch_log_group.cloudtrail[0].name
}

resource "aws_sns_topic" "alarms" {
  count = var.enabled && var.sns_topic_arn == "" ? 1 : 0
  name  = "CISAlarm"
}

resource "aws_sns_topic_subscription" "security" {
  count     = var.enabled ? 1 : 0
  topic_arn = local.sns_topic_arn
  protocol  = "email"
  endpoint  = "security@example.com"
}

resource "aws_cloudwatch_log_metric_filter" "unauthorized_api_calls" {
  count          = var.enabled ? 1 : 0
  name           = "UnauthorizedAPICalls"
  pattern        = "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }"
  log_group_name = local.log_group

  metric_transformation {
    name      = "UnauthorizedAPICalls"
    namespace = var.alarm_namespace
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "unauthorized_api_calls" {
  count               = var.enabled ? 1 : 0
  alarm_name          = "UnauthorizedAPICalls"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = "1"
  metric_name         = aws_cloudwatch_log_metric_filter.unauthorized_api_calls[0].id
  namespace           = var.alarm_namespace
  period              = "300"
  statistic           = "Sum"
  threshold           = "1"
  alarm_actions       = [local.sns_topic_arn]
}

# Non-compliant: the pattern misses AttachGroupPolicy, DetachGroupPolicy and
# DeletePolicyVersion.
resource "aws_cloudwatch_log_metric_filter" "iam_changes" {
  count          = var.enabled ? 1 : 0
  name           = "IAMPolicyChanges"
  pattern        = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)}"
  log_group_name = local.log_group

  metric_transformation {
    name      = "IAMPolicyChanges"
    namespace = var.alarm_namespace
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "iam_changes" {
  count               = var.enabled ? 1 : 0
  alarm_name          = "IAMPolicyChanges"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = "1"
  metric_name         = aws_cloudwatch_log_metric_filter.iam_changes[0].id
  namespace           = var.alarm_namespace
  period              = "300"
  statistic           = "Sum"
  threshold           = "1"
  alarm_actions       = [local.sns_topic_arn]
}

resource "aws_cloudwatch_log_metric_filter" "root_usage" {
  count          = var.enabled ? 1 : 0
  name           = "RootUsage"
  pattern        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
  log_group_name = local.log_group

  metric_transformation {
    name      = "RootUsage"
    namespace = var.alarm_namespace
    value     = "1"
  }
}

# Non-compliant: the alarm watches the wrong namespace.
resource "aws_cloudwatch_metric_alarm" "root_usage" {
  count               = var.enabled ? 1 : 0
  alarm_name          = "RootUsage"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = "1"
  metric_name         = aws_cloudwatch_log_metric_filter.root_usage[0].id
  namespace           = "CISBenchmarks"
  period              = "300"
  statistic           = "Sum"
  threshold           = "1"
  alarm_actions       = [local.sns_topic_arn]
}
