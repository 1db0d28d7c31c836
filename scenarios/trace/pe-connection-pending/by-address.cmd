# pe-sql1 was created through manualPrivateLinkServiceConnections and sql1's owner has not approved it: Pending. Only
# Approved connections pass traffic (§2.2, §9 step 5); the IP exists regardless (§2.3). Traced by address: route, NSG
# fine, then the private-link hop denies, decided by the connection the owner must approve.
privlink trace --from app1 --to 10.1.2.4:1433 --estate estate --format json
