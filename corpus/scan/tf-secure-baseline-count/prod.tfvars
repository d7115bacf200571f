# Only read with -var-file: the loader ignores it (with a note).
alarm_namespace = "Prod"
