privlink check --estate estate --select DNS104
