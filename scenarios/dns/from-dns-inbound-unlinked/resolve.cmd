# The on-premises forwarder sends the query to inbound endpoint 10.0.4.4 in vnet-hub, but privatelink.vaultcore.azure.net is
# linked only to vnet-spoke: Azure DNS of vnet-hub does not see it and the public chain ends at the vault's public
# address (§1.4 "zone linked only to B, not H": public).
privlink resolve kv1.vault.azure.net --from dns:10.0.4.4 --estate estate --format json
