# Rejected: as Pending, no privatelink hop, public answer, although the zone holds a record for the PE's IP (§1.2, §11.6).
privlink resolve kv-rejected.vault.azure.net --from vnet-app --estate estate --format json
