# kv1 has publicNetworkAccess Disabled and no private endpoint (azure-semantics §5.1): app1's kv1.vault.azure.net is
# refused by the vault whatever the path. No fix: a private endpoint's subnet and DNS are choices privlink does not make.
privlink check --estate estate --select SEC404
