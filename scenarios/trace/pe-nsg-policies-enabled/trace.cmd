# snet-pe carries nsg-pe, whose deny-app-subnet-inbound (priority 100) denies Tcp 1433 from the integration subnet
# 10.1.1.0/24. privateEndpointNetworkPolicies is Enabled: NSG and route-table policies (§2.4), so deny-app-subnet-
# inbound (100) matches: denied by that rule.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
