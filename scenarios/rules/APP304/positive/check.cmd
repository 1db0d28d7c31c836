privlink check --estate estate --select APP304
