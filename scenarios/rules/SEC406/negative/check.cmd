# The same estate with kv1's firewall allowing by default: the public endpoint admits app1.
privlink check --estate estate --select SEC406
