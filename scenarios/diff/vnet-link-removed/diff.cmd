# The SQL zone's VNet link is deleted: sql-privlink-seed resolves to its public address from the app, the
# integration NSG's deny-internet-outbound drops it, and DNS101 names the zone. Worse, exit 1.
privlink diff --before ../../seed-estate --after ../../seed-estate/access.json ../../seed-estate/backends.json ../../seed-estate/endpoints.json ../../seed-estate/network.json ../../seed-estate/web.json dns.json
