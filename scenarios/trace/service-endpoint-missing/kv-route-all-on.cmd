# app2 has route-all on: its traffic to kv1 enters the VNet through snet-int2 and leaves by the system 0.0.0.0/0
# Internet route. Without the Microsoft.KeyVault service endpoint it still reaches kv1's public endpoint from a public
# address, not with the subnet's identity, so kv1's virtual network rule for snet-int2 does not match and the firewall
# (defaultAction Deny) answers 403 ForbiddenByFirewall (§5.1): denied; change: the subnet.
privlink trace --from app2 --to kv1.vault.azure.net:443 --estate estate
