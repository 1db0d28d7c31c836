privlink check --estate estate --select APP303
