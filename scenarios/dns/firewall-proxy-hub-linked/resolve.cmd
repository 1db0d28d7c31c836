# vnet-spoke's DNS server is 10.0.1.4, the private address of Azure Firewall fw-hub, whose policy fwp-hub turns the DNS
# proxy on without custom servers: the proxy asks Azure DNS from vnet-hub, where privatelink.vaultcore.azure.net is
# linked (§12.2, §12.3): private, although the zone is not linked to vnet-spoke.
privlink resolve kv1.vault.azure.net --from vnet-spoke --estate estate --format json
