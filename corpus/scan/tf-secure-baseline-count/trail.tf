# A baseline in the style of one file per concern: the trail and its log group.
resource "aws_cloudwatch_log_group" "cloudtrail" {
  count             = var.enabled ? 1 : 0
  name              = "cloudtrail-multi-region"
  retention_in_days = 90
  tags              = var.tags
}

# Non-compliant: single-region trail.
resource "aws_cloudtrail" "global" {
  count                      = var.enabled ? 1 : 0
  name                       = var.trail_name
  s3_bucket_name             = "baseline-audit-logs"
  is_multi_region_trail      = false
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.cloudtrail[0].arn}:*"
}
