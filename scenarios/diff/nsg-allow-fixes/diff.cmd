# Before: deny-sql-outbound (priority 300) drops the app's SQL traffic to its private endpoint (NET203).
# After: allow-sql-outbound (priority 100) is added in front of it. Better, NET203 removed, exit 0.
privlink diff --before ../../seed-estate/access.json ../../seed-estate/backends.json ../../seed-estate/dns.json ../../seed-estate/endpoints.json ../../seed-estate/web.json before/network.json --after ../../seed-estate/access.json ../../seed-estate/backends.json ../../seed-estate/dns.json ../../seed-estate/endpoints.json ../../seed-estate/web.json after/network.json
