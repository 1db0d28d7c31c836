# rt-int sends 0.0.0.0/0 to a firewall (VirtualAppliance 10.1.3.4). The PE's /32 is longer, and a 0.0.0.0/0 UDR never
# invalidates a PE route even with snet-pe's policies Enabled (§2.4, §4.4): the /32 InterfaceEndpoint route decides,
# and the rest of the path is as for a plain PE: allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
