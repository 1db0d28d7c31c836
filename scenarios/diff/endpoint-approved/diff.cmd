# Before: pe-sql's manual connection waits for approval (PE101); the SQL server's owner approves it. Better.
privlink diff --before ../../seed-estate/access.json before/backends.json ../../seed-estate/dns.json before/endpoints.json ../../seed-estate/network.json ../../seed-estate/web.json --after ../../seed-estate
