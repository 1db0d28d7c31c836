# kv1 accepts public traffic (publicNetworkAccess Enabled, firewall open): app1 reaches it from the platform.
privlink check --estate estate --select SEC404
