# As firewall-proxy-hub-linked, but privatelink.vaultcore.azure.net is linked only to vnet-spoke: the proxy asks Azure DNS
# from vnet-hub, which does not see the zone, so the answer is the vault's public address (§12.5 FW-DNS-2).
privlink resolve kv1.vault.azure.net --from vnet-spoke --estate estate --format json
