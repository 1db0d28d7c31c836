# snet-pe carries nsg-pe, whose deny-app-subnet-inbound (priority 100) denies Tcp 1433 from the integration subnet
# 10.1.1.0/24. privateEndpointNetworkPolicies is Disabled: the subnet NSG has no effect on traffic to private
# endpoints (§2.4, §4.2, §11.5): allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
