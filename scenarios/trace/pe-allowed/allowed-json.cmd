# sql1's name resolves through the linked privatelink zone to pe-sql1 (10.1.2.4, §1.3); route-all is on so the
# connection enters the VNet (§3.3); the PE's /32 InterfaceEndpoint route wins by longest prefix (§2.4, §4.4); nsg-
# int's allow-sql-outbound (priority 100) admits Tcp 1433 to VirtualNetwork (§4.1); the connection is Approved and SQL
# admits PE traffic although publicNetworkAccess is Disabled (§5.2, §5.6): allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
