privlink check --estate estate --select PE102
