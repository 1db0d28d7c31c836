# app1 has no VNet integration: it resolves kv1.vault.azure.net with public DNS and connects from the platform
# (azure-semantics §1.8, §3.3), and kv1 has publicNetworkAccess Disabled (§5.1). snet-int in vnet-app, where pe-kv1
# is, is delegated to Microsoft.Web/serverFarms and unused: the fix integrates app1 into it.
privlink check --estate estate --select APP308
