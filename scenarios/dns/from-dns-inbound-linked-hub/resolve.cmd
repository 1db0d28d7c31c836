# An on-premises client whose DNS forwarder sends kv1.vault.azure.net to 10.0.4.4, the inbound endpoint of private resolver
# dnspr-hub in vnet-hub: the resolver answers from Azure DNS of vnet-hub, where privatelink.vaultcore.azure.net is linked:
# private (§1.4, "on-prem client, conditional forwarder → inbound endpoint in a linked VNet").
privlink resolve kv1.vault.azure.net --from dns:10.0.4.4 --estate estate --format json
