# What the SDK created is the estate privlink analyses: the vault's name resolves privately from
# the VNet the zone is linked to, through the record the zone group wrote.
privlink resolve kv-flask-pe.vault.azure.net --from vnet-flask-pe --format json \
  | check 'data["verdict"] == "private" and data["chain"][-1]["source"].endswith("/A/kv-flask-pe")'
