# SEC405 names each subnet whose virtual network rules lack the service endpoint, with the refused connections of the
# apps integrated there, and the az command that adds the endpoints (keeping the subnet's others).
privlink check --estate estate
