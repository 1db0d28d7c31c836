# app1, integrated into vnet-spoke, inherits its DNS server (§1.8, §12.3): the same private answer through the proxy.
privlink resolve kv1.vault.azure.net --from app1 --estate estate
