# rt-int sends 0.0.0.0/0 to the appliance 10.1.3.4 and route-all puts kv1 (public: it has no private
# endpoint) into the VNet: the route decides, and privlink cannot see the appliance (§4.4).
# sql1 goes through its private endpoint's /32 route, which beats the UDR: not reported.
privlink check --estate estate --select NET206
