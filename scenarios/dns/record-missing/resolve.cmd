# kv2 has an approved PE (in another subscription), so its public chain enters kv2.privatelink.vaultcore.azure.net;
# the zone linked to vnet-app has no kv2 record: authoritative NXDOMAIN, no public fallback (§1.3-1, §11.1).
privlink resolve kv2.vault.azure.net --from vnet-app --estate estate --format json
