# Two VNets are named vnet-app (rg-dns and rg-other): FROM is ambiguous, a usage error (exit 2) listing both ids on stderr.
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate
