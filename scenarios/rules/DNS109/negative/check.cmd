# vnet-app's DNS server is the inbound endpoint of dnspr-app: privlink follows it into Azure DNS of vnet-app (§1.4).
privlink check --estate estate --select DNS109
