# vnet-app's own DNS server (10.50.0.4) is unknown, but app1 sets WEBSITE_DNS_SERVER=168.63.129.16, which overrides it
# (§1.8); Azure DNS from the integration VNet sees the linked zone: private (§3.4).
privlink resolve kv1.vault.azure.net --from app1 --estate estate --format json
