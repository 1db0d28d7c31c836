# Three dependencies (from the app settings and the estate's PEs, as resolve --all): sql1 through its PE: allowed;
# redis1 on REDIS_PORT=6379 with the non-TLS port off: denied by the cache (§5.3); kv1's
# privatelink.vaultcore.azure.net zone is linked to no VNet, so kv1 resolves public, route-all sends it into the VNet
# and nsg-int's deny-internet-outbound drops it (§1.3-2, §3.3, §4.1): denied by that rule, but the change to make is
# the unlinked zone (the DNS root cause), not the rule. Any non-allowed line: exit code 1.
privlink trace --from app1 --all --estate estate
