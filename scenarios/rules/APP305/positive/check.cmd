privlink check --estate estate --select APP305
