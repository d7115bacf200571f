# A CIS monitoring module in the style of a for_each over a map of controls:
# one metric filter and one alarm per key of local.controls.

locals {
  all_controls = {
    RootAccountUsage = {
      pattern     = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
      description = "Usage of the root account"
    }
    IAMPolicyChanges = {
      pattern     = "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"
      description = "IAM policy changes"
    }
    CloudTrailCfgChanges = {
      pattern     = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
      description = "CloudTrail configuration changes"
      metric_name = "CloudTrailConfigChanges"
    }
    ConsoleSigninFailures = {
      pattern     = "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }"
      description = "Console authentication failures"
    }
    OrganizationsChanges = {
      pattern     = "{ ($.eventSource = organizations.amazonaws.com) }"
      description = "Disabled through var.disabled_controls"
    }
  }

  controls = {
    for name, control in local.all_controls : name => control
    if !contains(var.disabled_controls, name)
  }
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "${var.name_prefix}cloudtrail"
  retention_in_days = 365
}

resource "aws_cloudtrail" "main" {
  name                          = "${var.name_prefix}main"
  s3_bucket_name                = "cis-trail-bucket"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail.arn

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
}

resource "aws_iam_role" "trail" {
  name               = "cis-trail-to-cloudwatch"
  assume_role_policy = "{}"
}

resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each = var.create ? local.controls : {}

  name           = lookup(each.value, "name", each.key)
  pattern        = each.value["pattern"]
  log_group_name = aws_cloudwatch_log_group.trail.name

  metric_transformation {
    name      = lookup(each.value, "metric_name", each.key)
    namespace = var.namespace
    value     = 1
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.create ? local.controls : {}

  alarm_name          = "${var.name_prefix}${each.key}"
  alarm_description   = each.value.description
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  metric_name         = aws_cloudwatch_log_metric_filter.this[each.key].metric_transformation[0].name
  namespace           = var.namespace
  period              = 300
  statistic           = "Sum"
  threshold           = 1
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name_prefix}alarms"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}
