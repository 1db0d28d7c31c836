# app1 has no VNet integration: its traffic leaves from the App Service platform (azure-semantics §3.3). kv1 (firewall
# Deny) and sql1 (no firewall rule) admit only snet-int, through their virtual network rules and the subnet's
# service endpoints (§5.1, §5.2), which traffic from outside every VNet never matches. snet-int is delegated to
# Microsoft.Web/serverFarms and unused: the fix integrates app1 into it.
privlink check --estate estate --select APP308
