# By name: public DNS inserts the privatelink CNAME only for Approved connections (§1.2 [SIM]), so the zone's record
# is never reached and sql1 resolves to its public front end; route-all sends it into the VNet (§3.3), 0.0.0.0/0
# Internet (§4.4), and nsg-int's deny-internet-outbound (4000) drops it (§4.1): denied by that rule, not by the PE.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
