# A client (or its forwarder) that asks Google Public DNS never sees a private zone: the public chain, with its privatelink
# hop, ends at the vault's public address (§1.2, §1.4 "internet client").
privlink resolve kv1.vault.azure.net --from dns:8.8.8.8 --estate estate --format json
