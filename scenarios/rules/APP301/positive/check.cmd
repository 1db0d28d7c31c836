privlink check --estate estate --select APP301
