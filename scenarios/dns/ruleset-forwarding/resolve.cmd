# vnet-spoke uses Azure DNS, and forwarding ruleset rs-spoke linked to it sends vault.azure.net to 10.0.4.4, the
# resolver's inbound endpoint in vnet-hub; Azure DNS there sees the zone linked to vnet-hub: private (§1.4, [SIM] rule order).
privlink resolve kv1.vault.azure.net --from vnet-spoke --estate estate --format json
