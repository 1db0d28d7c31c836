privlink check --estate estate --select APP307
