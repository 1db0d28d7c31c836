# vnet-spoke's DNS server is read with reference() from a NIC outside this deployment: only Azure knows the address,
# so privlink does not pretend the VNet uses Azure DNS: what answers its queries is unknown (indeterminate), and the
# load diagnostics say once, as information, that the value is only known at deploy time.
privlink resolve kv1.vault.azure.net --from vnet-spoke --estate azuredeploy.json
