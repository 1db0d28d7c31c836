# privlink-baseline.json is `privlink check --estate ../../rules/DNS101/positive/estate --format json`
# (rewrite it so when that estate or DNS101's message changes): its one finding, the Key Vault zone
# linked only to the hub, is known, so check shows none, says one is not shown, and exits 0.
privlink check --estate ../../rules/DNS101/positive/estate --baseline privlink-baseline.json
