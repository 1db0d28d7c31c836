# The zone is linked only to vnet-hub; app1 is integrated into vnet-spoke, peered to the hub. Links do not follow
# peering (§1.3-3, §3.4): the spoke's Azure DNS does not see the zone: public.
privlink resolve kv1.vault.azure.net --from app1 --estate estate --format json
