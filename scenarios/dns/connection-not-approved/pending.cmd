# The PE connection is Pending: Azure inserts the privatelink alias only for Approved connections ([SIM] §1.2), so the
# chain never reaches the linked zone (whose record exists) and ends at the public front end: public.
privlink resolve kv-pending.vault.azure.net --from vnet-app --estate estate --format json
