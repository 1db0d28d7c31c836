privlink check --estate estate --select SEC403
