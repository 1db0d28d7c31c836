# What Azure allocates at deploy time: the firewall's address (the spoke's DNS server and its route's next hop), the
# endpoint's NIC address, and the jump box NIC's dynamic address after it; no error-level diagnostic.
privlink inventory --estate azuredeploy.json --parameters parameters.json
