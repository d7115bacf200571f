trail_name      = "org-baseline"
alarm_namespace = "CISBenchmark"
