# snet-pe carries nsg-pe, whose deny-app-subnet-inbound (priority 100) denies Tcp 1433 from the integration subnet
# 10.1.1.0/24. privateEndpointNetworkPolicies is RouteTableEnabled: that turns on UDR handling only, not NSGs (§2.4
# table), so the NSG is still ignored: allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
