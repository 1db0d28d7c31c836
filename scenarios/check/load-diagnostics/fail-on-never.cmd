# --fail-on never reports the diagnostics and exits 0, as it does for findings.
privlink check --estate estate --fail-on never
