privlink check --estate estate --select DNS106
