# As scenarios/dns/peered-hub-links, with kv1's public network access on and no firewall: the zone is
# linked only to the hub, so app1 in the spoke resolves kv1 public (§1.3, §11.3) — and connects, over
# the public endpoint. Nothing breaks today: a warning, with the same fix.
privlink check --estate estate --select DNS101
