# snet-pe carries nsg-pe, whose deny-app-subnet-inbound (priority 100) denies Tcp 1433 from the integration subnet
# 10.1.1.0/24. privateEndpointNetworkPolicies is NetworkSecurityGroupEnabled: the subnet NSG's inbound rules apply to
# PE traffic (§2.4, §4.2); deny-app-subnet-inbound (100) matches Tcp 1433 from 10.1.1.0/24: denied, decided by that
# rule.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
