# SARIF for code scanning: only the finding the change adds, marked "baselineState": "new".
privlink diff --before ../../seed-estate --after ../../seed-estate/access.json ../../seed-estate/backends.json ../../seed-estate/endpoints.json ../../seed-estate/network.json ../../seed-estate/web.json dns.json --format sarif
