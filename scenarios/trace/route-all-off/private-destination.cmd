# Route-all off, but 10.1.2.4 (pe-sql1) is RFC 1918, which enters the VNet anyway (§3.3); then as with route-all: /32
# InterfaceEndpoint, allow-sql-outbound, Approved connection, PE traffic admitted (§5.6): allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
