# WEBSITE_DNS_SERVER=8.8.8.8 sends the app's queries to a public resolver: public view, the public chain with its
# privatelink hop ends at the public front end: public (§1.4 internet row).
privlink resolve kv1.vault.azure.net --from app1 --estate estate --format json
