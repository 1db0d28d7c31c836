# The same, as dig-like text.
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate
