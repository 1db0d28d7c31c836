privlink check --estate estate --select PE104
