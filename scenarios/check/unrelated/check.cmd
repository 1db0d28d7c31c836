# A directory of resources privlink does not model (a VM and its disk): no app, network, DNS zone,
# private endpoint or service to analyse, so check fails as for an empty estate (exit 2).
privlink check --estate estate
