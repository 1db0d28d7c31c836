# An on-premises forwarder that points at the firewall's DNS proxy gets what the proxy gets: Azure DNS of vnet-hub, private.
privlink resolve kv1.vault.azure.net --from dns:10.0.1.4 --estate estate
