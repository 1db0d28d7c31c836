# Peered and Connected both ways: vnet-app routes vnet-hub's address space and reaches pe-sql1.
privlink check --estate estate --select NET205
