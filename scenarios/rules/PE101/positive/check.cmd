privlink check --estate estate --select PE101
