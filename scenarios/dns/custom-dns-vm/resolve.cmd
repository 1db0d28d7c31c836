# The custom DNS server 10.60.0.4 is a VM NIC in vnet-dns of the estate, but its DNS software is not modelled:
# indeterminate, naming vnet-dns (§1.3-5).
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
