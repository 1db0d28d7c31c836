# The same UDR with snet-pe's privateEndpointNetworkPolicies Disabled: UDRs are not honoured for PE routes, the /32
# InterfaceEndpoint route always wins (§2.4, PE-3): allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate-policies-disabled --format json
