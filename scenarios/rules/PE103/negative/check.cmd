privlink check --estate estate --select PE103
