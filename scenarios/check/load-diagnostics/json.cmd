# As text.cmd, in JSON: "diagnostics" carries each load diagnostic under the names
# `inventory --format json` uses; the summary counts them with the findings.
privlink check --estate estate --format json
