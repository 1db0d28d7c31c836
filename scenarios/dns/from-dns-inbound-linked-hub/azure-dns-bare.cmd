# 168.63.129.16 answers only inside a VNet (§1.8): asking it from outside is a usage error that teaches dns:IP@VNET (exit 2).
privlink resolve kv1.vault.azure.net --from dns:168.63.129.16 --estate estate
