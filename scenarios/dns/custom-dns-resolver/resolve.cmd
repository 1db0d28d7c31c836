# vnet-spoke's DNS server 10.0.4.4 is the inbound endpoint of private resolver dnspr-hub in vnet-hub; the resolver asks
# Azure DNS from vnet-hub, where the zone is linked: private (§1.4 row 3).
privlink resolve kv1.vault.azure.net --from vnet-spoke --estate estate --format json
