# The same for Key Vault: the Microsoft.KeyVault service endpoint routes kv1's public address into the VNet
# (VirtualNetworkServiceEndpoint beats the 0.0.0.0/0 appliance route), allow-keyvault-outbound admits AzureKeyVault on
# 443, and kv1's firewall (defaultAction Deny, no IP rules) admits the subnet through networkAcls.virtualNetworkRules
# (§5.1): allowed; the service hop is decided by the vault's virtual network rules.
privlink trace --from app1 --to kv1.vault.azure.net:443 --estate estate --format json
