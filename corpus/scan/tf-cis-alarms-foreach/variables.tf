variable "create" {
  description = "Whether to create the metric filters and alarms"
  type        = bool
  default     = true
}

variable "disabled_controls" {
  description = "Controls (keys of local.all_controls) not to create"
  type        = list(string)
  default     = ["OrganizationsChanges"]
}

variable "namespace" {
  type    = string
  default = "CISBenchmark"
}

variable "name_prefix" {
  type    = string
  default = "cis-"
}

variable "alarm_email" {
  description = "Where alarms are mailed (no default: set at apply time)"
  type        = string
}
