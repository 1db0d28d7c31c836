# The record still says 10.1.2.9 (an old PE's address); the PE NIC now holds 10.1.2.4. Azure DNS answers what the
# zone says, 10.1.2.9; it lies inside vnet-app, so the verdict is private, flagged as possibly stale (§1.6).
privlink resolve kv1.vault.azure.net --from vnet-app --estate estate --format json
