# DNS101 names the VNet whose Azure DNS the app uses through the firewall's proxy (vnet-hub), and the firewall.
privlink check --estate estate --select DNS101
