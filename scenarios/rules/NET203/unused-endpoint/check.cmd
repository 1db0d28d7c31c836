# As `positive` (deny-vnet-outbound at 200, nothing allows 6380), but the app no longer names the Redis cache in any
# setting: pe-redis is reachable from vnet-app, yet a deny towards an endpoint the app never connects to breaks
# nothing, so NET203 is silent. The other backends the app names use ports the NSG allows.
privlink check --estate estate --select NET203
