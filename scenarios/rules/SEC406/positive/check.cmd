# kv1 has public access on, networkAcls defaultAction Deny with no IP or virtual network rule, and no
# private endpoint; app1 (route-all off) reaches its public endpoint from the platform and gets 403
# ForbiddenByFirewall (§5.1). The fix admits app1's integration subnet through a Microsoft.KeyVault
# service endpoint and a virtual network rule (§3.3, §5).
privlink check --estate estate --select SEC406
