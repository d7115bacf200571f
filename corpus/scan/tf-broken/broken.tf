resource "aws_cloudwatch_metric_alarm" "root" {
  alarm_name  = "RootUsage"
  metric_name = "RootUsage"
  namespace   = "CIS"
  alarm_actions = [
    "arn:aws:sns:us-east-1:123456789012:alerts"

resource "aws_sns_topic" "t" {
  name = "alerts"
}
