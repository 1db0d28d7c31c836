# sql1's virtual network rule allow-snet-int names snet-int (ignoreMissingVnetServiceEndpoint: created ahead of the
# endpoint), but snet-int has no Microsoft.Sql service endpoint. Route-all is off on app1 and the destination is public,
# so the traffic leaves from the App Service platform (§3.3) and reaches sql1 from a public outbound address: the rule
# does not match, sql1 has no firewall rule, and the login fails with 40615 (§5.2). The missing endpoint is what to
# change: the subnet.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
