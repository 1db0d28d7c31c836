# vnet-spoke-a's ruleset sends vault.azure.net to 10.0.4.4 and 10.0.4.5, two inbound endpoints of resolver dnspr-hub: both
# lead to Azure DNS of vnet-hub, where privatelink.vaultcore.azure.net is linked, so whichever answers it is private.
privlink resolve kv1.vault.azure.net --from vnet-spoke-a --estate estate --format json
