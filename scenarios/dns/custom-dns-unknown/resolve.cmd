# vnet-app's dhcpOptions.dnsServers is 10.50.0.4, not a resolver privlink knows: what it answers depends on whether
# it forwards to 168.63.129.16 from a linked VNet (§1.3-5, §1.8): indeterminate.
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
