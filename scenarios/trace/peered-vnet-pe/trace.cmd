# pe-sql1 lives in vnet-hub (10.0.0.0/16), peered with vnet-app; the zone is linked to the app's VNet, so the name
# resolves to 10.0.1.4 (§3.4). The PE's /32 is injected into peered VNets as InterfaceEndpoint (§2.4 [OBS], §4.4) and
# beats the 10.0.0.0/16 VNetPeering route by longest prefix; VirtualNetwork includes peered ranges (§4.3), so allow-
# sql-outbound admits it; the connection is Approved: allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
