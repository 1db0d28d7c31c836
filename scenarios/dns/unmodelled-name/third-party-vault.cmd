# other.vault.azure.net is a Key Vault name but that vault is not in the estate: privlink cannot know whether it has
# a PE and treats it as having none (no privatelink hop, says so); §11.1 notes that if it had one, the linked zone would
# answer NXDOMAIN.
privlink resolve other.vault.azure.net --from vnet-app --estate estate --format json
