# kv1 has no private endpoint and its firewall denies by default, admitting only its IP rules
# (198.51.100.0/24); route-all takes the app to its public endpoint (§5.1). Whether the app's public
# outbound address is in that range is not in the ARM documents: the trace is unknown, decided by
# kv1, and no rule diagnoses it: a warning on the vault.
privlink check --estate estate
