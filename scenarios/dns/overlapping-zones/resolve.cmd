# Both vaultcore.azure.net and privatelink.vaultcore.azure.net are linked and both hold kv1.privatelink; the longest
# linked zone is authoritative ([SIM] §1.3, UNVERIFIED): 10.1.2.4 from privatelink.vaultcore.azure.net.
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
