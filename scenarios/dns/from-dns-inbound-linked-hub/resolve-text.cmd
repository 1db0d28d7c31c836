# The same question read like dig: the view is the resolver's, the answer the private endpoint's address.
privlink resolve kv1.vault.azure.net --from dns:10.0.4.4 --estate estate
