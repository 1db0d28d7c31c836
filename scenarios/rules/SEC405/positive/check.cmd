# sql-rules' virtual network rule allow-snet-int and kv-rules' networkAcls.virtualNetworkRules name snet-int, which has
# only the Microsoft.Storage service endpoint. app-api, integrated into snet-int with route-all off, reaches both
# public endpoints from the App Service platform's address, which the rules do not match (azure-semantics §3.3, §5.1,
# §5.2): SQL 40615 and Key Vault 403 ForbiddenByFirewall, an error. kv-rules also names snet-spare, which has no
# endpoint and no app: a rule that admits nobody, a warning. The fixes add the endpoints, keeping Microsoft.Storage.
privlink check --estate estate --select SEC405
