# The integration subnet's NSG applies to VNet-routed app traffic (§3.3, §4.2: subnet NSG outbound). Its first
# matching rule by priority is deny-pe-subnet-outbound (100, any protocol to 10.1.2.0/24), before any allow rule (§4.1
# first match): denied, the client times out, and decided_by names that security rule.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
