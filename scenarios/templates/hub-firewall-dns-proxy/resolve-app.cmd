# vnet-spoke's DNS server is reference(fw-hub).ipConfigurations[0].properties.privateIPAddress: Azure gives the
# firewall the first usable address of AzureFirewallSubnet, 10.0.1.4, and privlink allocates it as Azure does. The
# policy turns the DNS proxy on, so app-spoke's query goes to the proxy, which asks Azure DNS from vnet-hub, where
# privatelink.blob.core.windows.net is linked: private, although the zone is not linked to vnet-spoke (§12.2, §12.3).
privlink resolve sthubb6lmxlhrg6kym.blob.core.windows.net --from app-spoke --estate azuredeploy.json --parameters parameters.json
