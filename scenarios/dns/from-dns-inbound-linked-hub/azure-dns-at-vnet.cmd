# 168.63.129.16 as a VM in vnet-hub would ask it: Azure DNS of vnet-hub, where the zone is linked: private (§1.3).
privlink resolve kv1.vault.azure.net --from dns:168.63.129.16@vnet-hub --estate estate
