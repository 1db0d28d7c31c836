# vnet-spoke's DNS server is fw-hub's DNS proxy in vnet-hub, but its peering to-vnet-hub is Disconnected and vnet-hub has no
# peering back (§17.2): the queries never arrive and app1 resolves nothing. The fix peers the VNets both ways.
privlink check --estate estate --select DNS111
