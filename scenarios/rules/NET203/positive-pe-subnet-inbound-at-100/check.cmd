# snet-pe has privateEndpointNetworkPolicies Enabled, so nsg-pe applies to pe-sql1 (azure-semantics §2.4), and its
# inbound deny-app-subnet-inbound (100) drops app1's traffic: no priority above 100 is free, so the fix moves the deny
# to 101 and puts the allow at 100.
privlink check --estate estate --select NET203
