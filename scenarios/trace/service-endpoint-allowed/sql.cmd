# No private endpoint and route-all off, but snet-int has the Microsoft.Sql service endpoint: traffic to SQL enters
# the VNet anyway (§3.3). The endpoint's route for the service's prefixes beats rt-int's 0.0.0.0/0 to the firewall
# (§4.4, assumptions A8); nsg-int's allow-sql-outbound admits the Sql service tag on 1433 before deny-internet-outbound;
# the traffic reaches sql1's public endpoint with the subnet's private addresses, and sql1's virtual network rule
# allow-snet-int (a Microsoft.Sql/servers/virtualNetworkRules child) admits the subnet (§5.2): allowed, naming the rule.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
