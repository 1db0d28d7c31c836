# vnet-hub's side of the peering was deleted, so vnet-app's to-vnet-hub is Disconnected: vnet-app no longer routes
# vnet-hub's 10.0.0.0/16 and its 10.0.0.0/8 system route (next hop None) drops the traffic to pe-sql1 (azure-semantics
# §4.4). The fix re-creates vnet-app's side and creates vnet-hub's.
privlink check --estate estate --select NET205
