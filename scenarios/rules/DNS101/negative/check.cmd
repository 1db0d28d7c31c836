privlink check --estate estate --select DNS101
