# vnet-spoke's DNS server is fw-hub's DNS proxy, whose policy sends every query to the custom server 10.0.5.4, a DNS VM in
# vnet-hub (azure-semantics §12.2): what it answers cannot be seen, so app1's names are indeterminate. No resolver inbound
# endpoint in the estate, so no fix.
privlink check --estate estate --select DNS109
