# snet-pe has route-table policies on (RouteTableEnabled) and the UDR 10.1.2.0/24 is at least as long as the VNet's
# /16, so it invalidates pe-sql1's /32 (§2.4); the packet goes to the VirtualAppliance 10.1.3.4 once nsg-int's allow-
# sql-outbound admits it (§4.2); the appliance is not modelled: unknown, decided by the route (§4.4, issue 5).
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
