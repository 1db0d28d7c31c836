privlink check --estate estate --select DNS108
