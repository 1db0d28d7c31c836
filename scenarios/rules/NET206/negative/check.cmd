# The appliance route covers only 172.16.0.0/12 (on-premises, say): no dependency of app1 takes it.
privlink check --estate estate --select NET206
