variable "enabled" {
  type    = bool
  default = true
}

variable "alarm_namespace" {
  type    = string
  default = "CISBenchmark"
}

variable "sns_topic_arn" {
  description = "An existing topic; empty to create one"
  type        = string
  default     = ""
}

variable "trail_name" {
  type    = string
  default = "baseline"
}

variable "tags" {
  type    = map(string)
  default = {}
}
