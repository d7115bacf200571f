resource "aws_cloudwatch_log_metric_filter" "root" {
  name           = "RootUsage"
  pattern        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
  log_group_name = "trail-logs"

  metric_transformation {
    name      = "RootUsage"
    namespace = "CIS"
    value     = "1"
  }
}
