# Route-all is off (vnetRouteAllEnabled, outboundVnetRouting.applicationTraffic false, no WEBSITE_VNET_ROUTE_ALL) and
# kv1 (no private endpoint) resolves to a public address: the traffic leaves from the App Service platform, not the
# VNet (§3.3), so nsg-int's deny-internet-outbound does not apply; kv1 has public access Enabled and its firewall
# allows by default (§5.1): allowed.
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate --format json
