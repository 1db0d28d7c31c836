# The Linux app's vault refuses public traffic and is reached through pe-kv, but route-all is off everywhere
# (vnetRouteAllEnabled, outboundVnetRouting.applicationTraffic, WEBSITE_VNET_ROUTE_ALL): Key Vault references from
# Linux apps need route-all to use a private endpoint (§7.4), so AccessToKeyVaultDenied, decided by the site.
privlink env --from app-flask-privlink --estate estate
