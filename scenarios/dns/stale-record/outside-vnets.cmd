# The record points at 10.99.0.5, inside no VNet of the estate: answered as written, verdict indeterminate.
privlink resolve kv9.vault.azure.net --from vnet-app --estate estate --format json
