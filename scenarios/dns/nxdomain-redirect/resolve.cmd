# As record-missing, but the link's resolutionPolicy is NxDomainRedirect: the privatelink zone's NXDOMAIN for an
# A query falls back to public resolution (§1.3-4), which ends at the public front end: public.
privlink resolve kv2.vault.azure.net --from vnet-app --estate estate --format json
