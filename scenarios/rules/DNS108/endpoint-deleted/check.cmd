# pe-sql1 and its NIC were deleted, but this export still lists its connection on sql1 (taken before
# Azure removed it), so public DNS still answers with the privatelink alias, and the hand-written
# sql1 record in privatelink.database.windows.net still says 10.1.2.4, inside vnet-app, where nothing
# holds it now: app1 times out (§1.2, §2.3, §11.6). No endpoint writes the name, so there is no
# address to point at: reported without a fix.
privlink check --estate estate --select DNS108
