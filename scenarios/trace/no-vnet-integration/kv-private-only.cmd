# app1 has no VNet integration: it resolves with public DNS only (§1.8/§9 step 1: the privatelink zone linked to vnet-
# app is invisible), so kv1.vault.azure.net -> the public front end, and the traffic leaves from the platform (§3.3).
# kv1 has publicNetworkAccess Disabled: 403 ForbiddenByConnection (§5.1): denied by the vault.
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate --format json
