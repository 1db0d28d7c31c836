# kv1 has publicNetworkAccess Disabled and no private endpoint. app1's connection to it, through snet-int's
# Microsoft.KeyVault service endpoint, is dropped first by nsg-int's deny-internet-outbound (NET203 leaves that to the
# vault, which would refuse it anyway: service endpoints reach the public endpoint, §5.1): no path reaches kv1.
privlink check --estate estate --select SEC404,NET203
