# privatelink.database.windows.net holds sql1's record but is linked to no VNet, so the app's Azure DNS follows the
# public CNAME chain to sql1's public address (§1.3-2, DNS-1). Route-all: VNet, 0.0.0.0/0 Internet (§4.4); nsg-int has
# no internet deny, AllowInternetOutBound (65001) admits it; sql1 has publicNetworkAccess Disabled, so the login is
# refused with error 47073 (§5.2, SQL-1): denied by the SQL server.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
