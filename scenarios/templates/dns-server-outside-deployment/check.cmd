# app-spoke resolves kv1.vault.azure.net through vnet-spoke's DNS server, which only Azure knows: the trace is unknown,
# and check says so (DNS109, a warning: the server may forward to Azure DNS; privlink cannot know) instead of passing.
privlink check --estate azuredeploy.json
