# The zone exists and has the record but is not linked to vnet-app: it is invisible (§1.3-2). The chain
# keeps the privatelink hop (approved PE) and ends at the public front end: public.
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
