# snet-int has the Microsoft.KeyVault service endpoint and kv1's virtual network rules admit it (azure-semantics
# §5.1), but nsg-int allows only the Sql service tag before deny-internet-outbound: the vault's public address is
# Internet to the NSG, so the connection through the service endpoint is dropped (§3.3, §4.2). The vault would admit
# the subnet, so the NSG is what to change (a firewalled vault reached from a public address is left to its refusal).
privlink check --estate estate --select NET203
