# Zone privatelink.vaultcore.azure.net is linked to vnet-app and holds A kv1 -> 10.1.2.4. Azure DNS follows the public
# CNAME kv1.vault.azure.net -> kv1.privatelink.vaultcore.azure.net (the vault has an approved PE) and the linked
# zone answers 10.1.2.4, the PE NIC's address: private (§1.2, §1.3).
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
