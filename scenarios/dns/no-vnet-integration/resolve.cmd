# app1 has no VNet integration: Azure DNS without private zones (§1.8 first row): public.
privlink resolve kv1.vault.azure.net --from app1 --estate estate --format json
