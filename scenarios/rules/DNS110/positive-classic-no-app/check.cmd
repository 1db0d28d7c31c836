# fw-hub has no policy and its additionalProperties say Network.DNS.EnableProxy "false" (§12.1): vnet-spoke's DNS server
# does not answer. No app resolves through vnet-spoke, so a warning; the fix sets the classic flag to "true".
privlink check --estate estate --select DNS110
