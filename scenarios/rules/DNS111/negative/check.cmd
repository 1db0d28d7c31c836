# The same estate with both sides of the peering Connected: the proxy answers (and the zone is linked to vnet-hub).
privlink check --estate estate --select DNS111
